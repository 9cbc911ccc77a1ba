#!/usr/bin/env python3
"""Jingsai's two commands for a fresh clone (standard library only, so it runs before any install).

python3 dev.py start   install into .venv, create the database, load the demo data,
                       serve the web app (waitress, http://127.0.0.1:5000; HOST and PORT
                       change it) and run a Celery worker
python3 dev.py test    install into .venv and run the whole test suite (extra args go to pytest)
python3 dev.py i18n    (maintainers) extract the interface's text, merge and compile the catalogs
"""

import hashlib
import os
import signal
import socket
import subprocess
import sys
import time
import venv
from pathlib import Path

ROOT = Path(__file__).resolve().parent
VENV = ROOT / ".venv"
BIN = VENV / ("Scripts" if os.name == "nt" else "bin")
PY = BIN / "python"
REQUIREMENTS = ROOT / "requirements.txt"
STAMP = VENV / ".requirements.sha256"


def run(*args, **kwargs):
    """Run a command in the repository, stopping on failure."""
    print("$", " ".join(str(a) for a in args), flush=True)
    subprocess.run([str(a) for a in args], cwd=ROOT, check=True, **kwargs)


def ensure_venv() -> None:
    """Create .venv and install the pinned requirements when they changed since the last install."""
    if sys.version_info[:2] < (3, 11):  # noqa: UP036 (this script may be started by an old Python)
        sys.exit(f"Jingsai needs Python 3.11 or newer; this is {sys.version.split()[0]}.")
    if not PY.exists():
        print("Creating the virtual environment in .venv …", flush=True)
        venv.create(VENV, with_pip=True)
    digest = hashlib.sha256(REQUIREMENTS.read_bytes()).hexdigest()
    if not STAMP.exists() or STAMP.read_text().strip() != digest:
        run(PY, "-m", "pip", "install", "--quiet", "--upgrade", "pip")
        run(PY, "-m", "pip", "install", "--quiet", "-r", REQUIREMENTS)
        STAMP.write_text(digest)


def flask(*args):
    """Run a ``flask`` CLI command of the app."""
    run(PY, "-m", "flask", "--app", "app", *args)


def lan_address() -> str:
    """This machine's address on its network (found without sending anything), or 127.0.0.1."""
    with socket.socket(socket.AF_INET, socket.SOCK_DGRAM) as probe:
        try:
            probe.connect(("192.0.2.1", 9))  # TEST-NET-1: only picks the outgoing interface
            return probe.getsockname()[0]
        except OSError:
            return "127.0.0.1"


def site_address(environ) -> tuple[str, int, str]:
    """Where ``start`` serves: ``HOST`` (default 127.0.0.1: this computer only; 0.0.0.0 for
    the hall's network), ``PORT`` (default 5000), and the address people open, ``BASE_URL``
    if set, else made from those (the network address when serving on every interface)."""
    host = environ.get("HOST") or "127.0.0.1"
    port = int(environ.get("PORT") or 5000)
    shown = lan_address() if host in ("0.0.0.0", "::") else host
    shown = f"[{shown}]" if ":" in shown else shown
    return host, port, (environ.get("BASE_URL") or f"http://{shown}:{port}").rstrip("/")


def web_command(host: str, port: int) -> list[str]:
    """The web app under waitress, a production WSGI server (no debugger, no reloader)."""
    listen = f"[{host}]:{port}" if ":" in host else f"{host}:{port}"
    server = [str(PY), "-m", "waitress", "--listen", listen, "--threads", "8"]
    return [*server, "--call", "app:create_app"]


def worker_command(instance: Path) -> list[str]:
    """A Celery worker that also runs the periodic tasks (production runs one `celery beat`
    instead: results become final at the end of their public notice)."""
    worker = [str(PY), "-m", "celery", "-A", "workers.worker", "worker", "--concurrency", "2"]
    return [
        *worker,
        "--loglevel",
        "INFO",
        "--beat",
        "--schedule",
        str(instance / "celerybeat-schedule"),
    ]


def start() -> None:
    """Install, migrate, seed, then serve the web app and a worker until Ctrl-C."""
    ensure_venv()
    host, port, base_url = site_address(os.environ)
    # the workers print it in certificates' QR codes; the web app shows it
    os.environ["BASE_URL"] = base_url
    flask("db", "upgrade")
    flask("seed", "--if-empty")
    instance = Path(os.environ.get("JINGSAI_INSTANCE", ROOT / "instance"))
    worker = subprocess.Popen(worker_command(instance), cwd=ROOT)
    web = subprocess.Popen(web_command(host, port), cwd=ROOT)
    print(
        f"\nJingsai runs at {base_url} — log in as organiser / demo1234 "
        "(README lists every demo account). Ctrl-C stops it.\n",
        flush=True,
    )
    try:
        while web.poll() is None and worker.poll() is None:
            time.sleep(0.5)
    except KeyboardInterrupt:
        pass
    finally:
        for proc in (web, worker):
            if proc.poll() is None:
                proc.send_signal(signal.SIGINT)
        for proc in (web, worker):
            try:
                proc.wait(timeout=20)
            except subprocess.TimeoutExpired:
                proc.kill()


def test(args: list[str]) -> int:
    """Install, then run pytest with ``args``; returns pytest's exit code."""
    ensure_venv()
    return subprocess.run([str(PY), "-m", "pytest", *args], cwd=ROOT).returncode


LOCALES = ("zh_Hans_CN", "en")


def i18n() -> None:
    """Extract the message ids, merge them into each locale's catalog, and compile the catalogs."""
    ensure_venv()
    pybabel = BIN / "pybabel"
    pot = ROOT / "translations" / "messages.pot"
    run(
        pybabel,
        "extract",
        "-F",
        "babel.cfg",
        "-k",
        "_l",
        "-k",
        "N_",
        "--no-location",
        "--sort-output",
        "--omit-header",
        "-o",
        pot,
        ".",
    )
    for locale in LOCALES:
        po = ROOT / "translations" / locale / "LC_MESSAGES" / "messages.po"
        action = "update" if po.exists() else "init"
        extra = ["--no-fuzzy-matching"] if action == "update" else []
        run(pybabel, action, "-i", pot, "-d", ROOT / "translations", "-l", locale, *extra)
    run(pybabel, "compile", "-d", ROOT / "translations", "--use-fuzzy")


def main(argv: list[str]) -> int:
    """Dispatch ``start``, ``test`` or ``i18n``."""
    if not argv or argv[0] not in {"start", "test", "i18n"}:
        print(__doc__)
        return 2
    if argv[0] == "start":
        start()
        return 0
    if argv[0] == "i18n":
        i18n()
        return 0
    return test(argv[1:])


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))

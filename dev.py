#!/usr/bin/env python3
"""Jingsai's two commands for a fresh clone (standard library only, so it runs before any install).

python3 dev.py start   install into .venv, create the database, load the demo data,
                       run the web app (http://127.0.0.1:5000) and a Celery worker
python3 dev.py test    install into .venv and run the whole test suite (extra args go to pytest)
python3 dev.py i18n    (maintainers) extract the interface's text, merge and compile the catalogs
"""

import hashlib
import os
import signal
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


def start() -> None:
    """Install, migrate, seed, then serve the web app and a worker until Ctrl-C."""
    ensure_venv()
    flask("db", "upgrade")
    flask("seed", "--if-empty")
    worker = subprocess.Popen(
        [
            str(PY),
            "-m",
            "celery",
            "-A",
            "workers.worker",
            "worker",
            "--concurrency",
            "2",
            "--loglevel",
            "INFO",
            # The periodic tasks (results final at the end of their public notice) run inside
            # this one worker; production runs one separate `celery beat` instead.
            "--beat",
            "--schedule",
            str(
                Path(os.environ.get("JINGSAI_INSTANCE", ROOT / "instance")) / "celerybeat-schedule"
            ),
        ],
        cwd=ROOT,
    )
    web = subprocess.Popen(
        [
            str(PY),
            "-m",
            "flask",
            "--app",
            "app",
            "run",
            "--host",
            "127.0.0.1",
            "--port",
            os.environ.get("PORT", "5000"),
        ],
        cwd=ROOT,
    )
    print(
        "\nJingsai runs at http://127.0.0.1:5000 — log in as organiser / demo1234 "
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

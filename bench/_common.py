"""Helpers the web benchmarks share: a throw-away database, gunicorn, HTTP clients, timed phases."""

import http.client
import math
import os
import secrets
import socket
import subprocess
import sys
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from http.cookies import SimpleCookie
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
VENV_BIN = ROOT / ".venv" / "bin"


def own_database_url(prefix: str) -> str:
    """A database of the bench's own, named afresh each run (``<prefix>_<random>``) on the
    server of DATABASE_URL (the local PostgreSQL unless set): the database named there is
    never created, dropped or touched."""
    given = os.environ.get("DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/postgres")
    return (
        sa.engine.make_url(given)
        .set(database=f"{prefix}_{secrets.token_hex(4)}")
        .render_as_string(hide_password=False)
    )


def recreate_database(url: str, drop_only: bool = False) -> None:
    """Drop the database named in ``url`` and, unless ``drop_only``, create it empty."""
    server, name = url.rsplit("/", 1)
    admin = sa.create_engine(server + "/postgres", isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        if not drop_only:
            conn.execute(sa.text(f'CREATE DATABASE "{name}"'))
    admin.dispose()


def migrate_database(env: dict) -> None:
    """Create the schema the way production does: ``flask db upgrade`` with ``env``."""
    done = subprocess.run(
        [str(VENV_BIN / "flask"), "--app", "app", "db", "upgrade"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
    )
    if done.returncode:
        sys.exit(f"flask db upgrade failed:\n{done.stdout}\n{done.stderr}")


def app_keys() -> dict[str, str]:
    """Fresh secret keys for a bench's environment: its servers start as production does,
    which refuses to run without them."""
    names = (
        "SECRET_KEY",
        "JINGSAI_CERT_KEY",
        "JINGSAI_AUDIT_KEY",
        "JINGSAI_DATA_KEY",
        "JINGSAI_INDEX_KEY",
    )
    return {name: secrets.token_urlsafe(48) for name in names}


def keys_config(env: dict) -> dict[str, str]:
    """The keys of ``env`` as app settings, so the bench's own app agrees with its servers."""
    return {
        "SECRET_KEY": env["SECRET_KEY"],
        "CERT_KEY": env["JINGSAI_CERT_KEY"],
        "AUDIT_KEY": env["JINGSAI_AUDIT_KEY"],
        "DATA_KEY": env["JINGSAI_DATA_KEY"],
        "INDEX_KEY": env["JINGSAI_INDEX_KEY"],
    }


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def start_gunicorn(env: dict, workers: int, port: int, logfile: Path, probe: str):
    """Gunicorn (sync workers) serving the app on 127.0.0.1:``port``, once ``probe`` answers 200.

    Sync workers close the connection after every answer (no keep-alive), so every request of a
    client opens a new TCP connection. ``--reuse-port`` gives each worker an accept queue of its
    own; MEASURED.md found it cured gthread's imbalance, but with sync workers it lengthened the
    tail here (marks_load, alternated runs: saves' p99/p50 2.5-3.5 with it, 1.2-2.3 without;
    the static baseline's p99 95-216 ms with it, 49-96 ms without; throughput alike).
    """
    with open(logfile, "wb") as out:
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "gunicorn"),
                "-w",
                str(workers),
                *(["--reuse-port"] if os.environ.get("BENCH_REUSE_PORT") == "1" else []),
                "-b",
                f"127.0.0.1:{port}",
                "app:create_app()",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while not _answers(port, probe):
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_process(proc)
            sys.exit(f"gunicorn did not start:\n{logfile.read_text()}")
        time.sleep(0.2)
    return proc


def _answers(port: int, path: str) -> bool:
    """Whether GET ``path`` answers 200."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
    try:
        conn.request("GET", path)
        return conn.getresponse().status == 200
    except OSError:
        return False
    finally:
        conn.close()


def start_worker(env: dict, logfile: Path, concurrency: int = 2) -> subprocess.Popen:
    """A Celery worker (``concurrency`` processes, 2 unless said) on the bench's own queue, once
    it says it is ready."""
    with open(logfile, "wb") as out:
        proc = subprocess.Popen(
            [
                str(VENV_BIN / "celery"),
                "-A",
                "workers.worker",
                "worker",
                "--concurrency",
                str(concurrency),
                "-Q",
                env["JINGSAI_QUEUE"],
                "--loglevel",
                "INFO",
            ],
            cwd=ROOT,
            env=env,
            stdout=out,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while b"ready." not in logfile.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            stop_process(proc)
            sys.exit(f"the worker did not start:\n{logfile.read_text()}")
        time.sleep(0.2)
    return proc


def stop_process(proc: subprocess.Popen) -> None:
    """Stop a process this bench started: politely, then for good."""
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()
        proc.wait()


class HttpClient:
    """One browser: one connection (re-opened when the server closes it) and its cookies."""

    def __init__(self, port: int, timeout: float = 30):
        self.conn = http.client.HTTPConnection("127.0.0.1", port, timeout=timeout)
        self.cookies: dict[str, str] = {}

    def request(
        self, method: str, path: str, body=None, headers=None, cookies: bool = True
    ) -> tuple[int, bytes]:
        """Send one request and read the whole answer; returns (status, body)."""
        headers = dict(headers or {})
        if cookies and self.cookies:
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in self.cookies.items())
        try:
            self.conn.request(method, path, body=body, headers=headers)
            response = self.conn.getresponse()
            data = response.read()
        except (OSError, http.client.HTTPException):
            self.conn.close()
            raise
        if cookies:
            self._keep_cookies(response.headers.get_all("Set-Cookie") or [])
        return response.status, data

    def _keep_cookies(self, lines: list[str]) -> None:
        """Remember the cookies the server set, and forget the ones it expired."""
        for line in lines:
            for name, morsel in SimpleCookie(line).items():
                if morsel["max-age"] == "0" or "1970" in morsel["expires"]:
                    self.cookies.pop(name, None)
                else:
                    self.cookies[name] = morsel.value

    def close(self) -> None:
        """Close the connection."""
        self.conn.close()


def percentile(ordered: list[float], q: float) -> float:
    """The ``q``-th percentile (0-100, nearest rank) of an already sorted list; 0 when empty."""
    if not ordered:
        return 0.0
    rank = max(1, math.ceil(q / 100 * len(ordered)))
    return ordered[rank - 1]


CLOCK_TICKS = os.sysconf("SC_CLK_TCK")


def machine_cpu_seconds() -> float:
    """CPU seconds all cores have spent busy since boot (from /proc/stat; 0 elsewhere)."""
    try:
        fields = [int(x) for x in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
    except (OSError, ValueError):
        return 0.0
    idle = fields[3] + fields[4]
    return (sum(fields) - idle) / CLOCK_TICKS


def _stat(pid: int | str) -> list[str]:
    """The fields of /proc/<pid>/stat after the command name (state first); empty if gone."""
    try:
        return Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except (OSError, IndexError):
        return []


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds a process has used so far; 0 when it is gone."""
    fields = _stat(pid)
    return (int(fields[11]) + int(fields[12])) / CLOCK_TICKS if fields else 0.0


def children(pid: int) -> list[int]:
    """The ids of a process's children (e.g. gunicorn's workers)."""
    found = []
    for entry in Path("/proc").iterdir():
        if entry.name.isdigit():
            fields = _stat(entry.name)
            if fields and fields[1] == str(pid):
                found.append(int(entry.name))
    return found


@dataclass
class Tally:
    """One client's results in one phase."""

    latencies: list[float] = field(default_factory=list)
    ok: int = 0
    errors: Counter = field(default_factory=Counter)

    def record(self, seconds: float, status: int) -> None:
        """Count one answered request."""
        self.latencies.append(seconds)
        if status == 200:
            self.ok += 1
        else:
            self.errors[str(status)] += 1


class CpuMeter:
    """CPU seconds used so far by this client, gunicorn, the PostgreSQL backends of the bench's
    database and the whole machine, so a phase can say where its CPU went (and whether others ran).
    """

    def __init__(self, server_pid: int, database_url: str):
        self.server_pid = server_pid
        self.engine = sa.create_engine(database_url, isolation_level="AUTOCOMMIT")
        self.conn = self.engine.connect()

    def _backends(self) -> list[int]:
        query = (
            "SELECT pid FROM pg_stat_activity"
            " WHERE datname = current_database() AND pid <> pg_backend_pid()"
        )
        return list(self.conn.execute(sa.text(query)).scalars())

    def snapshot(self) -> dict:
        """The counters now."""
        app = [self.server_pid, *children(self.server_pid)]
        return {
            "client": time.process_time(),
            "app": {pid: cpu_seconds(pid) for pid in app},
            "db": {pid: cpu_seconds(pid) for pid in self._backends()},
            "machine": machine_cpu_seconds(),
        }

    @staticmethod
    def spent(before: dict, after: dict) -> dict[str, float]:
        """CPU seconds per consumer between two snapshots (processes born meanwhile count whole)."""
        out = {}
        for key, value in after.items():
            if isinstance(value, dict):
                out[key] = sum(v - before[key].get(pid, 0.0) for pid, v in value.items())
            else:
                out[key] = value - before[key]
        out["others"] = max(0.0, out["machine"] - out["client"] - out["app"] - out["db"])
        return out

    def close(self) -> None:
        """Let go of the database."""
        self.conn.close()
        self.engine.dispose()


@dataclass
class Phase:
    """The figures of one timed phase."""

    latencies: list[float]
    ok: int
    errors: Counter
    seconds: float
    #: CPU seconds by consumer: client, app (gunicorn), db (PostgreSQL backends), machine, others
    cpu: dict[str, float]

    @property
    def rate(self) -> float:
        """Successful requests per second."""
        return self.ok / self.seconds

    def ms(self, q: float) -> float:
        """The ``q``-th percentile latency in milliseconds."""
        return percentile(self.latencies, q) * 1000

    def cpu_line(self) -> str:
        """Where the CPU went: per request for the server side, in cores for the rest."""
        per = {k: self.cpu[k] / max(1, self.ok) * 1000 for k in ("app", "db")}
        cores = {k: self.cpu[k] / self.seconds for k in ("client", "others", "machine")}
        return (
            f"CPU per request: gunicorn {per['app']:.2f} ms + PostgreSQL {per['db']:.2f} ms; "
            f"client {cores['client']:.2f} cores, other processes {cores['others']:.2f} cores, "
            f"machine busy {cores['machine']:.2f} of {os.cpu_count()} cores"
        )


def run_phase(clients: list, seconds: float, step, meter: CpuMeter) -> Phase:
    """Each client calls ``step(client, tally)`` in a loop for ``seconds``, all starting at once."""
    tallies = [Tally() for _ in clients]
    clock: dict[str, float] = {}

    def start() -> None:
        clock["start"] = time.perf_counter()
        clock["end"] = clock["start"] + seconds

    barrier = threading.Barrier(len(clients), action=start)

    def loop(n: int) -> None:
        barrier.wait()
        while time.perf_counter() < clock["end"]:
            step(clients[n], tallies[n])

    before = meter.snapshot()
    with ThreadPoolExecutor(len(clients)) as pool:
        list(pool.map(loop, range(len(clients))))
    return phase_of(tallies, time.perf_counter() - clock["start"], before, meter)


def phase_of(tallies: list, seconds: float, before: dict, meter: CpuMeter) -> Phase:
    """The figures of a phase from its clients' tallies, its length and the CPU since
    ``before`` (a ``meter.snapshot()``)."""
    return Phase(
        latencies=sorted(x for t in tallies for x in t.latencies),
        ok=sum(t.ok for t in tallies),
        errors=sum((t.errors for t in tallies), Counter()),
        seconds=seconds,
        cpu=CpuMeter.spent(before, meter.snapshot()),
    )

"""Fixtures of the fault tests: a Redis and a PostgreSQL of their own, which the tests stop,
restart and cut off, and real Celery worker processes, which they kill.

Nothing here touches the machine's own servers: PostgreSQL is a fresh cluster (``initdb`` into a
temporary folder, run as the ``postgres`` user since it refuses root, trust authentication,
127.0.0.1 only) on a free port for the session, with one database per test cloned from a
template that holds the schema; Redis is a fresh ``redis-server`` (no persistence) on a free port
for each test. They need ``redis-server`` on the PATH and PostgreSQL's server programs in
``JINGSAI_PG_BIN`` (default: Debian's PostgreSQL 15); missing, the tests fail, never skip.
"""

import os
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
import uuid
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa

from app import create_app
from competitions import models  # noqa: F401  (every table on the metadata)
from competitions.core.config import load_config
from competitions.core.db import db
from tests.conftest import ROOT, base_config

PG_BIN = Path(os.environ.get("JINGSAI_PG_BIN", "/usr/lib/postgresql/15/bin"))
#: Seconds after which Redis hands a task whose worker died unacknowledged to another worker
#: (production: an hour); short here so a test can wait for it.
VISIBILITY_S = 4


def free_port() -> int:
    """A TCP port on 127.0.0.1 that nothing listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def wait_until(check, timeout: float, what: str, every: float = 0.05):
    """Poll ``check()`` until it returns something truthy; returns it."""
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = check()
        if value:
            return value
        time.sleep(every)
    raise AssertionError(f"{what}: not within {timeout} s")


class RedisServer:
    """A redis-server of the test's own; stop() and start() keep its port."""

    def __init__(self, folder: Path):
        self.folder, self.port, self.proc = folder, free_port(), None

    def url(self, database: int = 0) -> str:
        return f"redis://127.0.0.1:{self.port}/{database}"

    def start(self) -> None:
        log = open(self.folder / "redis.log", "ab")  # noqa: SIM115  (the server keeps it)
        self.proc = subprocess.Popen(
            [
                *("redis-server", "--port", str(self.port), "--bind", "127.0.0.1"),
                *("--save", "", "--appendonly", "no", "--dir", str(self.folder)),
            ],
            stdout=log,
            stderr=subprocess.STDOUT,
        )
        log.close()
        client = redis.Redis(port=self.port, socket_connect_timeout=0.2)

        def answers():
            try:
                return client.ping()
            except redis.RedisError:
                assert self.proc.poll() is None, (self.folder / "redis.log").read_text()
                return False

        wait_until(answers, 10, "redis-server did not start")
        client.close()

    def stop(self) -> None:
        if self.proc is not None and self.proc.poll() is None:
            self.proc.terminate()
            self.proc.wait(timeout=10)
        self.proc = None


class PostgresServer:
    """A PostgreSQL cluster of the tests' own, run by the ``postgres`` OS user."""

    def __init__(self, folder: Path):
        self.folder, self.port = folder, free_port()
        self.data = folder / "data"

    def _run(self, program: str, *args: str) -> None:
        command = [str(PG_BIN / program), *args]
        if os.geteuid() == 0:  # PostgreSQL will not run as root
            command = ["runuser", "-u", "postgres", "--", *command]
        done = subprocess.run(command, capture_output=True, text=True)
        if done.returncode:
            log = self.folder / "server.log"
            raise RuntimeError(
                f"{program} failed: {done.stderr}\n{log.read_text() if log.exists() else ''}"
            )

    def _options(self) -> str:
        return f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.folder} -c fsync=off"

    def init(self) -> None:
        self._run("initdb", "-D", str(self.data), "-U", "postgres", "--auth=trust", "--no-sync")

    def start(self) -> None:
        log = str(self.folder / "server.log")
        self._run("pg_ctl", "-D", str(self.data), "-l", log, "-w", "-o", self._options(), "start")

    def restart(self) -> None:
        """A fast restart: every connection is cut, the server is back when this returns."""
        log = str(self.folder / "server.log")
        self._run(
            "pg_ctl", "-D", str(self.data), "-l", log, "-w", "-m", "fast", "-o", self._options(),
            "restart",
        )  # fmt: skip

    def stop(self) -> None:
        self._run("pg_ctl", "-D", str(self.data), "-w", "-m", "immediate", "stop")

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://postgres@127.0.0.1:{self.port}/{database}"

    def admin(self, statement: str) -> None:
        engine = sa.create_engine(self.url("postgres"), isolation_level="AUTOCOMMIT")
        with engine.connect() as conn:
            conn.execute(sa.text(statement))
        engine.dispose()


class Worker:
    """A real Celery worker (its own process group, so it can be killed whole)."""

    def __init__(self, env: dict, log: Path, concurrency: int = 2):
        self.log = log
        with open(log, "ab") as out:
            self.proc = subprocess.Popen(
                [
                    *(sys.executable, "-m", "celery", "-A", "workers.worker", "worker"),
                    *("--concurrency", str(concurrency), "--loglevel", "INFO"),
                    *("-Q", env["JINGSAI_QUEUE"], "-n", f"faults-{uuid.uuid4().hex[:6]}@%h"),
                ],
                cwd=ROOT,
                env=env,
                stdout=out,
                stderr=subprocess.STDOUT,
                start_new_session=True,
            )

    def wait_ready(self, timeout: float = 60) -> "Worker":
        def ready():
            assert self.proc.poll() is None, f"the worker died:\n{self.log.read_text()}"
            return b"ready." in self.log.read_bytes()

        wait_until(ready, timeout, f"the worker did not start:\n{self.log.read_text()}", 0.1)
        return self

    def pool_pids(self) -> list[int]:
        """The pool processes (the children that run the tasks)."""
        found = []
        for entry in Path("/proc").iterdir():
            if entry.name.isdigit():
                try:
                    fields = (entry / "stat").read_text().rsplit(")", 1)[1].split()
                except OSError:
                    continue
                if fields[1] == str(self.proc.pid):
                    found.append(int(entry.name))
        return found

    def kill(self) -> None:
        """SIGKILL the whole worker: the main process and its pool, nothing acknowledged."""
        os.killpg(self.proc.pid, signal.SIGKILL)
        self.proc.wait(timeout=10)

    def kill_pool(self) -> None:
        """SIGKILL the pool processes only, as the kernel's OOM killer would."""
        for pid in self.pool_pids():
            os.kill(pid, signal.SIGKILL)

    def stop(self) -> None:
        if self.proc.poll() is not None:
            return
        os.killpg(self.proc.pid, signal.SIGTERM)
        try:
            self.proc.wait(timeout=30)
        except subprocess.TimeoutExpired:
            os.killpg(self.proc.pid, signal.SIGKILL)
            self.proc.wait()


@pytest.fixture(scope="session")
def private_postgres():
    """A PostgreSQL cluster of the session's own, with a template database holding the schema."""
    folder = Path(tempfile.mkdtemp(prefix="jingsai-faults-pg-"))
    if os.geteuid() == 0:
        shutil.chown(folder, "postgres", "postgres")
    server = PostgresServer(folder)
    server.init()
    server.start()
    try:
        server.admin("CREATE DATABASE jingsai_template")
        engine = sa.create_engine(server.url("jingsai_template"))
        db.metadata.create_all(engine)
        engine.dispose()
        yield server
    finally:
        server.stop()
        shutil.rmtree(folder, ignore_errors=True)


@pytest.fixture
def private_redis(tmp_path):
    """A Redis of the test's own, running; the test may stop and start it."""
    folder = tmp_path / "redis"
    folder.mkdir()
    server = RedisServer(folder)
    server.start()
    yield server
    server.stop()


@pytest.fixture
def fault_env(private_postgres, private_redis, tmp_path):
    """The environment the app and its workers share: a fresh database of the private
    PostgreSQL, the private Redis, a queue of the test's own, one folder for certificates."""
    name = f"faults_{uuid.uuid4().hex[:10]}"
    private_postgres.admin(f"CREATE DATABASE {name} TEMPLATE jingsai_template")
    instance = tmp_path / "worker-instance"
    instance.mkdir()
    env = {
        **os.environ,
        "DATABASE_URL": private_postgres.url(name),
        "REDIS_URL": private_redis.url(),
        "JINGSAI_QUEUE": f"jingsai-faults-{uuid.uuid4().hex[:8]}",
        "JINGSAI_INSTANCE": str(instance),
        "CERT_STORAGE_DIR": str(tmp_path / "certificates"),
        "SECRET_KEY": "faults-" + uuid.uuid4().hex,
        "JINGSAI_CERT_KEY": "faults-cert-" + uuid.uuid4().hex,
        "JINGSAI_AUDIT_KEY": "faults-audit-" + uuid.uuid4().hex,
        "JINGSAI_DATA_KEY": "faults-data-" + uuid.uuid4().hex,
        "JINGSAI_INDEX_KEY": "faults-index-" + uuid.uuid4().hex,
        "JINGSAI_TASK_VISIBILITY_S": str(VISIBILITY_S),
    }
    yield env
    private_postgres.admin(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)")


@pytest.fixture
def fault_app(fault_env, tmp_path):
    """The app bound to the private servers, as production runs it (page cache and rate limits
    in Redis, tasks to the test's queue); server errors answer 500 instead of raising."""
    settings = load_config(fault_env)
    config = base_config(tmp_path, fault_env["DATABASE_URL"])
    config.update(
        {
            "CELERY": settings["CELERY"],
            "CACHE_REDIS_URL": settings["CACHE_REDIS_URL"],
            "RATELIMIT_STORAGE_URI": settings["RATELIMIT_STORAGE_URI"],
            "SECRET_KEY": settings["SECRET_KEY"],
            "CERT_KEY": settings["CERT_KEY"],
            "AUDIT_KEY": settings["AUDIT_KEY"],
            "DATA_KEY": settings["DATA_KEY"],
            "INDEX_KEY": settings["INDEX_KEY"],
            "CERT_STORAGE_DIR": settings["CERT_STORAGE_DIR"],
            "PROPAGATE_EXCEPTIONS": False,
            "RATELIMIT_ENABLED": True,
        }
    )
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
        db.engine.dispose()
    _forget_pending_results(app.extensions["celery"])


def _forget_pending_results(celery_app) -> None:
    """Stop waiting on task results (as bench/rankings.py does): left pending, each one tries to
    unsubscribe from the stopped Redis at interpreter exit and prints a traceback."""
    backend = celery_app.backend
    for mapping in getattr(backend, "_pending_results", ()):
        for waiters in list(mapping.values()):
            for result in list(waiters.values()):
                backend.remove_pending_result(result)


@pytest.fixture
def engine(fault_env):
    """An engine of the test's own on its database, beside the app's (locks, raw counts)."""
    engine = sa.create_engine(fault_env["DATABASE_URL"])
    yield engine
    engine.dispose()


@pytest.fixture
def start_worker(fault_env, tmp_path):
    """Start a real worker on the test's queue (ready when returned); all are stopped after."""
    started: list[Worker] = []

    def start(concurrency: int = 2, wait: bool = True) -> Worker:
        worker = Worker(fault_env, tmp_path / f"worker-{len(started)}.log", concurrency)
        started.append(worker)
        return worker.wait_ready() if wait else worker

    yield start
    for worker in started:
        worker.stop()

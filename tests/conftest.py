"""Fixtures: every app test runs on SQLite and on the machine's PostgreSQL.

Servers that cannot be reached make the tests fail, never skip: ``JINGSAI_TEST_BACKENDS``
chooses the backends (default both), ``JINGSAI_TEST_POSTGRES_URL`` and ``JINGSAI_TEST_REDIS_URL``
where they are.
"""

import os
import subprocess
import sys
import time
import uuid
from pathlib import Path

import pytest
import redis
import sqlalchemy as sa
from hypothesis import HealthCheck, settings

from app import create_app
from competitions import models  # noqa: F401  (every table on the metadata before create_all)
from competitions.core.config import load_config
from competitions.core.db import db

# Property tests assert outcomes only: on a busy 2-core machine generating an example may take
# longer than Hypothesis's wall-clock health check and deadline allow, which says nothing about
# the rule under test.
settings.register_profile(
    "outcomes", deadline=None, suppress_health_check=[HealthCheck.too_slow], print_blob=True
)
settings.load_profile("outcomes")

POSTGRES_ADMIN_URL = os.environ.get(
    "JINGSAI_TEST_POSTGRES_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/test"
)
REDIS_URL = os.environ.get("JINGSAI_TEST_REDIS_URL", "redis://127.0.0.1:6379/14")
BACKENDS = [b for b in os.environ.get("JINGSAI_TEST_BACKENDS", "sqlite,postgresql").split(",") if b]
#: The keys of test apps and of the worker processes they share with (production needs both).
TEST_KEYS = {
    "SECRET_KEY": "test",
    "JINGSAI_CERT_KEY": "test-certificates",
    "JINGSAI_AUDIT_KEY": "test-audit",
    "JINGSAI_DATA_KEY": "test-data",
    "JINGSAI_INDEX_KEY": "test-index",
}
#: One database per run, so two runs on one server do not collide.
TEST_DB = f"jingsai_test_{os.getpid()}"


def postgres_url(database: str) -> str:
    """The test server's URL for another database."""
    return POSTGRES_ADMIN_URL.rsplit("/", 1)[0] + "/" + database


@pytest.fixture(scope="session")
def postgres_test_url():
    """A fresh PostgreSQL database for this run, with the schema created from the models."""
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    try:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {TEST_DB} WITH (FORCE)"))
            conn.execute(sa.text(f"CREATE DATABASE {TEST_DB}"))
    except sa.exc.OperationalError as err:
        pytest.fail(f"PostgreSQL is not reachable at {POSTGRES_ADMIN_URL}: {err}", pytrace=False)
    finally:
        admin.dispose()
    url = postgres_url(TEST_DB)
    engine = sa.create_engine(url)
    db.metadata.create_all(engine)
    engine.dispose()
    yield url
    admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(sa.text(f"DROP DATABASE IF EXISTS {TEST_DB} WITH (FORCE)"))
    admin.dispose()


@pytest.fixture(scope="session")
def redis_url():
    """The test Redis database, emptied; fails the tests when Redis is unreachable."""
    client = redis.Redis.from_url(REDIS_URL)
    try:
        client.flushdb()
    except redis.exceptions.ConnectionError as err:
        pytest.fail(f"Redis is not reachable at {REDIS_URL}: {err}", pytrace=False)
    return REDIS_URL


def base_config(tmp_path, database_url: str) -> dict:
    """A test app's settings: its own database and files; CSRF off unless a test turns it on."""
    instance = tmp_path / "instance"
    return {
        "TESTING": True,
        "SECRET_KEY": TEST_KEYS["SECRET_KEY"],
        "CERT_KEY": TEST_KEYS["JINGSAI_CERT_KEY"],
        "AUDIT_KEY": TEST_KEYS["JINGSAI_AUDIT_KEY"],
        "DATA_KEY": TEST_KEYS["JINGSAI_DATA_KEY"],
        "INDEX_KEY": TEST_KEYS["JINGSAI_INDEX_KEY"],
        "WTF_CSRF_ENABLED": False,
        "SQLALCHEMY_DATABASE_URI": database_url,
        "INSTANCE_DIR": str(instance),
        # Tasks queued by a test without a worker land in the test's own broker, not a dev's.
        "CELERY": load_config({"JINGSAI_INSTANCE": str(instance)})["CELERY"],
        # Rate limits are tested on their own, with Redis (tests/publication/test_lookup.py).
        "RATELIMIT_ENABLED": False,
    }


def _empty_tables(engine) -> None:
    """Remove every row (PostgreSQL fixtures share one database across tests)."""
    names = ", ".join(f'"{t.name}"' for t in db.metadata.sorted_tables)
    with engine.begin() as conn:
        conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def app(request, tmp_path):
    """The app on one backend, with an empty schema."""
    if request.param == "sqlite":
        config = base_config(tmp_path, f"sqlite:///{tmp_path / 'test.sqlite'}")
    else:
        config = base_config(tmp_path, request.getfixturevalue("postgres_test_url"))
    config.update(getattr(request, "param_config", {}))
    app = create_app(config)
    with app.app_context():
        if request.param == "sqlite":
            db.create_all()
        yield app
        db.session.remove()
        if request.param == "postgresql":
            _empty_tables(db.engine)
        db.engine.dispose()


@pytest.fixture
def client(app):
    """A test client of the app."""
    return app.test_client()


@pytest.fixture
def runner(app):
    """A CLI runner of the app."""
    return app.test_cli_runner()


@pytest.fixture
def login(client):
    """Log a user in by username (the factories' password, and the app's code for an account
    with a second factor)."""

    from tests.factories import log_in

    def do(username: str):
        response = log_in(client, username)
        assert response.status_code == 302, response.get_data(as_text=True)
        return client

    return do


ROOT = Path(__file__).resolve().parents[1]


@pytest.fixture(scope="session")
def worker_env(postgres_test_url, redis_url, tmp_path_factory):
    """A real Celery worker process on Redis and the test PostgreSQL database, for the session.

    Yields the environment it runs with; tests build their app from the same environment.
    """
    instance = tmp_path_factory.mktemp("worker-instance")
    env = {
        **os.environ,
        "DATABASE_URL": postgres_test_url,
        "REDIS_URL": redis_url,
        "JINGSAI_QUEUE": f"jingsai-test-{uuid.uuid4().hex[:8]}",
        "JINGSAI_INSTANCE": str(instance),
        **TEST_KEYS,
    }
    log_path = instance / "worker.log"
    with open(log_path, "wb") as log:
        proc = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "celery",
                "-A",
                "workers.worker",
                "worker",
                "--concurrency",
                "2",
                "--loglevel",
                "INFO",
                "-Q",
                env["JINGSAI_QUEUE"],
            ],
            cwd=ROOT,
            env=env,
            stdout=log,
            stderr=subprocess.STDOUT,
        )
    deadline = time.monotonic() + 60
    while b"ready." not in log_path.read_bytes():
        if proc.poll() is not None or time.monotonic() > deadline:
            proc.kill()
            pytest.fail(f"the Celery worker did not start:\n{log_path.read_text()}", pytrace=False)
        time.sleep(0.2)
    yield env
    proc.terminate()
    try:
        proc.wait(timeout=30)
    except subprocess.TimeoutExpired:
        proc.kill()


@pytest.fixture
def worker_app(worker_env, tmp_path):
    """The app on PostgreSQL whose tasks go to the session's real worker."""
    config = base_config(tmp_path, worker_env["DATABASE_URL"])
    config["CELERY"] = load_config(worker_env)["CELERY"]
    app = create_app(config)
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables(db.engine)
        db.engine.dispose()


def wait_for_job(job_id: str, timeout: float = 120):
    """Poll a job's status row until it ends; return it."""
    from competitions.core.jobs import Job

    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job is not None and job.state in ("succeeded", "failed"):
            return job
        time.sleep(0.1)
    raise AssertionError(f"job {job_id} did not finish within {timeout} s")


#: The ticked "I confirm" box of a confirmation step (publish, final, withdraw, certificates).
CONFIRM = {"confirm": "y"}
#: The chief judge's signature when locking: the factories' password retyped.
SIGNATURE = {"password": "secret-pass"}

"""A Celery worker killed (SIGKILL) in the middle of a recompute or a certificate batch.

The kill is made to land mid-work every time, not by luck: the test holds a row lock that the
task needs for its last write (the recompute's result set row, the certificate job's progress
row), waits until PostgreSQL shows the task's transaction waiting on it, and kills the worker
then, with the task's other writes made and not committed. (The lock is FOR NO KEY UPDATE: it
stops the row's update but not the inserts whose foreign keys point at the row.)

"pool" kills the process running the task (the worker's main process requeues it at once: the
tasks are acks_late with task_reject_on_worker_lost); "whole" kills the worker outright, so
nothing is acknowledged nor requeued, and Redis hands the task to the next worker once the
visibility timeout (JINGSAI_TASK_VISIBILITY_S) has passed.
"""

import time
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from competitions.certificates.models import Certificate
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.results.models import ResultSet
from competitions.results.services import compute
from tests import factories
from tests.certificates import world as certificate_world
from tests.conftest import CONFIRM, wait_for_job
from tests.faults import world as fw
from tests.faults.conftest import VISIBILITY_S, wait_until

pytestmark = pytest.mark.faults


def logged_in(app, username: str):
    client = app.test_client()
    response = factories.log_in(client, username, factories.PASSWORD)
    assert response.status_code == 302
    return client


def latest_job(kind: str) -> str:
    return db.session.scalar(select(Job.id).filter_by(kind=kind).order_by(Job.created_at.desc()))


class RowLock:
    """A transaction of the test's that holds a row lock until released."""

    def __init__(self, engine, statement: str, **params):
        self.conn = engine.connect()
        self.tx = self.conn.begin()
        self.conn.execute(sa.text(statement), params)

    def release(self) -> None:
        self.tx.rollback()
        self.conn.close()


def waiting_backends(engine, statement_start: str) -> list[int]:
    """PostgreSQL backends of this database waiting for a lock in a statement so begun."""
    with engine.connect() as conn:
        return list(
            conn.scalars(
                sa.text(
                    "SELECT pid FROM pg_stat_activity WHERE datname = current_database()"
                    " AND wait_event_type = 'Lock' AND query ILIKE :start"
                ),
                {"start": statement_start + "%"},
            )
        )


def gone(engine, pids: list[int]) -> bool:
    """Whether none of these backends is left (their transactions ended)."""
    with engine.connect() as conn:
        left = conn.scalar(
            sa.text("SELECT count(*) FROM pg_stat_activity WHERE pid = ANY(:pids)"),
            {"pids": pids},
        )
    return left == 0


@pytest.mark.parametrize("kill", ["pool", "whole"])
def test_a_worker_killed_in_the_middle_of_a_recompute(fault_app, engine, start_worker, kill):
    world = fw.build(entries=30)
    trade = world.trades[0]
    ct_id = trade.ct.id
    fw.score(world, trade, lambda n: Decimal(n % 20) / 2)
    fw.lock_and_compute(world, trade)
    before = fw.results(ct_id)
    version = db.session.get(ResultSet, ct_id).version
    # A correction turns the ranking round; the chief judge locks again.
    fw.unlock(world, trade)
    fw.score(world, trade, lambda n: Decimal(10) - Decimal(n % 20) / 2)
    fw.lock(world, trade)  # not computed here: the workers will

    worker = start_worker()
    lock_row = "SELECT 1 FROM result_set WHERE assessment_id = :ct FOR NO KEY UPDATE"
    hold = RowLock(engine, lock_row, ct=ct_id)
    client = logged_in(fault_app, "org")
    assert client.post(f"/contest-trades/{ct_id}/recompute").status_code == 302
    sent = time.monotonic()
    job_id = latest_job("recompute")
    # The task has replaced the rows in its transaction and waits to bump the version.
    waiting = wait_until(
        lambda: waiting_backends(engine, "UPDATE result_set"), 30, "the recompute never got there"
    )
    assert fw.results(ct_id) == before  # its writes are not visible: the old results are
    if kill == "pool":
        worker.kill_pool()  # the process running the task; the worker's main process lives
    else:
        worker.kill()  # all of it: nothing acknowledged, nothing requeued by the worker
    assert fw.results(ct_id) == before
    hold.release()
    wait_until(lambda: gone(engine, waiting), 30, "the killed task's transaction did not end")
    if kill == "whole":
        # Nothing runs now: the old results stand, the job has not ended.
        time.sleep(0.5)
        assert fw.results(ct_id) == before
        assert db.session.get(Job, job_id).state in ("pending", "running")
        # Redis gives the unacknowledged task to a new worker once the visibility timeout passes.
        time.sleep(max(0.0, sent + VISIBILITY_S + 0.5 - time.monotonic()))
        start_worker()
    job = wait_for_job(job_id, timeout=45)
    assert job.state == "succeeded", job.message
    after = fw.results(ct_id)
    assert after != before
    assert len(after) == len(trade.entries) == len({row[0] for row in after})
    # Computed exactly once more, and what a clean recompute gives.
    assert db.session.get(ResultSet, ct_id).version == version + 1
    compute.recompute([ct_id])
    db.session.commit()
    assert fw.results(ct_id) == after


GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


def test_a_worker_killed_in_the_middle_of_a_certificate_batch(
    fault_app, fault_env, engine, start_worker
):
    names = [s + g + h for s in "王李张刘陈杨黄赵吴周" for g in GIVEN[:5] for h in GIVEN[5:10]]
    names = names[:230]
    awards = ["first"] * 23 + ["second"] * 46 + ["third"] * 69 + ["mention"] * 62 + [None] * 30
    world = certificate_world.build(names=names, awards=awards)
    wanted = 200 + 1 + 1  # individual awards, the team, the honour
    worker = start_worker()
    client = logged_in(fault_app, "org")

    def issued() -> int:
        with engine.connect() as conn:
            return conn.scalar(select(func.count()).select_from(Certificate))

    lock_row = "SELECT 1 FROM job WHERE id = :id FOR NO KEY UPDATE"

    def progress_waits() -> list[int]:
        """The chunks' transactions waiting to count their progress (20 PDFs written and their
        rows flushed, not committed)."""
        return wait_until(lambda: waiting_backends(engine, "UPDATE job"), 30, "never got there")

    assert (
        client.post(f"/contests/{world.contest.id}/certificates/issue", data=CONFIRM).status_code
        == 302
    )
    sent = time.monotonic()
    job_id = latest_job("certificates")
    hold = RowLock(engine, lock_row, id=job_id)
    waiting = progress_waits()
    while issued() == 0:  # let the running chunks commit their first 20, stop them at the next
        hold.release()
        hold = RowLock(engine, lock_row, id=job_id)
        waiting = progress_waits()
    committed = issued()
    assert 20 <= committed < wanted
    worker.kill()
    hold.release()
    wait_until(lambda: gone(engine, waiting), 30, "the killed tasks' transactions did not end")
    time.sleep(0.5)
    assert issued() == committed  # the certificates committed before the kill stay, no more
    assert db.session.get(Job, job_id).state in ("pending", "running")

    time.sleep(max(0.0, sent + VISIBILITY_S + 0.5 - time.monotonic()))
    start_worker()
    job = wait_for_job(job_id, timeout=45)
    assert job.state == "succeeded", job.message
    # Issuing again (the organiser's re-run) finds nothing left to do.
    assert (
        client.post(f"/contests/{world.contest.id}/certificates/issue", data=CONFIRM).status_code
        == 302
    )
    again = wait_for_job(latest_job("certificates"), timeout=45)
    assert again.state == "succeeded" and again.total == 0 and again.result["kept"] == wanted

    db.session.expire_all()
    certificates = db.session.scalars(select(Certificate)).all()
    assert len(certificates) == wanted and {c.state for c in certificates} == {"valid"}
    assert len({c.number for c in certificates}) == wanted
    assert len({(c.assessment_id, c.subject) for c in certificates}) == wanted
    storage = Path(fault_env["CERT_STORAGE_DIR"])
    for c in certificates:
        assert (storage / c.file_path).read_bytes().startswith(b"%PDF"), c.file_path
    on_disk = {str(p.relative_to(storage)) for p in storage.glob("*/*/*") if p.is_file()}
    assert on_disk == {c.file_path for c in certificates}  # no stray or half-written file

"""A task delivered twice does no harm: the same message (same task id, same arguments) run
again by the real worker leaves the same rows, no duplicates, and the job's counts sane."""

import uuid
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from competitions.certificates import services as certificate_services
from competitions.certificates.models import Certificate
from competitions.certificates.tasks import finish_issue, issue_chunk
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.results import services as results_services
from competitions.results.models import Honour, ResultSet, TeamResult
from competitions.results.tasks import finish_recompute, recompute_chunk
from tests.certificates import world as certificate_world
from tests.faults import world as fw

pytestmark = pytest.mark.faults


def deliver(task, *args, task_id: str):
    """Send the task's message and wait for the worker to run it; returns its result."""
    result = task.apply_async(args, task_id=task_id)
    value = result.get(timeout=60)
    result.forget()  # so that the next delivery of the same id is waited for afresh
    return value


def job(job_id: str) -> Job:
    db.session.expire_all()
    return db.session.get(Job, job_id)


def counts(model, ct_ids) -> int:
    # Team results and honours are a contest-trade's; certificates an assessment's (its id).
    column = getattr(model, "contest_trade_id", None) or model.assessment_id
    return db.session.scalar(select(func.count()).select_from(model).where(column.in_(ct_ids)))


def test_a_recompute_delivered_twice(fault_app, start_worker):
    world = fw.build(trades=2, entries=12)
    for trade in world.trades:
        fw.score(world, trade, lambda n: Decimal(n % 7))
        fw.lock(world, trade)
    ct_ids = [t.ct.id for t in world.trades]
    started = results_services.start_recompute(ct_ids, world.organiser.id, world.contest.id)
    db.session.commit()
    start_worker()

    chunk_id = str(uuid.uuid4())
    first = deliver(recompute_chunk, started.id, ct_ids, task_id=chunk_id)
    once = {ct_id: fw.results(ct_id) for ct_id in ct_ids}
    teams, honours = counts(TeamResult, ct_ids), counts(Honour, ct_ids)
    second = deliver(recompute_chunk, started.id, ct_ids, task_id=chunk_id)
    assert second == first == {}
    assert {ct_id: fw.results(ct_id) for ct_id in ct_ids} == once
    for ct_id in ct_ids:
        rows = once[ct_id]
        assert len(rows) == 12 == len({row[0] for row in rows})
    assert (counts(TeamResult, ct_ids), counts(Honour, ct_ids)) == (teams, honours)

    finish_id = str(uuid.uuid4())
    for _ in range(2):
        deliver(finish_recompute, [first, second], started.id, ct_ids, task_id=finish_id)
        ended = job(started.id)
        assert (ended.state, ended.done, ended.total, ended.percent) == ("succeeded", 2, 2, 100)
    # Each delivery was a full recompute of the same marks: the version says how many ran.
    assert {db.session.get(ResultSet, ct_id).version for ct_id in ct_ids} == {2}


def test_a_certificate_chunk_delivered_twice(fault_app, fault_env, start_worker):
    world = certificate_world.build()
    ct_ids = [world.ct.id]
    certificate_services.design_of(world.contest)
    started, chunks = certificate_services.start_issue(world.contest.id, ct_ids, None)
    db.session.commit()
    assert len(chunks) == 1
    wanted = len(chunks[0])
    start_worker()

    chunk_id, finish_id = str(uuid.uuid4()), str(uuid.uuid4())
    assert deliver(issue_chunk, started.id, chunks[0], task_id=chunk_id) == wanted
    numbers = set(db.session.scalars(select(Certificate.number)))
    assert deliver(issue_chunk, started.id, chunks[0], task_id=chunk_id) == 0  # all there
    db.session.expire_all()
    assert set(db.session.scalars(select(Certificate.number))) == numbers
    assert counts(Certificate, ct_ids) == wanted == len(numbers)
    for _ in range(2):
        deliver(finish_issue, [wanted, 0], started.id, ct_ids, task_id=finish_id)
        ended = job(started.id)
        assert (ended.state, ended.done, ended.total) == ("succeeded", wanted, wanted)
        assert ended.result["issued"] == wanted and ended.result["valid"] == wanted
        assert {f.role for f in ended.files} == {"zip", "register"}  # replaced, not added


def test_a_chunk_delivered_again_after_its_job_ended(fault_app, start_worker):
    """Redis redelivers a chunk whose worker died after running it but before acknowledging it:
    the copy may run after the chord has finished the job; the job stays ended and whole."""
    world = fw.build(trades=1, entries=5)
    trade = world.trades[0]
    fw.score(world, trade, lambda n: Decimal(n % 7))
    fw.lock(world, trade)
    ct_ids = [trade.ct.id]
    started = results_services.start_recompute(ct_ids, world.organiser.id, world.contest.id)
    db.session.commit()
    start_worker()
    chunk_id = str(uuid.uuid4())
    first = deliver(recompute_chunk, started.id, ct_ids, task_id=chunk_id)
    deliver(finish_recompute, [first], started.id, ct_ids, task_id=str(uuid.uuid4()))
    rows = fw.results(trade.ct.id)
    deliver(recompute_chunk, started.id, ct_ids, task_id=chunk_id)
    ended = job(started.id)
    assert (ended.state, ended.done, ended.total, ended.percent) == ("succeeded", 1, 1, 100)
    assert fw.results(trade.ct.id) == rows

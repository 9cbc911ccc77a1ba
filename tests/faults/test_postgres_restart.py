"""PostgreSQL restarted (``pg_ctl restart -m fast``) while judges save marks, the public reads
and looks up results, and results are recomputed: requests caught in flight fail cleanly (a
500, their transaction rolled back), every request begun after the restart succeeds (the pool
pings a connection before lending it), and no row is half-written."""

import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial

import pytest
from sqlalchemy import func, select

from competitions.core.db import db
from competitions.judging.models import Mark, MarkChange
from competitions.publication import services as publication
from competitions.results import compute
from competitions.results.models import Result, ResultSet
from tests import factories
from tests.faults import world as fw

pytestmark = pytest.mark.faults
ENTRIES = 40


@dataclass
class Log:
    """What one client did: (began, ended, answer) per request; answer is the status code or
    the exception's name."""

    calls: list = field(default_factory=list)

    def timed(self, call, attribute: str = "", found: int = 200):
        """Make one call; its answer is ``call().<attribute>``, ``found`` counting as 200."""
        began = time.monotonic()
        try:
            answer = call()
            answer = getattr(answer, attribute) if attribute else answer
        except Exception as error:  # recorded, then judged by the test
            answer = type(error).__name__
        answer = 200 if answer == found else answer
        self.calls.append((began, time.monotonic(), answer))
        return answer


def logged_in(app, username: str):
    client = app.test_client()
    response = client.post("/login", data={"username": username, "password": factories.PASSWORD})
    assert response.status_code == 302
    return client


def test_postgresql_restarted_under_load(fault_app, private_postgres):
    world = fw.build(trades=2, entries=ENTRIES)
    marking, computed = world.trades
    fw.score(world, marking, lambda n: Decimal(5))
    fw.score(world, computed, lambda n: Decimal(n % 10))
    fw.lock_and_compute(world, computed)
    result_set = db.session.get(ResultSet, computed.ct.id)
    assert publication.publish(computed.ct, result_set, datetime(2018, 5, 20, 9, 0)) is None
    db.session.commit()
    fault_app.config["LOOKUP_RATE_LIMIT"] = "100000 per minute"
    # The threads get plain values: the ORM objects belong to this thread's session.
    ct_id, marking_id = computed.ct.id, marking.ct.id
    judges = {j.id: j.username for j in world.judges}
    clients = {judge_id: logged_in(fault_app, name) for judge_id, name in judges.items()}
    cells = [
        (e.id, marking.codes[e.id], i.id, i.step) for e in marking.entries for i in marking.items
    ]
    item_ids = [i.id for i in marking.items]
    person = computed.entries[0].person
    form = {"id_number": person.id_number, "name": person.name}
    db.session.close()  # no connection of this thread's is open across the restart
    stop = threading.Event()
    logs: dict[str, Log] = {}
    crashed: list[BaseException] = []
    #: per judge: (entry, item) → the last value answered 200, and the cells of unknown outcome
    saved: dict[int, dict] = {judge_id: {} for judge_id in judges}
    unsure: dict[int, set] = {judge_id: set() for judge_id in judges}

    def guarded(target):
        def run(*args):
            try:
                target(*args)
            except BaseException as error:  # the test fails with it below
                crashed.append(error)

        return run

    @guarded
    def judge(judge_id):
        client, log = clients[judge_id], Log()
        logs[judges[judge_id]] = log
        for turn in itertools.count():
            if stop.is_set():
                return
            entry_id, code, item_id, step = cells[turn % len(cells)]
            value = str(Decimal(3 + turn // len(cells) % 2) + step)  # changes every round
            body = {"code": code, "item": item_id, "value": value}
            answer = log.timed(
                partial(client.post, f"/marking/{marking_id}/scores", json=body), "status_code"
            )
            if answer == 200:
                saved[judge_id][(entry_id, item_id)] = Decimal(value)
                unsure[judge_id].discard((entry_id, item_id))
            else:
                unsure[judge_id].add((entry_id, item_id))

    @guarded
    def reader():
        client, log = fault_app.test_client(), Log()
        logs["public"] = log
        while not stop.is_set():
            log.timed(partial(client.get, f"/results/trades/{ct_id}"), "status_code")
            log.timed(partial(client.post, "/my-result", data=form), "status_code", found=302)

    recomputes = {"ok": 0, "failed": 0}

    def once():
        with fault_app.app_context():
            try:
                compute.recompute([ct_id])
                db.session.commit()
            except Exception:
                recomputes["failed"] += 1
                raise
            finally:
                db.session.remove()
            recomputes["ok"] += 1
            return 200

    @guarded
    def recomputer():
        log = logs.setdefault("recompute", Log())
        while not stop.is_set():
            log.timed(once)

    threads = [threading.Thread(target=judge, args=(judge_id,)) for judge_id in judges]
    threads += [threading.Thread(target=reader), threading.Thread(target=recomputer)]
    for thread in threads:
        thread.start()
    time.sleep(1.5)
    down = time.monotonic()
    private_postgres.restart()
    up = time.monotonic()
    time.sleep(2.5)
    stop.set()
    for thread in threads:
        thread.join(timeout=30)

    assert not crashed, crashed
    calls = [call for log in logs.values() for call in log.calls]
    caught = [c for c in calls if c[0] < up and c[1] > down]  # in flight during the restart
    after = [c for c in calls if c[0] > up]
    assert len(logs) == 5 and caught and len(after) > 20
    # In flight: a clean 500 (or, for the in-process recompute, a database error) or done;
    # dozens of requests are cut each time.
    answers = {c[2] for c in caught}
    assert 500 in answers and answers <= {200, 500, "OperationalError"}, caught
    # Everything begun after the restart succeeded, on every client.
    assert {c[2] for c in after} == {200}
    assert {name for name, log in logs.items() if any(c[0] > up for c in log.calls)} == set(logs)

    db.session.expire_all()
    # Every confirmed save is there; every mark has its audit row, the last one its value.
    marks = {
        (m.entry_id, m.item_id, m.judge_id): m.value
        for m in db.session.scalars(select(Mark).where(Mark.item_id.in_(item_ids)))
    }
    for judge_id, confirmed in saved.items():
        for (entry_id, item_id), value in confirmed.items():
            if (entry_id, item_id) not in unsure[judge_id]:
                assert marks[(entry_id, item_id, judge_id)] == value
    last_change = {}
    for change in db.session.scalars(select(MarkChange).order_by(MarkChange.id)):
        last_change[(change.entry_id, change.item_id, change.judge_id)] = change.new_value
    assert {k: v for k, v in last_change.items() if k in marks} == marks
    # The recompute is whole or absent: one row per entry, as a clean recompute writes them.
    rows = fw.results(ct_id)
    assert len(rows) == ENTRIES == len({r[0] for r in rows})
    version = db.session.get(ResultSet, ct_id).version
    assert 1 + recomputes["ok"] <= version <= 1 + recomputes["ok"] + recomputes["failed"]
    assert db.session.scalar(select(func.count()).select_from(Result)) == ENTRIES
    compute.recompute([ct_id])
    db.session.commit()
    assert fw.results(ct_id) == rows

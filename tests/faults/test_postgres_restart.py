"""PostgreSQL restarted (``pg_ctl restart -m fast``) while judges save marks, the public reads
and looks up results, and results are recomputed: requests caught in flight fail cleanly (a
500, their transaction rolled back) or finish, every request begun after the restart succeeds
(the pool pings a connection before lending it), and no row is half-written.

The clients' progress, not the clock, paces the test: the restart comes once every client has
answered a few requests, and the test stops once every client has answered a few more begun
after it. Whether a request happens to be in flight at the moment of the restart depends on the
machine's load, so the test makes sure of it: before the restart it holds a lock on the marks
table until PostgreSQL shows a judge's save waiting for it, so that save is in flight when every
connection is cut.
"""

import contextlib
import itertools
import threading
import time
from dataclasses import dataclass, field
from datetime import datetime
from decimal import Decimal
from functools import partial

import pytest
import sqlalchemy as sa
from sqlalchemy import func, select

from competitions.core.db import db
from competitions.judging.models import Mark, MarkChange
from competitions.publication import services as publication
from competitions.results.models import Result, ResultSet
from competitions.results.services import compute
from tests import factories
from tests.faults import world as fw

pytestmark = pytest.mark.faults
ENTRIES = 40


#: Requests each client answers before the restart, and after it, before the test stops.
WARM, AFTER = 3, 5
#: Signalled whenever any client finishes a request.
PROGRESS = threading.Condition()


@dataclass
class Log:
    """What one client did: (began, ended, answer) per request; answer is the status code or
    the exception's name."""

    calls: list = field(default_factory=list)

    def count(self, since: float = 0.0) -> int:
        """Requests begun after ``since`` (a ``time.monotonic()`` value) that have ended."""
        return sum(1 for began, _, _ in list(self.calls) if began > since)

    def timed(self, call, attribute: str = "", found: int = 200):
        """Make one call; its answer is ``call().<attribute>``, ``found`` counting as 200."""
        began = time.monotonic()
        try:
            answer = call()
            answer = getattr(answer, attribute) if attribute else answer
        except Exception as error:  # recorded, then judged by the test
            answer = type(error).__name__
        answer = 200 if answer == found else answer
        with PROGRESS:
            self.calls.append((began, time.monotonic(), answer))
            PROGRESS.notify_all()
        return answer


def wait_until(ready, crashed: list, what: str) -> None:
    """Wait until ``ready()`` holds or a client crashed; a generous guard fails a hang."""
    with PROGRESS:
        done = PROGRESS.wait_for(lambda: crashed or ready(), timeout=600)
    assert done and not crashed, (what, crashed)


def hold_marks_until_a_save_waits(url: str):
    """Lock the marks table in a transaction left open, and return once another session waits
    for that lock (a judge's save in flight). The restart then cuts both; call the function
    returned to let go of the cut connection."""
    engine = sa.create_engine(url, poolclass=sa.pool.NullPool)
    holder = engine.connect()
    holder.begin()
    holder.execute(sa.text(f'LOCK TABLE "{Mark.__table__.name}" IN ACCESS EXCLUSIVE MODE'))
    waiting = sa.text(
        "SELECT count(*) FROM pg_stat_activity WHERE wait_event_type = 'Lock' AND pid <> :me"
    )
    me = holder.execute(sa.text("SELECT pg_backend_pid()")).scalar()
    with engine.connect() as watcher:
        for _ in range(12_000):  # a guard against a hang (10 minutes), checked below
            if watcher.execute(waiting, {"me": me}).scalar():
                break
            time.sleep(0.05)  # polling a condition PostgreSQL reports, not a pause for time
        else:
            raise AssertionError("no request ever waited for the marks table")

    def release():
        with contextlib.suppress(sa.exc.DBAPIError):  # the restart cut it, as intended
            holder.close()
        engine.dispose()

    return release


def logged_in(app, username: str):
    client = app.test_client()
    response = factories.log_in(client, username, factories.PASSWORD)
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
    form = {"id_number": person.id_number, "name": person.name, "agree": "y"}
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
    clients = len(threads)
    wait_until(
        lambda: len(logs) == clients and all(log.count() >= WARM for log in logs.values()),
        crashed,
        "every client answered before the restart",
    )
    release = hold_marks_until_a_save_waits(fault_app.config["SQLALCHEMY_DATABASE_URI"])
    down = time.monotonic()
    private_postgres.restart()
    up = time.monotonic()
    release()
    wait_until(
        lambda: all(log.count(since=up) >= AFTER for log in logs.values()),
        crashed,
        "every client answered after the restart",
    )
    stop.set()
    for thread in threads:
        thread.join(timeout=120)  # a guard against a hang, checked next
    assert not [thread for thread in threads if thread.is_alive()], "a client never stopped"

    assert not crashed, crashed
    calls = [call for log in logs.values() for call in log.calls]
    caught = [c for c in calls if c[0] < up and c[1] > down]  # in flight during the restart
    after = [c for c in calls if c[0] > up]
    assert len(logs) == 5 and len(after) >= 5 * AFTER
    # In flight: a clean 500 (or, for the in-process recompute, a database error) or done;
    # the save held at the lock is among them.
    answers = {c[2] for c in caught}
    assert 500 in answers and answers <= {200, 500, "OperationalError"}, caught
    # Everything begun after the restart succeeded, on every client.
    assert {c[2] for c in after} == {200}
    assert {name for name, log in logs.items() if any(c[0] > up for c in log.calls)} == set(logs)

    db.session.expire_all()
    # Every confirmed save is there; every mark has its audit row, the last one its value.
    marks = {
        (m.subject_id, m.item_id, m.judge_id): m.value
        for m in db.session.scalars(select(Mark).where(Mark.item_id.in_(item_ids)))
    }
    for judge_id, confirmed in saved.items():
        for (entry_id, item_id), value in confirmed.items():
            if (entry_id, item_id) not in unsure[judge_id]:
                assert marks[(entry_id, item_id, judge_id)] == value
    last_change = {}
    for change in db.session.scalars(select(MarkChange).order_by(MarkChange.id)):
        last_change[(change.subject_id, change.item_id, change.judge_id)] = change.new_value
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

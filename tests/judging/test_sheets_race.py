"""Double entry under real concurrency on PostgreSQL: two clerks' requests at the same moment.

Each request runs in its own thread with its own app context and database session, as in the
running app; a barrier releases both at once, round after round.
"""

import threading

import pytest
from sqlalchemy import func, select

from competitions.core.db import db
from competitions.judging.models import Mark, MarkChange, ScoreSheet
from tests.judging.test_sheets import FIRST, client_of, fields, make_world, post

ROUNDS = 20
CHANGED = {**FIRST, "M1": "9.5"}
CODES = tuple(str(5000 + n) for n in range(ROUNDS))

pytestmark = pytest.mark.parametrize("app", ["postgresql"], indirect=True)


def race(*calls):
    """Run the calls in threads released together; their responses, or what they raised."""
    barrier = threading.Barrier(len(calls))
    results = [None] * len(calls)

    def run(i, call):
        barrier.wait()
        try:
            results[i] = call()
        except Exception as err:  # an exception here is what a 500 would be in production
            results[i] = err

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for t in threads:
        t.start()
    for t in threads:
        t.join(timeout=120)  # a guard against a hang, checked below: not a measure of speed
    assert not [t for t in threads if t.is_alive()], "a request never returned (a deadlock)"
    for result in results:
        assert not isinstance(result, Exception), repr(result)
    return results


def start_sheets(app, w, codes):
    """Clerk 1 types the first entry of every round's sheet; {code: (sheet id, entry id)}."""
    clerk1 = client_of(app, "clerk1")
    for code in codes:
        url = f"/contest-trades/{w.ct.id}/sheets/new?code={code}&judge={w.judge1.id}"
        assert post(clerk1, url, fields(w, FIRST)).status_code == 302
    rows = db.session.execute(select(ScoreSheet.id, ScoreSheet.subject_id)).all()
    by_entry = {entry.id: code for code, entry in w.entries.items()}
    sheets = {by_entry[row.subject_id]: (row.id, row.subject_id) for row in rows}
    db.session.commit()  # the test's own session holds nothing while the clerks race
    return clerk1, sheets


def state_of(sheet_id: int, entry_id: int):
    """The sheet as stored now, and its judge's marks written from sheets."""
    db.session.expire_all()
    sheet = db.session.get(ScoreSheet, sheet_id)
    marks = db.session.scalars(select(Mark).filter_by(subject_id=entry_id, source="sheet")).all()
    result = sheet.state, dict(sheet.first_values), {m.item_id: m.value for m in marks}
    db.session.commit()
    return result


def test_a_correction_racing_a_confirmation_never_confirms_the_stale_entry(app):
    w = make_world(codes=CODES)
    clerk1, sheets = start_sheets(app, w, CODES)
    clerk2 = client_of(app, "clerk2")
    first, changed = fields(w, FIRST, 1), fields(w, CHANGED, 1)
    stored_changed = {k.removeprefix("item_"): v for k, v in fields(w, CHANGED).items()}
    base = f"/contest-trades/{w.ct.id}/sheets"
    wins = {"edit": 0, "confirm": 0}
    for code in CODES:
        sheet_id, entry_id = sheets[code]
        edit, confirm = race(
            lambda s=sheet_id: clerk1.post(f"{base}/{s}/edit", data=changed),
            lambda s=sheet_id: clerk2.post(f"{base}/{s}/second", data=first),
        )
        assert sorted([edit.status_code, confirm.status_code]) == [302, 409], code
        state, first_values, marks = state_of(sheet_id, entry_id)
        if edit.status_code == 302:
            wins["edit"] += 1
            assert state == "typed" and first_values == stored_changed and marks == {}
        else:
            wins["confirm"] += 1
            assert state == "confirmed" and len(marks) == 3
            assert "the sheet changed while you typed" in edit.get_data(as_text=True) or (
                "confirmed already" in edit.get_data(as_text=True)
            )
    assert sum(wins.values()) == ROUNDS


def test_two_confirmations_at_once_write_the_marks_once(app):
    w = make_world(codes=CODES[:8])
    _, sheets = start_sheets(app, w, CODES[:8])
    clerk2, clerk3 = client_of(app, "clerk2"), client_of(app, "clerk3")
    first = fields(w, FIRST, 1)
    base = f"/contest-trades/{w.ct.id}/sheets"
    for code in CODES[:8]:
        sheet_id, entry_id = sheets[code]
        a, b = race(
            lambda s=sheet_id: clerk2.post(f"{base}/{s}/second", data=first),
            lambda s=sheet_id: clerk3.post(f"{base}/{s}/second", data=first),
        )
        # One confirms. The other is refused when it overlaps (409), or, when it comes after
        # the commit, is sent to the sheet that says it is confirmed already (302): either
        # way it writes nothing, which the count of changes below shows.
        assert sorted([a.status_code, b.status_code]) in ([302, 302], [302, 409]), code
        state, _, marks = state_of(sheet_id, entry_id)
        assert state == "confirmed" and len(marks) == 3
        changes = db.session.scalar(
            select(func.count()).select_from(MarkChange).filter_by(subject_id=entry_id)
        )
        db.session.commit()
        assert changes == 3  # one confirmation, not two


def test_two_clerks_starting_the_same_sheet_at_once_make_one_sheet(app):
    w = make_world(codes=CODES[:8])
    clerk1, clerk2 = client_of(app, "clerk1"), client_of(app, "clerk2")
    db.session.commit()
    data = fields(w, FIRST)
    base = f"/contest-trades/{w.ct.id}/sheets/new?judge={w.judge1.id}&code="
    for code in CODES[:8]:
        a, b = race(
            lambda c=code: clerk1.post(base + c, data=data),
            lambda c=code: clerk2.post(base + c, data=data),
        )
        assert sorted([a.status_code, b.status_code]) == [200, 302], code
        refused = a if a.status_code == 200 else b
        assert "a sheet for this entry and judge exists already" in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(ScoreSheet)) == 8

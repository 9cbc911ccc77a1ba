"""Two-layer encryption (二次加密) through the pages, on SQLite and PostgreSQL: the organiser
turns it on; one encryption officer draws the check-in numbers (检录号), another the secret
codes (密号) that judges mark; each reads only their own layer; the same officer is refused the
other layer; the organiser sees neither before the lock and decodes after it, step by step,
each look logged."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import delete, func, select
from sqlalchemy.exc import IntegrityError

from competitions.accounts.models import User
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.judging.models import (
    CheckInNumber,
    CodeReveal,
    EncryptionDraw,
    Mark,
    MarkingLock,
    SubjectCode,
    TwoLayerEncryption,
)
from tests import factories as f
from tests.judging.marking_world import build

OFFICERS = ("cipher1", "cipher2", "cipher3")


def _world():
    """The marking world without its codes (not drawn yet), three encryption officers, and
    two-layer encryption off."""
    w = build()
    db.session.execute(delete(SubjectCode).where(SubjectCode.assessment_id == w.ct.id))
    for name in OFFICERS:
        f.grant(f.user(name), w.ct.contest, "encryption_officer")
    db.session.commit()
    return w


def _user_id(username: str) -> int:
    return db.session.scalar(select(User.id).filter_by(username=username))


def _as(app, username):
    client = app.test_client()
    assert f.log_in(client, username).status_code == 302
    client.get("/lang/en")
    return client


def _count(model, ct_id) -> int:
    db.session.expire_all()
    return db.session.scalar(select(func.count()).where(model.assessment_id == ct_id))


def _numbers(ct_id) -> dict[int, str]:
    db.session.expire_all()
    rows = select(CheckInNumber.subject_id, CheckInNumber.number).filter_by(assessment_id=ct_id)
    return dict(db.session.execute(rows).all())


def _codes(ct_id) -> dict[int, str]:
    db.session.expire_all()
    rows = select(SubjectCode.subject_id, SubjectCode.code).filter_by(assessment_id=ct_id)
    return dict(db.session.execute(rows).all())


def _turn_on(app, w):
    org = _as(app, "org")
    answer = org.post(f"/contest-trades/{w.ct.id}/encryption", data={"enabled": "y"})
    assert answer.status_code == 303
    return org


def _both_layers(app, w):
    """Two-layer encryption on, cipher1 drew the first layer, cipher2 the second."""
    org = _turn_on(app, w)
    first, second = _as(app, "cipher1"), _as(app, "cipher2")
    assert first.post(f"/contest-trades/{w.ct.id}/encryption/first/draw").status_code == 303
    assert second.post(f"/contest-trades/{w.ct.id}/encryption/second/draw").status_code == 303
    return org, first, second


def test_the_organiser_turns_it_on_and_can_no_longer_draw_in_one_step(app):
    w = _world()
    org = _turn_on(app, w)
    db.session.expire_all()
    assert db.session.get(TwoLayerEncryption, w.ct.id).enabled is True
    page = org.post(f"/contest-trades/{w.ct.id}/codes/draw", follow_redirects=True)
    assert "two-layer encryption is on: the encryption officers draw the codes" in page.text
    assert _count(SubjectCode, w.ct.id) == 0
    codes_page = org.get(f"/contest-trades/{w.ct.id}/codes").text
    assert 'id="two-layer"' in codes_page and "codes/draw" not in codes_page
    logged = db.session.scalars(select(AuditLog).filter_by(entity="two_layer_encryption")).all()
    assert [log.action for log in logged] == ["create"]


def test_two_officers_each_draw_and_read_only_their_own_layer(app):
    w = _world()
    _turn_on(app, w)
    first, second, third = (_as(app, name) for name in OFFICERS)
    base = f"/contest-trades/{w.ct.id}/encryption"

    # The second layer waits for the first.
    page = second.post(f"{base}/second/draw", follow_redirects=True).text
    assert "the first layer (the check-in numbers) is not drawn yet" in page
    assert _count(SubjectCode, w.ct.id) == 0

    page = first.post(f"{base}/first/draw", follow_redirects=True).text
    assert "3 numbers drawn." in page
    numbers = _numbers(w.ct.id)
    assert sorted(numbers) == sorted(e.id for e in w.entries)
    assert len(set(numbers.values())) == 3
    for entry in w.entries:  # name → 检录号, on the page after reload
        assert entry.person.name in first.get(f"{base}/first").text
        assert f">{numbers[entry.id]}<" in first.get(f"{base}/first").text

    # The same officer is refused the second layer, with the reason, and nothing is saved.
    refused = first.post(f"{base}/second/draw")
    assert refused.status_code == 403
    assert "you drew the first layer (the check-in numbers)" in refused.text
    assert first.get(f"{base}/second").status_code == 403
    assert first.get(f"{base}/second.xlsx").status_code == 403
    assert _count(SubjectCode, w.ct.id) == 0
    assert db.session.get(TwoLayerEncryption, w.ct.id).second_officer_id is None

    # Another officer draws the second layer: 检录号 → 密号, never a name.
    assert second.post(f"{base}/second/draw").status_code == 303
    codes = _codes(w.ct.id)
    assert sorted(codes) == sorted(numbers)
    assert not set(codes.values()) & set(numbers.values())  # a 检录号 never reads as a 密号
    page = second.get(f"{base}/second").text
    for entry in w.entries:
        assert f"<td>{numbers[entry.id]}</td><td>{codes[entry.id]}</td>" in page
        assert entry.person.name not in page
    book = load_workbook(io.BytesIO(second.get(f"{base}/second.xlsx").data))
    cells = {str(v) for row in book.active.iter_rows(values_only=True) for v in row}
    assert set(codes.values()) <= cells and not {e.person.name for e in w.entries} & cells

    # Neither officer reads the other's layer; a third reads neither.
    assert second.get(f"{base}/first").status_code == 403
    assert second.get(f"{base}/first.xlsx").status_code == 403
    for path in ("first", "second", "first.xlsx", "second.xlsx"):
        answer = third.get(f"{base}/{path}")
        assert answer.status_code == 403
        assert "another encryption officer drew this layer" in answer.text
    assert not any(code in first.get(f"{base}/first").text for code in codes.values())
    book = load_workbook(io.BytesIO(first.get(f"{base}/first.xlsx").data))
    cells = {str(v) for row in book.active.iter_rows(values_only=True) for v in row}
    assert {e.person.name for e in w.entries} <= cells and not set(codes.values()) & cells

    db.session.expire_all()
    setting = db.session.get(TwoLayerEncryption, w.ct.id)
    officer_ids = {u: _user_id(u) for u in OFFICERS}
    assert (setting.first_officer_id, setting.second_officer_id) == (
        officer_ids["cipher1"],
        officer_ids["cipher2"],
    )
    draws = db.session.scalars(select(EncryptionDraw).order_by(EncryptionDraw.id)).all()
    assert [(d.layer, d.user_id, d.drawn) for d in draws] == [
        (1, officer_ids["cipher1"], 3),
        (2, officer_ids["cipher2"], 3),
    ]
    # The draws are on the record; the numbers are not (the organisers read the audit log).
    logs = db.session.scalars(select(AuditLog).filter_by(entity="encryption_draw")).all()
    assert len(logs) == 2
    every_log = " ".join(str(log.changes) for log in db.session.scalars(select(AuditLog)))
    assert not any(f"'{n}'" in every_log for n in [*numbers.values(), *codes.values()])


def test_an_officer_who_also_judges_or_organises_is_refused(app):
    w = _world()
    _turn_on(app, w)
    judge = db.session.scalar(select(User).filter_by(username="judge1"))
    f.grant(judge, w.ct.contest, "encryption_officer")
    db.session.commit()
    client = _as(app, "judge1")
    answer = client.post(f"/contest-trades/{w.ct.id}/encryption/first/draw")
    assert answer.status_code == 403
    assert "may not also be an organiser, a chief judge, a judge or a clerk" in answer.text
    assert _count(CheckInNumber, w.ct.id) == 0


def test_the_setting_stays_once_a_layer_is_drawn(app):
    w = _world()
    org, _first, _second = _both_layers(app, w)
    page = org.post(f"/contest-trades/{w.ct.id}/encryption", data={}).text
    assert "codes are drawn already: the setting can no longer change" in page
    db.session.expire_all()
    assert db.session.get(TwoLayerEncryption, w.ct.id).enabled is True


def test_judges_mark_by_the_secret_code_as_before(app):
    w = _world()
    _both_layers(app, w)
    codes = _codes(w.ct.id)
    judge = _as(app, "judge1")
    grid = judge.get(f"/marking/{w.ct.id}").text
    numbers = _numbers(w.ct.id)
    for entry in w.entries:
        assert f">{codes[entry.id]}<" in grid
        assert f">{numbers[entry.id]}<" not in grid and entry.person.name not in grid
    target = w.entries[1]
    answer = judge.post(
        f"/marking/{w.ct.id}/scores",
        json={"code": codes[target.id], "item": w.items[0].id, "value": "7.5"},
    )
    assert answer.status_code == 200, answer.text
    db.session.expire_all()
    mark = db.session.scalar(select(Mark).filter_by(subject_id=target.id, item_id=w.items[0].id))
    assert str(mark.value.normalize()) == "7.5"


def test_the_organiser_sees_no_mapping_before_the_lock_and_decodes_after_step_by_step(app):
    w = _world()
    org, _first, _second = _both_layers(app, w)
    codes, numbers = _codes(w.ct.id), _numbers(w.ct.id)
    base = f"/contest-trades/{w.ct.id}"

    # Before the lock: no codes on the organiser's pages, no decoding, nothing logged.
    for path in ("/codes", "/encryption", "/panel"):
        page = org.get(base + path).text
        assert not any(f">{c}<" in page for c in [*codes.values(), *numbers.values()]), path
    assert org.get(f"{base}/codes.xlsx").status_code == 303
    page = org.get(f"{base}/encryption/decode/codes", follow_redirects=True).text
    assert "decoding opens after the chief judge locks the marks" in page
    assert _count(CodeReveal, w.ct.id) == 0

    db.session.merge(MarkingLock(assessment_id=w.ct.id, locked=True))
    db.session.commit()

    # Step 2 waits for step 1; the one-step list and the names in the score sheets too.
    page = org.get(f"{base}/encryption/decode/names", follow_redirects=True).text
    assert "decode the secret codes to check-in numbers first" in page
    assert org.get(f"{base}/codes.xlsx").status_code == 303
    assert 'id="codes"' not in org.get(f"{base}/codes").text
    assert not _names_in_score_sheets(org, w)
    assert _count(CodeReveal, w.ct.id) == 0

    step1 = org.get(f"{base}/encryption/decode/codes").text
    for entry in w.entries:
        assert f"<td>{codes[entry.id]}</td><td>{numbers[entry.id]}</td>" in step1
        assert entry.person.name not in step1
    step2 = org.get(f"{base}/encryption/decode/names").text
    for entry in w.entries:
        assert f"<td>{numbers[entry.id]}</td><td>{entry.person.name}</td>" in step2
        assert f">{codes[entry.id]}<" not in step2

    db.session.expire_all()
    looks = db.session.scalars(select(CodeReveal).order_by(CodeReveal.id)).all()
    assert [(r.what, r.user_id) for r in looks] == [
        ("decode1", _user_id("org")),
        ("decode2", _user_id("org")),
    ]
    page = org.get(f"{base}/encryption").text  # who looked, and when, after reload
    assert "Decoding, step 1: secret code → check-in number" in page
    assert "Decoding, step 2: check-in number → contestant" in page
    # Both layers decoded: the one-step list opens (and is logged like before).
    full = org.get(f"{base}/codes").text
    for entry in w.entries:
        assert f"<td>{codes[entry.id]}</td>" in full and entry.person.name in full
    assert _names_in_score_sheets(org, w) == {e.person.name for e in w.entries}
    assert _count(CodeReveal, w.ct.id) == 4  # the list, then the score sheets with names


def _names_in_score_sheets(client, w) -> set[str]:
    """The contestants' names in the score sheets the client downloads."""
    answer = client.get(f"/contest-trades/{w.ct.id}/score-sheets.xlsx")
    assert answer.status_code == 200
    book = load_workbook(io.BytesIO(answer.data))
    cells = {
        str(v)
        for sheet in book.worksheets
        for row in sheet.iter_rows(values_only=True)
        for v in row
    }
    return cells & {e.person.name for e in w.entries}


def test_the_audit_log_names_the_officers_and_the_database_refuses_one_for_both(app):
    w = _world()
    org, _first, _second = _both_layers(app, w)
    page = org.get(f"/contests/{w.ct.contest_id}/audit").text
    assert "Encryption officer of the first layer (check-in numbers)" in page
    assert "Second layer (secret codes)" in page and "Numbers drawn" in page
    for name in ("cipher1", "cipher2"):
        assert db.session.scalar(select(User.display_name).filter_by(username=name)) in page
    setting = db.session.get(TwoLayerEncryption, w.ct.id)
    setting.second_officer_id = setting.first_officer_id
    with pytest.raises(IntegrityError):
        db.session.flush()
    db.session.rollback()

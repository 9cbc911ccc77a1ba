"""Clerks' double entry of paper score sheets: what a clerk and the chief judge would check."""

from datetime import date
from decimal import Decimal
from types import SimpleNamespace

import pytest
from flask import g
from flask_babel import refresh
from sqlalchemy import func, select

from competitions.core.db import db
from competitions.judging.models import (
    JudgeItem,
    JudgeSubject,
    Mark,
    MarkChange,
    MarkingLock,
    PanelMember,
    SchemeItem,
    SchemePart,
    ScoreSheet,
    SubjectCode,
)
from competitions.registry.models import Entry, Person
from tests import factories as f

#: What a contestant's record says; none of it may reach a clerk's page.
NAME, UNIT, DELEGATION = "张伟强", "济南钢铁集团第二轧钢厂", "济钢代表队"
ID_NUMBER = f.resident_id(date(1990, 3, 7), serial=42)
#: Distinctive values of the first entry, so that a page showing them is caught.
FIRST = {"M1": "7.5", "J1": "2", "M2": "3.47"}


def make_world(codes=("4821",)):
    """A contest-trade with a judge's three items, one entry per code, three clerks and others."""
    users = {n: f.user(n) for n in ("clerk1", "clerk2", "clerk3", "judge1", "judge2", "org")}
    users["outsider"] = f.user("outsider")
    contest, other = f.contest("JN-CITY"), f.contest("QD-CITY")
    for name in ("clerk1", "clerk2", "clerk3"):
        f.grant(users[name], contest, "clerk")
    f.grant(users["judge1"], contest, "judge")
    f.grant(users["judge2"], contest, "judge")
    f.grant(users["org"], contest, "organiser")
    f.grant(users["outsider"], other, "clerk")
    ct = f.contest_trade(contest, f.trade())
    part = SchemePart(assessment_id=ct.id, kind="practical", name="实操")
    db.session.add(part)
    db.session.flush()
    items = {
        "M1": SchemeItem(part_id=part.id, position=1, code="M1", criterion="A1 划线", max_mark=10,
                         step=Decimal("0.5")),
        "J1": SchemeItem(part_id=part.id, position=2, code="J1", criterion="B1 外观", max_mark=6,
                         scale="ws3", step=Decimal(1), kind="judgement"),
        "M2": SchemeItem(part_id=part.id, position=3, code="M2", criterion="C1 安全", max_mark=5),
    }  # fmt: skip
    db.session.add_all(items.values())
    judge = PanelMember(assessment_id=ct.id, user_id=users["judge1"].id)
    idle = PanelMember(assessment_id=ct.id, user_id=users["judge2"].id)  # no items
    db.session.add_all([judge, idle])
    db.session.flush()
    db.session.add_all(JudgeItem(member_id=judge.id, item_id=i.id) for i in items.values())
    steel = f.unit(UNIT)
    team = f.delegation(contest, DELEGATION, steel)
    entries = {}
    for n, code in enumerate(codes):
        id_number = ID_NUMBER if n == 0 else f.resident_id(date(1990, 3, 7), serial=100 + n)
        person = Person(name=f"{NAME}{n or ''}", gender="M", birth_date=date(1990, 3, 7),
                        id_number=id_number, unit_id=steel.id)  # fmt: skip
        db.session.add(person)
        db.session.flush()
        entry = Entry(person_id=person.id, contest_trade_id=ct.id, delegation_id=team.id,
                      status="approved")  # fmt: skip
        db.session.add(entry)
        db.session.flush()
        db.session.add(SubjectCode(subject_id=entry.id, assessment_id=ct.id, code=code))
        db.session.add_all(JudgeSubject(member_id=m.id, subject_id=entry.id) for m in (judge, idle))
        entries[code] = entry
    db.session.commit()
    return SimpleNamespace(ct=ct, items=items, entries=entries, **users)


def fresh() -> None:
    """Forget what the test's one app context cached for the last request: locale and user.

    The ``app`` fixture keeps one app context for the whole test, so requests share ``g``; in
    the running app every request has its own (see ``tests/core/test_i18n.py``).
    """
    refresh()
    g.pop("_login_user", None)


def client_of(app, username: str):
    """A browser of its own, logged in, with the interface in English."""
    fresh()
    client = app.test_client()
    response = f.log_in(client, username, f.PASSWORD)
    assert response.status_code == 302
    fresh()
    client.get("/lang/en")
    return client


def get(client, url):
    """GET as a fresh request would see it."""
    fresh()
    return client.get(url)


def post(client, url, data):
    """POST as a fresh request would see it."""
    fresh()
    return client.post(url, data=data)


def fields(w, values: dict[str, str], version: int | None = None) -> dict:
    """Form data for a sheet: {item code: text} as the form's field names."""
    data = {f"item_{w.items[code].id}": text for code, text in values.items()}
    if version is not None:
        data["version"] = str(version)
    return data


def new_url(w, code="4821", judge=None):
    judge_id = (judge or w.judge1).id
    return f"/contest-trades/{w.ct.id}/sheets/new?code={code}&judge={judge_id}"


def sheet_url(w, sheet, what=""):
    return f"/contest-trades/{w.ct.id}/sheets/{sheet.id}{what}"


def the_sheet() -> ScoreSheet:
    db.session.expire_all()
    return db.session.scalar(select(ScoreSheet))


def sheet_marks(w) -> dict[str, Decimal]:
    db.session.expire_all()
    rows = db.session.execute(
        select(SchemeItem.code, Mark.value, Mark.source).join(Mark, Mark.item_id == SchemeItem.id)
    )
    return {row.code: row.value for row in rows if row.source == "sheet"}


def type_first(w, clerk, values=FIRST) -> ScoreSheet:
    response = post(clerk, new_url(w), fields(w, values))
    assert response.status_code == 302, response.get_data(as_text=True)
    return the_sheet()


def type_second(w, clerk, sheet, values):
    return post(clerk, sheet_url(w, sheet, "/second"), fields(w, values, sheet.version))


def test_two_clerks_typing_the_same_values_confirm_the_sheet(app):
    w = make_world()
    clerk1, clerk2 = client_of(app, "clerk1"), client_of(app, "clerk2")
    form = get(clerk1, new_url(w)).get_data(as_text=True)
    assert "M1 A1 划线 (max 10)" in form and "J1 B1 外观 (max 3)" in form
    sheet = type_first(w, clerk1)
    assert (sheet.state, sheet.version, sheet.first_clerk_id) == ("typed", 1, w.clerk1.id)
    assert sheet.first_values == {str(w.items[c].id): v for c, v in FIRST.items()}
    assert sheet_marks(w) == {}  # nothing counts on one entry

    response = type_second(w, clerk2, sheet, {"M1": "7.50", "J1": "2", "M2": "3.470"})
    assert response.status_code == 302
    sheet = the_sheet()
    assert (sheet.state, sheet.second_clerk_id, sheet.version) == ("confirmed", w.clerk2.id, 2)
    assert sheet_marks(w) == {"M1": Decimal("7.5"), "J1": Decimal(2), "M2": Decimal("3.47")}
    changes = db.session.scalars(select(MarkChange)).all()
    assert len(changes) == 3
    assert all(c.changed_by == w.clerk2.id and c.judge_id == w.judge1.id for c in changes)
    assert all(c.reason == "double entry confirmed by Clerk1/Clerk2" for c in changes)

    page = get(clerk1, sheet_url(w, sheet)).get_data(as_text=True)
    assert "Confirmed" in page and "3.47" in page
    assert "Clerk1" in page and "Clerk2" in page  # the history names both typists
    listing = get(clerk1, f"/contest-trades/{w.ct.id}/sheets").get_data(as_text=True)
    assert "Confirmed: 1" in listing and "4821" in listing


def test_a_mismatch_is_shown_to_both_and_counts_nothing_until_corrected(app):
    w = make_world()
    clerk1, clerk2 = client_of(app, "clerk1"), client_of(app, "clerk2")
    sheet = type_first(w, clerk1)
    response = type_second(w, clerk2, sheet, {"M1": "7.5", "J1": "2", "M2": "3.74"})
    assert response.status_code == 302
    sheet = the_sheet()
    assert sheet.state == "mismatch" and sheet.second_values[str(w.items["M2"].id)] == "3.74"
    assert sheet_marks(w) == {}
    for clerk in (clerk1, clerk2):
        page = get(clerk, sheet_url(w, sheet)).get_data(as_text=True)
        table = page.split('id="mismatches"')[1].split("</table>")[0]
        assert "M2" in table and "3.47" in table and "3.74" in table
        assert "M1" not in table  # only the cells that differ

    edit = get(clerk1, sheet_url(w, sheet, "/edit")).get_data(as_text=True)
    assert 'value="3.47"' in edit  # the first clerk's own values, to correct
    response = post(clerk1, sheet_url(w, sheet, "/edit"), fields(w, {**FIRST, "M2": "3.74"}, 2))
    assert response.status_code == 302
    sheet = the_sheet()
    assert (sheet.state, sheet.version, sheet.second_values) == ("typed", 3, None)
    assert sheet_marks(w) == {}

    response = type_second(w, clerk2, sheet, {"M1": "7.5", "J1": "2", "M2": "3.74"})
    assert the_sheet().state == "confirmed"
    assert sheet_marks(w)["M2"] == Decimal("3.74")


def test_after_a_mismatch_a_clerk_can_type_the_second_entry_again(app):
    w = make_world()
    clerk1, clerk2 = client_of(app, "clerk1"), client_of(app, "clerk2")
    sheet = type_first(w, clerk1)
    type_second(w, clerk2, sheet, {**FIRST, "M1": "5"})
    sheet = the_sheet()
    assert sheet.state == "mismatch"
    type_second(w, clerk2, sheet, FIRST)  # the second clerk misread; they type it again
    assert the_sheet().state == "confirmed"
    assert sheet_marks(w)["M1"] == Decimal("7.5")


def test_the_second_entry_is_blind(app):
    w = make_world()
    clerk1, clerk2 = client_of(app, "clerk1"), client_of(app, "clerk2")
    sheet = type_first(w, clerk1)
    for url in (sheet_url(w, sheet, "/second"), sheet_url(w, sheet)):
        page = get(clerk2, url).get_data(as_text=True)
        assert "3.47" not in page and "7.5" not in page


def test_the_first_typist_cannot_type_the_second_entry(app):
    w = make_world()
    clerk1 = client_of(app, "clerk1")
    sheet = type_first(w, clerk1)
    response = get(clerk1, sheet_url(w, sheet, "/second"))
    assert response.status_code == 403
    assert "a different clerk must type the second entry" in response.get_data(as_text=True)
    response = type_second(w, clerk1, sheet, FIRST)  # posting directly, past the page
    assert response.status_code == 403
    sheet = the_sheet()
    assert (sheet.state, sheet.second_clerk_id, sheet.version) == ("typed", None, 1)
    assert sheet_marks(w) == {}


def test_only_the_first_typist_corrects_the_first_entry(app):
    w = make_world()
    clerk1, clerk2 = client_of(app, "clerk1"), client_of(app, "clerk2")
    sheet = type_first(w, clerk1)
    assert get(clerk2, sheet_url(w, sheet, "/edit")).status_code == 403
    response = post(clerk2, sheet_url(w, sheet, "/edit"), fields(w, {**FIRST, "M1": "1"}, 1))
    assert response.status_code == 403
    assert the_sheet().first_values[str(w.items["M1"].id)] == "7.5"


@pytest.mark.parametrize(
    "raw, reason",
    [
        ("10.5", "above the maximum of 10"),
        ("-1", "a mark cannot be negative"),
        ("7.25", "must be in steps of 0.5"),
        ("abc", "not a number"),
        ("", "Type the score from the sheet."),
    ],
)
def test_bad_values_are_refused_beside_the_field_and_nothing_is_saved(app, raw, reason):
    w = make_world()
    clerk1 = client_of(app, "clerk1")
    response = post(clerk1, new_url(w), fields(w, {**FIRST, "M1": raw}))
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    error = page.split(f'id="item_{w.items["M1"].id}-error">')[1].split("</p>")[0]
    assert error == reason
    assert page.count('class="error"') == 1  # the other fields are fine
    assert db.session.scalar(select(func.count()).select_from(ScoreSheet)) == 0


def test_bad_values_in_the_second_entry_change_nothing(app):
    w = make_world()
    clerk1, clerk2 = client_of(app, "clerk1"), client_of(app, "clerk2")
    sheet = type_first(w, clerk1)
    page = type_second(w, clerk2, sheet, {**FIRST, "J1": "4", "M2": "3.475"}).get_data(as_text=True)
    assert "above the maximum of 3" in page and "must be in steps of 0.01" in page
    sheet = the_sheet()
    assert (sheet.state, sheet.version, sheet.second_values) == ("typed", 1, None)


def test_starting_a_sheet_is_refused_for_unknown_codes_duplicates_and_locked_marks(app):
    w = make_world()
    clerk1, clerk2 = client_of(app, "clerk1"), client_of(app, "clerk2")
    page = get(clerk1, new_url(w, code="9999")).get_data(as_text=True)
    assert "no entry has this code" in page and 'id="code-error"' in page
    page = get(clerk1, new_url(w, judge=w.judge2)).get_data(as_text=True)
    assert "this judge has no items to score" in page
    type_first(w, clerk1)
    for clerk in (clerk1, clerk2):
        page = post(clerk, new_url(w), fields(w, FIRST)).get_data(as_text=True)
        assert "a sheet for this entry and judge exists already" in page
    assert db.session.scalar(select(func.count()).select_from(ScoreSheet)) == 1

    db.session.merge(MarkingLock(assessment_id=w.ct.id, locked=True))
    db.session.execute(ScoreSheet.__table__.delete())
    db.session.commit()
    response = post(clerk1, new_url(w), fields(w, FIRST))
    assert response.status_code == 409
    assert "the marks are locked by the chief judge" in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(ScoreSheet)) == 0

"""The organiser reads and exports the audit log of their contest: who did what, and when."""

import io
from datetime import datetime
from decimal import Decimal

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from competitions.accounts.models import User
from competitions.core import audit
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.judging.models import MarkChange
from competitions.publication.models import Appeal
from competitions.registry.models import Contest
from competitions.results.models import ResultSet
from tests import factories as f
from tests.certificates import world as certificate_world
from tests.conftest import CONFIRM
from tests.publication.test_publish import computed_world

NOW = datetime(2026, 11, 20, 15, 30)


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr("competitions.publication.services.local_now", lambda: NOW)
    world = computed_world()
    f.grant(f.user("arbitrator"), world.ct.contest, "arbitrator")
    other = f.contest("QD-2019")
    f.grant(f.user("org_other", registrar=True), other, "organiser")
    db.session.commit()
    return world


def rows_of(world, **filters) -> list[AuditLog]:
    db.session.expire_all()
    query = select(AuditLog).filter_by(contest_id=world.ct.contest_id, **filters)
    return db.session.scalars(query.order_by(AuditLog.id)).all()


def test_only_the_contests_organisers_read_it(client, login, world):
    contest_id = world.ct.contest_id
    for path in (f"/contests/{contest_id}/audit", f"/contests/{contest_id}/audit.xlsx"):
        client.post("/logout")
        anonymous = client.get(path)
        assert anonymous.status_code == 302 and "/login" in anonymous.headers["Location"]
        for username in ("chief", "judge1", "arbitrator", "org_other"):
            login(username)
            assert client.get(path).status_code == 403, username
        login("org")
        assert client.get(path).status_code == 200
    page = client.get(f"/contests/{contest_id}").get_data(as_text=True)
    assert f'href="/contests/{contest_id}/audit"' in page  # on the organiser's toolbar


def test_publication_appeals_locks_and_corrections_are_logged_with_who(client, login, world):
    contest_id, ct_id = world.ct.contest_id, world.ct.id
    login("org")
    client.post(f"/contest-trades/{ct_id}/publication/publish", data=CONFIRM)
    db.session.add(
        Appeal(
            assessment_id=ct_id,
            subject_id=world.entries[1].id,
            real_name=world.entries[1].person.name,
            reason="请复核第二项成绩记录",
        )
    )
    db.session.commit()
    appeal = db.session.scalars(select(Appeal)).first()
    login("arbitrator")
    client.post(
        f"/appeals/{appeal.id}/decide",
        data={"outcome": "upheld", "reasons": "第二项测量有误，需复核。"},
    )
    login("chief")
    client.post(
        f"/contest-trades/{ct_id}/review/correct",
        data={
            "code": world.codes[1],
            "item_id": world.items[0].id,
            "judge_id": world.judges[0].id,
            "value": "8.5",
            "reason": "申诉成立，按录像复核更正",
        },
    )
    org, arbitrator = (
        db.session.scalar(select(User.id).filter_by(username=n)) for n in ("org", "arbitrator")
    )
    updates = rows_of(world, entity="result_set", action="update")
    published = [r for r in updates if "state" in r.changes]
    assert [(r.user_id, r.changes["state"]) for r in published] == [(org, ["draft", "notice"])]
    decided = [r for r in rows_of(world, entity="appeal", action="update") if "state" in r.changes]
    assert [(r.user_id, r.changes["state"]) for r in decided] == [
        (arbitrator, ["pending", "upheld"])
    ]
    unlocked = rows_of(world, entity="lock_event")[-1]
    assert unlocked.user_id == arbitrator and unlocked.changes["action"] == [None, "unlock"]
    corrections = rows_of(world, entity="mark_change")
    assert [(c.user_id, Decimal(c.changes["new_value"][1])) for c in corrections] == [
        (world.chief.id, Decimal("8.5"))
    ]  # the judges' own saves are not organiser actions: only the correction is here
    assert db.session.scalar(select(db.func.count()).select_from(MarkChange)) > 1

    login("org")
    client.get("/lang/en")
    page = client.get(f"/contests/{contest_id}/audit").get_data(as_text=True)
    body = page.split("<tbody>", 1)[1]
    # Newest first: the correction, the unlock and decision, the appeal, the publication.
    order = ["Mark correction", "Lock or unlock", "Appeal #", "Results #"]
    assert [body.index(label) for label in order] == sorted(body.index(x) for x in order)
    assert "<td>Chief</td>" in body and "<td>Arbitrator</td>" in body and "<td>Org</td>" in body
    assert "Reason: 申诉成立，按录像复核更正" in body
    assert "State: Draft → Under public notice" in body and "State: Pending → Upheld" in body
    assert "Action: Unlocked" in body  # labels, never codes, column names or None
    assert "None" not in body and "state:" not in body and "notice_deadline" not in body
    assert "Public notice until: — → November 27, 2026 23:59" in body  # local time for people


def test_certificates_issued_are_logged(app):
    world = certificate_world.build()
    job = certificate_world.issue_all(world)
    assert job.result["issued"] == 5
    logged = db.session.scalars(
        select(AuditLog).filter_by(entity="certificate", action="create")
    ).all()
    assert len(logged) == 5 and {r.contest_id for r in logged} == {world.contest.id}
    assert all(r.changes["number"][1].startswith("SD19-") for r in logged)


def test_only_this_contests_rows_and_its_contestants_records(client, login, world):
    other = db.session.scalar(select(Contest).filter_by(code="QD-2019"))
    person = world.entries[0].person
    with audit.acting_as(None):
        f.delegation(other, "青岛代表队")  # another contest's
        f.delegation(world.ct.contest, "本届代表队")
        person.phone = "13900000000"  # the contestant's own record, edited from anywhere
        db.session.commit()
    login("org")
    client.get("/lang/en")
    page = client.get(f"/contests/{world.ct.contest_id}/audit").get_data(as_text=True)
    assert "本届代表队" in page and "青岛代表队" not in page
    assert "Phone: — → 139****0000" in page  # masked: the trail never holds a phone
    assert "13900000000" not in page


def test_pages_of_fifty_newest_first_and_the_whole_log_exported(client, login, world):
    contest = world.ct.contest
    with audit.acting_as(None, contest.id):
        for n in range(120):
            audit.log_bulk(db.session, "update", "scheme_item", [(n, {"note": f"change {n:03d}"})])
    # What users typed is exported as inert text, never as a formula.
    mallory = f.user("mallory")
    mallory.display_name = "=1+2"
    with audit.acting_as(mallory.id):
        f.delegation(contest, '=HYPERLINK("http://evil.example","点我")')
    db.session.commit()
    persons = {e.person_id for e in world.entries}
    total = len(rows_of(world)) + sum(
        r.entity_id in persons
        for r in db.session.scalars(select(AuditLog).filter_by(entity="person"))
    )
    login("org")
    client.get("/lang/en")
    first = client.get(f"/contests/{contest.id}/audit").get_data(as_text=True)
    pages = -(-total // 50)
    assert first.count("<tr><td>") == 50 and f"1 / {pages}" in first
    assert "HYPERLINK" in first.split("change 119")[0]  # the newest row comes first
    last = client.get(f"/contests/{contest.id}/audit?page={pages}").get_data(as_text=True)
    assert last.count("<tr><td>") == total - 50 * (pages - 1)
    assert "Previous" in last and "Next" not in last

    response = client.get(f"/contests/{contest.id}/audit.xlsx")
    assert response.headers["Cache-Control"] == "no-store"
    sheet = load_workbook(io.BytesIO(response.data)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[1] == ("When", "Who", "Action", "Record", "Record id", "Changes")
    assert len(values) == 2 + total
    newest = values[2]
    assert newest[3] == "Delegation" and newest[2] == "Created"
    assert newest[1] == "'=1+2" and 'Name: =HYPERLINK("http://evil.example","点我")' in newest[5]
    assert isinstance(newest[0], datetime)
    notes = [row[5] for row in values[2:] if row[3] == "Marking scheme item"]
    assert notes[0] == "Note: — → change 119" and notes[-1] == "Note: — → change 000"
    cells = [c for row in values for c in row if isinstance(c, str)]
    assert not any(c.startswith(("=", "+", "-", "@")) for c in cells)


def test_the_result_set_is_logged_under_its_contest_trade(app, world):
    created = rows_of(world, entity="result_set", action="create")
    assert [r.entity_id for r in created] == [world.ct.id]
    assert db.session.get(ResultSet, world.ct.id) is not None


def test_filters_by_who_what_and_when_and_chinese_labels(client, login, world):
    contest_id, ct_id = world.ct.contest_id, world.ct.id
    login("org")
    client.post(f"/contest-trades/{ct_id}/publication/publish", data=CONFIRM)
    org = db.session.scalar(select(User.id).filter_by(username="org"))
    url = f"/contests/{contest_id}/audit"
    page = client.get(url, query_string={"who": org, "what": "result_set"}).get_data(as_text=True)
    body = page.split("<tbody>", 1)[1]
    assert body.count("<tr><td>") == 1  # the publication, nothing else
    assert "草稿 → " in body and "draft" not in body  # labels in the user's language
    assert "2026年11月27日 23:59" in body  # the deadline, as people write dates
    export = client.get(url + ".xlsx", query_string={"who": org, "what": "result_set"})
    rows = list(load_workbook(io.BytesIO(export.data)).active.iter_rows(values_only=True))
    assert len(rows) == 3
    # Days are local days: nothing was logged tomorrow; a wrong day is said beside its field.
    none = client.get(url, query_string={"since": "2099-01-01"}).get_data(as_text=True)
    assert none.split("<tbody>", 1)[1].count("<tr><td>") == 0
    wrong = client.get(url, query_string={"since": "yesterday"}).get_data(as_text=True)
    assert 'id="since-error"' in wrong

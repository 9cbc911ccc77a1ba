"""A person's request to see what is held about them (PIPL): the organiser downloads it from the
person's page; the workbook holds their record, entries, results, certificates, appeals and the
changes to their record; the download is logged; nobody else gets it."""

import io

from openpyxl import load_workbook
from sqlalchemy import select

from competitions.accounts.models import User
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.publication.models import Appeal
from competitions.registry.models import Entry
from tests import factories as f
from tests.publication.test_public_results import publish
from tests.publication.test_publish import computed_world


def sheets_of(data: bytes) -> dict[str, list[tuple]]:
    book = load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: [tuple(r) for r in sheet.iter_rows(values_only=True)] for sheet in book}


def test_the_organiser_hands_a_person_their_data(app, client, login):
    world = computed_world()
    entry = world.entries[0]
    person = entry.person
    publish(world)
    db.session.add(
        Appeal(
            assessment_id=world.ct.id,
            subject_id=entry.id,
            real_name=person.name,
            reason="请复核第二项",
        )
    )
    db.session.commit()
    login("org")
    client.get("/lang/en")
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert f"/persons/{person.id}/personal-data.xlsx" in page
    response = client.get(f"/persons/{person.id}/personal-data.xlsx")
    assert response.status_code == 200 and response.headers["Cache-Control"] == "no-store"
    sheets = sheets_of(response.data)
    assert list(sheets) == [
        "Record",
        "Entries",
        "Results",
        "Certificates",
        "Appeals",
        "Changes",
    ]
    record = dict(sheets["Record"][1:])
    assert record["Name"] == person.name and record["ID number"] == person.id_number
    assert sheets["Entries"][1][0] == world.ct.contest.name
    assert sheets["Results"][1][4] is not None  # the total
    assert sheets["Appeals"][1][1] == "请复核第二项"
    db.session.expire_all()
    logged = db.session.scalar(select(AuditLog).where(AuditLog.entity == "download"))
    assert logged.changes == {"what": "personal_data"} and logged.entity_id == person.id


def test_another_contests_entries_and_draft_results_are_left_out(app, client, login):
    """The organiser of one contest hands over what their contest holds, and no draft."""
    world = computed_world()
    person = world.entries[0].person
    other = f.contest("QD-2019", tier="city")
    other_ct = f.contest_trade(other, f.trade("6-18-02-04", "焊工"))
    db.session.add(Entry(person_id=person.id, contest_trade_id=other_ct.id, status="approved"))
    # An organiser who is not a registrar (a registrar answers for every contest).
    db.session.scalar(select(User).where(User.username == "org")).is_registrar = False
    db.session.commit()
    login("org")
    client.get("/lang/en")
    sheets = sheets_of(client.get(f"/persons/{person.id}/personal-data.xlsx").data)
    assert [row[0] for row in sheets["Entries"][1:]] == [world.ct.contest.name]
    assert len(sheets["Results"]) == 1  # the header only: the results are a draft


def test_nobody_but_the_organisers_gets_it(app, client, login):
    world = computed_world()
    person = world.entries[0].person
    login("chief")
    assert client.get(f"/persons/{person.id}/personal-data.xlsx").status_code == 403

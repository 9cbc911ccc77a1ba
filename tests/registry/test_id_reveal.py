"""Organisers see ID numbers masked; the whole number is shown on asking, with a reason, and
every such look (and every download of a list with whole numbers) is in the audit log."""

from sqlalchemy import select

from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.identity_rules import mask_id_number
from competitions.registry.models import Contest, IdReveal, Person
from tests.registry.test_shared_person import edit, shared_person


def test_pages_show_the_id_number_masked_and_reveal_it_with_a_logged_reason(app, client, login):
    _world, person = shared_person()
    number, masked = person.id_number, mask_id_number(person.id_number)
    login("cityorg")
    client.get("/lang/en")
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert number not in page and masked in page
    assert "Show the whole ID number" in page
    city = db.session.scalar(select(Contest).filter_by(code="JN-CITY"))
    entries = client.get(f"/contests/{city.id}/entries").get_data(as_text=True)
    assert number not in entries and masked in entries
    typed = number[:6] + " " + number[6:].lower()  # a whole number finds its contestant
    found = client.get(f"/contests/{city.id}/entries", query_string={"q": typed})
    assert masked in found.get_data(as_text=True)

    refused = client.post(f"/persons/{person.id}/id-number", data={"reason": ""})
    assert refused.status_code == 400 and number not in refused.get_data(as_text=True)
    assert db.session.scalars(select(IdReveal)).all() == []

    shown = client.post(f"/persons/{person.id}/id-number", data={"reason": "核对报名表原件"})
    assert shown.status_code == 200
    assert f'id="id-number">{number}<' in shown.get_data(as_text=True)
    assert shown.headers["Cache-Control"] == "no-store"
    reveal = db.session.scalars(select(IdReveal)).one()
    assert (reveal.person_id, reveal.reason, reveal.what) == (person.id, "核对报名表原件", "page")
    cityorg = reveal.user_id
    logged = db.session.scalars(select(AuditLog).filter_by(entity="id_reveal")).one()
    assert logged.user_id == cityorg and logged.changes["reason"] == [None, "核对报名表原件"]
    assert number not in str(logged.changes)
    # the contestant's page keeps the look in its history, and the next visit is masked again
    again = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert "核对报名表原件" in again and number not in again


def test_the_reveal_is_for_those_who_read_the_record_only(app, client, login):
    from tests import factories as f

    _, person = shared_person()
    f.user("stranger")
    db.session.commit()
    login("stranger")
    response = client.post(f"/persons/{person.id}/id-number", data={"reason": "想看看而已"})
    assert response.status_code == 403
    assert db.session.scalars(select(IdReveal)).all() == []


def test_editing_a_record_without_typing_the_id_number_keeps_it(app, client, login):
    _world, person = shared_person()
    number = person.id_number
    login("org")
    status, page = edit(client, person, id_number="", phone="13800000003")
    assert status == 200, page
    db.session.expire_all()
    kept = db.session.get(Person, person.id)
    assert (kept.id_number, kept.phone) == (number, "13800000003")


def test_a_results_download_with_whole_id_numbers_is_logged(app, client, login):
    world, _person = shared_person()
    login("org")
    response = client.get(f"/contest-trades/{world.ct.id}/results.xlsx")
    assert response.status_code == 200
    reveal = db.session.scalars(select(IdReveal)).one()
    assert (reveal.what, reveal.contest_trade_id, reveal.person_id) == ("export", world.ct.id, None)
    assert reveal.reason.startswith("results-")

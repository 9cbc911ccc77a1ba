"""A contestant shared by contests of different organisers, and final results' frozen facts."""

from datetime import datetime, timedelta

from competitions.accounts.models import User
from competitions.core.db import db
from competitions.publication import services
from competitions.registry.models import Entry, Person
from competitions.results.models import ResultSet
from competitions.results.services import compute
from tests import factories as f
from tests.publication.test_publish import computed_world

NOW = datetime(2026, 11, 20, 15, 30)


def edit(client, person: Person, **changes) -> tuple[int, str]:
    data = {
        "name": person.name,
        "id_type": person.id_type,
        "id_number": person.id_number,
        "gender": "",
        "birth_date": "",
        "unit_id": str(person.unit_id or ""),
        "skill_level": "",
        "phone": "",
        **changes,
    }
    response = client.post(f"/persons/{person.id}", data=data, follow_redirects=True)
    return response.status_code, response.get_data(as_text=True)


def shared_person():
    """The first contestant of a province contest (organised by "org") also entered in a
    city contest organised by "cityorg" alone."""
    world = computed_world()
    city = f.contest("JN-CITY", tier="city")
    city_ct = f.contest_trade(city, world.ct.trade)
    person = world.entries[0].person
    db.session.add(Entry(person_id=person.id, contest_trade_id=city_ct.id, status="approved"))
    cityorg = f.user("cityorg")
    f.grant(cityorg, city, "organiser")
    db.session.commit()
    return world, person


def test_an_organiser_of_one_contest_cannot_edit_a_person_of_another(client, login):
    world, person = shared_person()
    login("cityorg")
    client.get("/lang/en")
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    assert "contests you do not organise" in page and world.ct.contest.name in page
    assert 'id="edit-refused"' in page and 'name="phone"' not in page
    status, page = edit(client, person, name="改名")
    assert status == 403
    assert f"contests you do not organise ({world.ct.contest.name})" in page
    db.session.expire_all()
    assert db.session.get(Person, person.id).name == "选手0号"


def test_an_organiser_of_all_the_contests_or_a_registrar_may_edit(client, login):
    world, person = shared_person()
    cityorg = db.session.query(User).filter_by(username="cityorg").one()
    f.grant(cityorg, world.ct.contest, "organiser")
    db.session.commit()
    login("cityorg")
    status, _ = edit(client, person, phone="13800000001")
    assert status == 200
    db.session.expire_all()
    assert db.session.get(Person, person.id).phone == "13800000001"
    login("org")  # a registrar, organiser of the province contest only
    status, _ = edit(client, person, phone="13800000002")
    assert status == 200
    db.session.expire_all()
    assert db.session.get(Person, person.id).phone == "13800000002"


def test_final_results_keep_the_facts_they_were_published_with(client, login):
    from competitions.certificates.services import wanted

    world = computed_world(team="济钢代表队")
    world.ct.award_mode, world.ct.award_numbers, world.ct.award_min_total = "fixed", "1,1,1", None
    compute.recompute([world.ct.id])  # a first, second and third prize: certificates
    db.session.commit()
    result_set = db.session.get(ResultSet, world.ct.id)
    services.publish(world.ct, result_set, NOW)
    person = world.entries[0].person
    # Under notice the register's facts are shown as they are.
    person.name = "选手零号"
    db.session.commit()
    assert "选手零号" in client.get(f"/results/trades/{world.ct.id}").get_data(as_text=True)
    after_notice = result_set.notice_deadline + timedelta(seconds=1)
    assert services.finalise(result_set, after_notice) is None
    db.session.commit()

    login("org")
    other_unit = f.unit("另一家单位")
    db.session.commit()
    status, _ = edit(client, person, name="改了名", unit_id=str(other_unit.id))
    assert status == 200
    delegation = world.entries[0].delegation
    delegation.name = "改了的代表队"
    db.session.commit()
    assert db.session.get(Person, person.id).name == "改了名"

    page = client.get(f"/results/trades/{world.ct.id}").get_data(as_text=True)
    assert "选手零号" in page and "济钢代表队" in page and "济钢" in page
    assert "改了名" not in page and "另一家单位" not in page
    row = client.get(f"/api/v1/contest-trades/{world.ct.id}/results").json["results"][0]
    assert (row["name"], row["unit"], row["delegation"]) == ("选手零号", "济钢", "济钢代表队")
    board = client.get(f"/board/{world.ct.contest_id}").get_data(as_text=True)
    assert "选手零号" in board and "改了名" not in board
    report = client.get(f"/contest-trades/{world.ct.id}/results/report").get_data(as_text=True)
    assert "选手零号" in report and "改了名" not in report and "另一家单位" not in report
    printed = {c.subject: (c.name, c.unit) for c in wanted(world.ct.id)}
    assert printed[f"entry:{world.entries[0].id}"] == ("选手零号", "济钢")

"""A contestant finds their own published result by ID number and name, and appeals."""

from datetime import datetime

import pytest
import redis
from sqlalchemy import select

from app import create_app
from competitions.core.db import db
from competitions.publication import services
from competitions.publication.models import Appeal
from competitions.registry.models import PersonConsent
from competitions.registry.rules import PRIVACY_NOTICE_VERSION
from competitions.results.models import ResultSet
from tests.publication.test_publish import computed_world

NOW = datetime(2026, 11, 20, 15, 30)


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr("competitions.publication.services.local_now", lambda: NOW)
    return computed_world()


def publish(world):
    services.publish(world.ct, db.session.get(ResultSet, world.ct.id), NOW)
    db.session.commit()


def look_up(client, person, name=None):
    return client.post(
        "/my-result",
        data={"id_number": person.id_number, "name": name or person.name, "agree": "y"},
        follow_redirects=True,
    )


def test_drafts_are_never_shown(client, world):
    person = world.entries[0].person
    client.get("/lang/en")
    page = look_up(client, person).get_data(as_text=True)
    assert "No published result yet." in page and "Total" not in page


def test_a_published_result_with_the_id_masked(client, world):
    publish(world)
    person = world.entries[0].person
    client.get("/lang/en")
    page = look_up(client, person).get_data(as_text=True)
    assert person.name in page and person.id_number not in page
    assert person.id_number[:4] + "**********" + person.id_number[-4:] in page
    assert "Total" in page and "File an appeal" in page


def test_a_wrong_name_or_malformed_id_reveals_nothing(client, world):
    publish(world)
    person = world.entries[0].person
    client.get("/lang/en")
    page = look_up(client, person, name="张三").get_data(as_text=True)
    assert "No result matches this ID number and name." in page and "Total" not in page
    page = client.post("/my-result", data={"id_number": "<script>", "name": "x"}).get_data(
        as_text=True
    )
    assert 'id="id_number-error"' in page and "<script>" not in page


def test_an_appeal_is_written_signed_and_in_time(client, world, monkeypatch):
    publish(world)
    entry = world.entries[1]
    client.get("/lang/en")
    look_up(client, entry.person)
    reason = "第二项外观评分与现场情况不符，请复核。"
    page = client.post(
        f"/my-result/appeal/{entry.id}",
        data={"real_name": "张三", "reason": reason},
        follow_redirects=True,
    )
    assert "the name does not match" in page.get_data(as_text=True)
    page = client.post(
        f"/my-result/appeal/{entry.id}",
        data={"real_name": entry.person.name, "reason": reason},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Your appeal is filed" in page
    appeal = db.session.scalar(select(Appeal))
    assert (appeal.subject_id, appeal.state, appeal.real_name) == (
        entry.id,
        "pending",
        entry.person.name,
    )
    # Someone else's entry cannot be appealed from this lookup.
    other = world.entries[2]
    assert (
        client.post(
            f"/my-result/appeal/{other.id}", data={"real_name": entry.person.name, "reason": reason}
        ).status_code
        == 403
    )
    # After the deadline: refused with the reason.
    monkeypatch.setattr(
        "competitions.publication.services.local_now", lambda: datetime(2026, 12, 1, 9, 0)
    )
    look_up(client, world.entries[0].person)
    page = client.post(
        f"/my-result/appeal/{world.entries[0].id}",
        data={"real_name": world.entries[0].person.name, "reason": reason},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "the appeal period ended on 2026-11-27 23:59" in page
    assert db.session.scalar(select(Appeal).filter_by(subject_id=world.entries[0].id)) is None


def test_a_burst_of_lookups_is_limited_per_client_in_redis(app, redis_url):
    limited = create_app(
        {
            **app.config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": redis_url,
            "LOOKUP_RATE_LIMIT": "10 per minute",
        }
    )
    redis.Redis.from_url(redis_url).flushdb()
    with limited.app_context():
        client = limited.test_client()
        codes = [
            client.post(
                "/my-result", data={"id_number": "110105194912310021", "name": "王芳", "agree": "y"}
            ).status_code
            for _ in range(100)
        ]
        assert codes[:10] == [200] * 10 and set(codes[10:]) == {429}
        assert redis.Redis.from_url(redis_url).keys("LIMITS*")  # the counters live in Redis


def test_my_marks_by_item_without_the_judges(client, world):
    publish(world)
    person = world.entries[0].person
    client.get("/lang/en")
    page = look_up(client, person).get_data(as_text=True)
    assert "Marks by item" in page
    items = page.split("Marks by item", 1)[1]
    # The judged item: three judges gave 9 (mean 9); the measured item: 3 of 5.
    assert "<td>J1</td><td>工件外观</td><td>10</td><td>9</td>" in items
    assert "<td>M1</td><td>尺寸精度</td><td>5</td><td>3</td>" in items
    assert "judge1" not in page
    # Marks reopened (an upheld appeal): being corrected, not shown until locked again.
    from competitions.judging.models import MarkingLock

    db.session.get(MarkingLock, world.ct.id).locked = False
    db.session.commit()
    page = look_up(client, person).get_data(as_text=True)
    assert "Total" in page and "Marks by item" not in page


def test_my_path_through_the_tiers(client, world):
    from decimal import Decimal

    from competitions.registry.models import Entry
    from competitions.results.models import Result
    from tests import factories as f

    publish(world)
    person = world.entries[0].person
    city = f.contest("JN-2019", tier="city", year=2018)  # the tier below, a year earlier
    ct = f.contest_trade(city, world.ct.trade)
    entry = Entry(person_id=person.id, contest_trade_id=ct.id, status="approved")
    db.session.add(entry)
    db.session.flush()
    db.session.add(
        Result(
            subject_id=entry.id,
            assessment_id=ct.id,
            total=Decimal("88.5"),
            rank=2,
            award="second",
            advances=True,
        )
    )
    db.session.add(ResultSet(assessment_id=ct.id, state="final"))
    db.session.commit()
    client.get("/lang/en")
    page = look_up(client, person).get_data(as_text=True)
    path = page.split('id="my-path"', 1)[1].split("</p>", 1)[0]
    assert path.index("City") < path.index("→") < path.index("Province")
    assert "rank 2 · Second prize" in path and "rank 1" in path


def test_my_time_used_as_minutes_and_seconds_on_my_page_and_the_public_page(client, world):
    world.entries[0].time_used_s = 3150
    db.session.commit()
    publish(world)
    client.get("/lang/en")
    mine = look_up(client, world.entries[0].person).get_data(as_text=True)
    assert '<th>Time used</th><td class="time-used">52:30</td>' in mine
    public = client.get(f"/results/trades/{world.ct.id}").get_data(as_text=True)
    assert '<td class="time-used">52:30</td>' in public


def test_looking_up_asks_agreement_to_the_privacy_notice_and_keeps_it(client, world):
    """The look-up form links the privacy notice and asks to agree to it; the agreement is
    kept with the notice's version; without it nothing is looked up."""
    publish(world)
    person = world.entries[0].person
    client.get("/lang/en")
    form = client.get("/my-result").get_data(as_text=True)
    assert 'href="/privacy"' in form and 'id="agree"' in form
    notice = client.get("/privacy").get_data(as_text=True)
    assert PRIVACY_NOTICE_VERSION in notice and "anonymised" in notice
    refused = client.post("/my-result", data={"id_number": person.id_number, "name": person.name})
    assert refused.status_code == 200
    assert "Read the privacy notice and tick to agree." in refused.get_data(as_text=True)
    assert client.get("/my-result/results").status_code == 302  # not looked up
    assert db.session.scalar(select(PersonConsent)) is None
    assert "Total" in look_up(client, person).get_data(as_text=True)
    db.session.expire_all()
    consent = db.session.scalar(select(PersonConsent))
    assert (consent.person_id, consent.version, consent.context) == (
        person.id,
        PRIVACY_NOTICE_VERSION,
        "lookup",
    )
    look_up(client, person)  # looking up again agrees to nothing new
    db.session.expire_all()
    assert len(db.session.scalars(select(PersonConsent)).all()) == 1

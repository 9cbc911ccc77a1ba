"""A contest feeds only a contest that takes place after it (or while it ends)."""

import json
from datetime import date

import pytest
from sqlalchemy import select

from competitions.core.db import db
from competitions.registry import rules
from competitions.registry.models import Contest
from tests import factories as f


@pytest.mark.parametrize(
    ("child", "parent", "allowed"),
    [
        ((2018, date(2018, 6, 14)), (2018, date(2018, 7, 12)), True),  # the seeds' city → province
        ((2018, date(2018, 7, 12)), (2018, date(2018, 7, 12)), True),  # ends the same day
        ((2018, date(2018, 7, 12)), (2018, date(2018, 7, 11)), False),  # ends a day earlier
        ((2026, date(2026, 5, 12)), (2018, date(2018, 8, 25)), False),  # a 2018 parent
        ((2018, date(2018, 12, 30)), (2019, date(2019, 3, 1)), True),  # next year's final
        ((2019, date(2018, 12, 30)), (2018, date(2019, 3, 1)), False),  # an earlier year
    ],
)
def test_the_parent_takes_place_after_the_child(child, parent, allowed):
    assert rules.feeds_in_time(*child, *parent) is allowed


def contest_data(parent_id, year=2026, ends_on="2026-05-12", **more) -> dict:
    return {
        "code": "JG-2026",
        "name": "济钢2026技术比武",
        "year": year,
        "tier": "enterprise",
        "organising_unit_id": "",
        "starts_on": "2026-05-10",
        "ends_on": ends_on,
        "parent_id": parent_id,
        **more,
    }


def test_a_2026_contest_cannot_feed_a_2018_one(client, login):
    org = f.user("org", registrar=True)
    city = f.contest("JN-2018", tier="city", year=2018)
    f.grant(org, city, "organiser")
    db.session.commit()
    login("org")
    client.get("/lang/en")
    page = client.post("/contests/new", data=contest_data(city.id)).get_data(as_text=True)
    assert 'id="parent_id-error"' in page
    assert "must take place after this one" in page and "May 12, 2018" in page
    assert db.session.scalar(select(Contest).filter_by(code="JG-2026")) is None
    client.get("/lang/zh_Hans_CN")
    page = client.post("/contests/new", data=contest_data(city.id)).get_data(as_text=True)
    assert "2018年5月12日" in page


def test_a_parent_cannot_be_moved_before_a_contest_that_feeds_it(client, login):
    org = f.user("org", registrar=True)
    city = f.contest("JN-2019", tier="city")  # 10-12 May 2019
    enterprise = f.contest("JG-2019", tier="enterprise", parent=city)
    f.grant(org, city, "organiser")
    db.session.commit()
    login("org")
    client.get("/lang/en")
    data = {
        "code": city.code,
        "name": city.name,
        "year": 2019,
        "tier": "city",
        "organising_unit_id": "",
        "starts_on": "2019-05-01",
        "ends_on": "2019-05-02",
        "parent_id": "",
    }
    page = client.post(f"/contests/{city.id}/edit", data=data).get_data(as_text=True)
    assert 'id="ends_on-error"' in page and enterprise.name in page
    db.session.expire_all()
    assert db.session.get(Contest, city.id).ends_on == date(2019, 5, 12)
    data["ends_on"] = "2019-05-12"  # the same last day is fine
    assert client.post(f"/contests/{city.id}/edit", data=data).status_code == 302


def test_the_seeds_contests_feed_in_time():
    from seeds.files import DATA_DIR

    contests = {c["code"]: c for c in json.loads((DATA_DIR / "contests.json").read_text())}
    links = [(c, contests[c["parent"]]) for c in contests.values() if c["parent"]]
    assert links
    for child, parent in links:
        assert rules.feeds_in_time(
            child["year"],
            date.fromisoformat(child["ends_on"]),
            parent["year"],
            date.fromisoformat(parent["ends_on"]),
        ), child["code"]

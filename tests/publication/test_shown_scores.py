"""What people read of scores on every surface: 2 places everywhere (team scores too), the
status of withdrawn, disqualified and absent entries instead of numbers, and advancement only
where the contest feeds a higher one."""

import re
from datetime import datetime

import pytest

from competitions.core.db import db
from competitions.publication import services
from competitions.results.models import ResultSet
from competitions.results.services import compute
from tests import factories as f
from tests.publication.test_publish import computed_world

NOW = datetime(2026, 11, 20, 15, 30)


@pytest.fixture
def world(app, monkeypatch):
    """Scores 9, 7, 5 (practical 80, 66.6667, 53.3333 of 100; totals at 70 %: 56.00, 46.67,
    37.33), the last entry withdrawn after marking; all in one delegation; under notice."""
    monkeypatch.setattr("competitions.publication.services.local_now", lambda: NOW)
    world = computed_world(team="济钢代表队")
    world.ct.team_size = 2
    world.entries[2].status = "withdrawn"
    compute.recompute([world.ct.id])
    services.publish(world.ct, db.session.get(ResultSet, world.ct.id), NOW)
    db.session.commit()
    return world


def row_of(page: str, name: str) -> str:
    """The table row that names ``name``."""
    return next(r for r in re.findall(r"<tr.*?</tr>", page, re.S) if name in r)


def test_the_public_page_and_the_api_show_a_withdrawn_entrys_status_not_zeros(client, world):
    client.get("/lang/en")
    withdrawn = world.entries[2].person.name
    page = client.get(f"/results/trades/{world.ct.id}").get_data(as_text=True)
    row = row_of(page, withdrawn)
    assert "Withdrawn" in row and not re.search(r"\d+\.\d\d", row)
    data = client.get(f"/api/v1/contest-trades/{world.ct.id}/results").json
    last = data["results"][-1]
    assert last["status"] == "withdrawn" and last["rank"] is None
    assert (last["theory"], last["practical"], last["total"]) == (None, None, None)


def test_the_organiser_page_report_and_my_result_show_the_status_not_zeros(client, login):
    world = computed_world()
    world.entries[2].status = "absent"
    compute.recompute([world.ct.id])
    services.publish(world.ct, db.session.get(ResultSet, world.ct.id), NOW)
    db.session.commit()
    absent = world.entries[2].person
    login("org")
    client.get("/lang/en")
    pages = f"/contest-trades/{world.ct.id}/results"
    for url in (pages, pages + "/report"):
        row = row_of(client.get(url).get_data(as_text=True), absent.name)
        assert "Absent" in row and not re.search(r"\d+\.\d\d", row), url
    page = client.post(
        "/my-result",
        data={"id_number": absent.id_number, "name": absent.name, "agree": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Absent" in page and "0.00" not in page and "Total" not in page


def test_advancement_is_shown_only_where_the_contest_feeds_a_higher_one(client, world):
    client.get("/lang/en")
    page = client.get(f"/results/trades/{world.ct.id}").get_data(as_text=True)
    assert "Advances" not in page and "✓" not in page
    data = client.get(f"/api/v1/contest-trades/{world.ct.id}/results").json
    assert {r["advances"] for r in data["results"]} == {None}

    national = f.contest("CN-2018", tier="national", year=2018)
    world.ct.contest.parent_id = national.id
    db.session.commit()
    from competitions.publication.services import cache

    cache.results_changed([world.ct.id])
    page = client.get(f"/results/trades/{world.ct.id}").get_data(as_text=True)
    assert "Advances" in page and "✓" in page
    data = client.get(f"/api/v1/contest-trades/{world.ct.id}/results").json
    assert data["results"][0]["advances"] is True


def test_one_rule_of_two_places_on_every_surface(client, login, world):
    client.get("/lang/en")
    first = world.entries[0].person
    data = client.get(f"/api/v1/contest-trades/{world.ct.id}/results").json
    top = data["results"][1]  # 66.6667 exactly
    assert (top["practical"], top["total"]) == ("66.67", "46.67")
    assert data["teams"][0]["score"] == "102.67"  # 56.00 + 46.67
    public = client.get(f"/results/trades/{world.ct.id}").get_data(as_text=True)
    board = client.get(f"/board/{world.ct.contest_id}").get_data(as_text=True)
    assert "66.67" in public and "66.6667" not in public and "102.67" in public
    assert "46.67" in board
    my = client.post(
        "/my-result",
        data={"id_number": first.id_number, "name": first.name, "agree": "y"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "80.00" in my and "56.00" in my  # a whole part score keeps its 2 places
    login("org")
    organiser = client.get(f"/contest-trades/{world.ct.id}/results").get_data(as_text=True)
    assert "66.67" in organiser and "66.6667" not in organiser and "80.00" in organiser
    assert "102.67" in organiser
    team = row_of(organiser.split('id="teams"')[1], "济钢代表队")
    assert "102.67" in team
    report = client.get(f"/contest-trades/{world.ct.id}/results/report").get_data(as_text=True)
    assert "66.67" in report and "66.6667" not in report and "102.67" in report


def test_the_funnel_counts_nobody_advancing_from_the_top_of_the_chain(client, world):
    client.get("/lang/en")
    page = client.get(f"/results/contests/{world.ct.contest_id}").get_data(as_text=True)
    assert "funnel" in page and " advance</title>" not in page

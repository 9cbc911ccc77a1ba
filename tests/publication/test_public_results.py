"""The public reads published results without logging in: index, ranked list, board, JSON API."""

from datetime import datetime

import pytest

from competitions.core.db import db
from competitions.publication import services
from competitions.publication.models import Appeal
from competitions.results.models import ResultSet
from competitions.results.services import compute
from tests.publication.test_publish import computed_world

NOW = datetime(2026, 11, 20, 15, 30)
AFTER_NOTICE = datetime(2026, 11, 28, 0, 0)  # the notice published at NOW has ended


def publish(world, now=NOW):
    services.publish(world.ct, db.session.get(ResultSet, world.ct.id), now)
    db.session.commit()


@pytest.fixture
def world(app):
    return computed_world()


def text(client, url):
    response = client.get(url)
    return response.status_code, response.get_data(as_text=True)


def test_drafts_are_never_shown_to_the_public(client, world):
    client.get("/lang/en")
    assert client.get(f"/results/trades/{world.ct.id}").status_code == 404
    assert client.get(f"/api/v1/contest-trades/{world.ct.id}/results").status_code == 404
    assert client.get(f"/api/v1/contest-trades/{world.ct.id}/results").json == {
        "error": "not found"
    }
    _, index = text(client, "/results")
    assert "No results have been published yet." in index
    assert world.ct.contest.name not in index
    _, board = text(client, f"/board/{world.ct.contest_id}")
    assert world.entries[0].person.name not in board
    assert "Results appear here as soon as they are published." in board
    assert client.get("/api/v1/contests").json == {"contests": []}


def test_the_ranked_list_with_ids_masked(client, world):
    publish(world)
    client.get("/lang/en")
    status, page = text(client, f"/results/trades/{world.ct.id}")
    assert status == 200
    names = [e.person.name for e in world.entries]
    # Scores 9, 7, 5 on the judged item: ranked in that order.
    assert page.index(names[0]) < page.index(names[1]) < page.index(names[2])
    for entry in world.entries:
        number = entry.person.id_number
        assert number not in page
        assert number[:4] + "**********" + number[-4:] in page
    assert "Public notice until 2026-11-27 23:59" in page
    _, index = text(client, "/results")
    assert world.ct.contest.name in index and "Province" in index
    assert f"/results/trades/{world.ct.id}" in index


def test_the_json_api_gives_the_same_published_data(client, world):
    publish(world)
    data = client.get(f"/api/v1/contest-trades/{world.ct.id}/results").json
    assert data["state"] == "notice" and data["contest"]["tier"] == "province"
    ranks = [(r["rank"], r["name"]) for r in data["results"]]
    assert ranks == [
        (1, world.entries[0].person.name),
        (2, world.entries[1].person.name),
        (3, world.entries[2].person.name),
    ]
    assert all("**********" in r["id_number"] for r in data["results"])
    assert world.entries[0].person.id_number not in client.get(
        f"/api/v1/contest-trades/{world.ct.id}/results"
    ).get_data(as_text=True)
    listing = client.get("/api/v1/contests").json["contests"]
    assert [c["id"] for c in listing] == [world.ct.contest_id]
    assert [t["id"] for t in listing[0]["trades"]] == [world.ct.id]
    assert client.get(f"/api/v1/contests/{world.ct.contest_id}").json["trades"][0]["state"] == (
        "notice"
    )
    # Every documented path answers as documented.
    spec = client.get("/api/v1/openapi.json").json
    for path in spec["paths"]:
        url = path.replace("{contest_id}", str(world.ct.contest_id)).replace(
            "{ct_id}", str(world.ct.id)
        )
        assert client.get(url).status_code == 200, url
    assert set(client.get("/api/v1").json["endpoints"]) == set(spec["paths"])


def test_script_in_a_name_is_shown_escaped(client, world):
    person = world.entries[0].person
    person.name = "<script>alert(1)</script>"
    db.session.commit()
    publish(world)
    for url in (
        f"/results/trades/{world.ct.id}",
        f"/board/{world.ct.contest_id}",
        f"/board/{world.ct.contest_id}/body",
    ):
        _, page = text(client, url)
        assert "<script>alert(1)</script>" not in page, url
        assert "&lt;script&gt;alert(1)&lt;/script&gt;" in page, url
    data = client.get(f"/api/v1/contest-trades/{world.ct.id}/results").json
    assert data["results"][0]["name"] == "<script>alert(1)</script>"  # JSON carries the text


def test_team_results_are_public(client):
    world = computed_world(team="济钢代表队")
    publish(world)
    client.get("/lang/en")
    _, page = text(client, f"/results/trades/{world.ct.id}")
    assert "Team results" in page and "济钢代表队" in page


def test_the_board_shows_every_entry_by_pages_and_a_stamp_that_changes(app, client, world):
    publish(world)
    app.config["BOARD_ROWS_PER_PAGE"] = 2
    client.get("/lang/en")
    _, body = text(client, f"/board/{world.ct.contest_id}/body")
    pages = body.split('class="board-page"')[1:]
    assert ["Page 1 of 2" in pages[0], "Page 2 of 2" in pages[1], len(pages)] == [True, True, 2]
    names = [e.person.name for e in world.entries]  # ranked 1, 2, 3
    assert [names[0] in pages[0], names[1] in pages[0], names[2] in pages[1]] == [True] * 3
    _, screen = text(client, f"/board/{world.ct.contest_id}")
    assert 'class="topbar"' not in screen and 'data-rotate="8"' in screen
    stamp = body.split('data-stamp="', 1)[1].split('"', 1)[0]
    compute.recompute([world.ct.id])  # a recompute under notice (after an upheld appeal)
    db.session.commit()
    _, body = text(client, f"/board/{world.ct.contest_id}/body")
    assert body.split('data-stamp="', 1)[1].split('"', 1)[0] != stamp


@pytest.mark.parametrize(
    ("now", "appeal", "state"),
    [
        (datetime(2026, 11, 27, 23, 0), False, "notice"),  # before the deadline
        (datetime(2026, 11, 28, 0, 1), False, "final"),  # deadline passed, nothing pending
        (datetime(2026, 11, 28, 0, 1), True, "notice"),  # an appeal is still pending
    ],
)
def test_results_become_final_by_themselves_at_the_deadline(world, now, appeal, state, monkeypatch):
    publish(world)
    if appeal:
        db.session.add(
            Appeal(
                assessment_id=world.ct.id,
                subject_id=world.entries[0].id,
                real_name=world.entries[0].person.name,
                reason="请复核第一项的成绩记录",
            )
        )
        db.session.commit()
    from competitions.publication.tasks import finalise_due

    monkeypatch.setattr("competitions.publication.services.local_now", lambda: now)
    done = finalise_due.run()
    db.session.expire_all()
    result_set = db.session.get(ResultSet, world.ct.id)
    assert result_set.state == state
    assert done == ([world.ct.id] if state == "final" else [])
    if state == "final":
        assert result_set.finalised_at == now


def test_final_results_are_not_recomputed(world):
    publish(world)
    result_set = db.session.get(ResultSet, world.ct.id)
    assert services.finalise(result_set, AFTER_NOTICE) is None
    db.session.commit()
    version = result_set.version
    refused = compute.recompute([world.ct.id])
    db.session.commit()
    assert refused == {world.ct.id: ["the results are final and cannot be recomputed"]}
    db.session.expire_all()
    assert db.session.get(ResultSet, world.ct.id).version == version


def test_the_periodic_task_is_scheduled(app):
    schedule = app.config["CELERY"]["beat_schedule"]
    tasks = {s["task"] for s in schedule.values()}
    assert tasks == {
        "publication.finalise_due",
        "accounts.forget_old_failures",
        "audit.seal",
        "privacy.apply_retention",
        "stats.refresh",
    }
    assert tasks <= set(app.extensions["celery"].tasks)  # every one is a task the workers run


def test_health_endpoint(client):
    assert text(client, "/healthz") == (200, "ok")


def test_the_public_pages_draw_the_histogram_and_the_funnel(client, world):
    publish(world)
    client.get("/lang/en")
    _, page = text(client, f"/results/trades/{world.ct.id}")
    assert 'id="totals-histogram"' in page and "Histogram of the totals of 3 ranked entries" in page
    assert "<svg" not in page.split("</title>", 1)[0]
    _, page = text(client, f"/results/contests/{world.ct.contest_id}")
    assert 'id="tier-funnel"' in page and "3 entries" in page
    assert "<svg" not in page.split("</title>", 1)[0]

"""我的评分: a judge's progress per trade; a clerk finds the score sheets to type."""

from competitions.core.db import db
from tests import factories as f
from tests.judging.marking_world import build
from tests.judging.test_review import fill


def test_a_judge_sees_their_progress_per_trade(client, login):
    world = build(n_entries=3)
    login("judge1")
    client.get("/lang/en")
    page = client.get("/marking").get_data(as_text=True)
    assert "0 of 6 scores entered" in page
    fill(world)
    page = client.get("/marking").get_data(as_text=True)
    assert "6 of 6 scores entered" in page


def test_a_clerk_finds_their_sheets(client, login):
    world = build(n_entries=2)
    f.grant(f.user("clerk1"), world.ct.contest, "clerk")

    db.session.commit()
    login("clerk1")
    client.get("/lang/en")
    page = client.get("/marking").get_data(as_text=True)
    assert f"/contest-trades/{world.ct.id}/sheets" in page
    assert "You are not on any panel." not in page

"""The organiser puts results under public notice and makes them final; appeals block final."""

from datetime import datetime

from competitions.core.db import db
from competitions.judging.models import MarkingLock
from competitions.publication.models import Appeal
from competitions.results.models import ResultSet
from competitions.results.services import compute
from tests.judging.marking_world import build, score_everyone


def computed_world(team: str | None = None):
    """Three entries scored 9, 7, 5, locked and computed (all in delegation ``team`` if
    given, counted as a team of three)."""
    world = build(n_entries=3)
    if team:
        from tests import factories as f

        delegation = f.delegation(world.ct.contest, team)
        for entry in world.entries:
            entry.delegation_id = delegation.id
        world.ct.team_size = 3
        db.session.commit()
    score_everyone(world, (9, 7, 5))
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    compute.recompute([world.ct.id])
    db.session.commit()
    return world


def act(client, world, action, confirm="y"):
    return client.post(
        f"/contest-trades/{world.ct.id}/publication/{action}",
        data={"confirm": confirm} if confirm else {},
        follow_redirects=True,
    ).get_data(as_text=True)


def state(world) -> ResultSet:
    db.session.expire_all()
    return db.session.get(ResultSet, world.ct.id)


def at(monkeypatch, when: datetime) -> None:
    """Set the organisers' clock."""
    monkeypatch.setattr("competitions.publication.services.local_now", lambda: when)


def test_publish_then_final(client, login, monkeypatch):
    world = computed_world()
    at(monkeypatch, datetime(2026, 11, 20, 15, 30))  # a Friday
    login("org")
    client.get("/lang/en")
    page = client.get(f"/contest-trades/{world.ct.id}/publication/publish").get_data(as_text=True)
    assert "Appeals are accepted until" in page and 'id="confirm-publish"' in page
    page = act(client, world, "publish", confirm=None)  # the box is not ticked: nothing moves
    assert "Tick the box to confirm." in page and state(world).state == "draft"
    page = act(client, world, "publish")
    rs = state(world)
    assert rs.state == "notice"
    assert rs.notice_deadline == datetime(2026, 11, 27, 23, 59, 59)  # five working days
    assert rs.onsite_appeal_until == datetime(2026, 11, 20, 17, 30)
    assert "Under public notice until 2026-11-27 23:59" in page
    page = act(client, world, "publish")  # again: refused, nothing moves
    assert "only draft results can be put under public notice" in page
    assert state(world).state == "notice"

    db.session.add(
        Appeal(
            assessment_id=world.ct.id,
            subject_id=world.entries[1].id,
            real_name=world.entries[1].person.name,
            reason="请复核第二项成绩记录",
        )
    )
    db.session.commit()
    page = act(client, world, "finalise")  # the notice is still open
    assert "the public notice is open until 2026-11-27 23:59" in page
    assert state(world).state == "notice"
    results = client.get(f"/contest-trades/{world.ct.id}/results").get_data(as_text=True)
    assert 'id="finalise"' not in results and 'id="finalise-refused"' in results
    at(monkeypatch, datetime(2026, 11, 28, 9, 0))  # after the deadline
    page = act(client, world, "finalise")
    assert "1 appeals are not decided yet" in page and state(world).state == "notice"
    appeal = db.session.query(Appeal).one()
    appeal.state = "rejected"
    db.session.commit()
    page = act(client, world, "finalise")
    assert "The results are final." in page and state(world).state == "final"
    assert "only results under public notice can be withdrawn" in act(client, world, "withdraw")


def test_only_the_contests_organisers_publish(client, login):
    world = computed_world()
    for user in ("chief", "judge1"):
        login(user)
        response = client.post(f"/contest-trades/{world.ct.id}/publication/publish")
        assert response.status_code == 403
    assert state(world).state == "draft"


def test_final_waits_for_a_correction_to_be_locked_and_recomputed(client, login):
    from competitions.core.db import utcnow
    from competitions.publication import services

    world = computed_world()
    services.publish(world.ct, state(world), datetime(2026, 11, 20, 15, 30))
    db.session.commit()
    now = datetime(2026, 11, 28, 9, 0)  # the notice has ended
    lock = db.session.get(MarkingLock, world.ct.id)
    lock.locked = False  # an upheld appeal reopened the marks
    db.session.commit()
    problem = services.finalise(state(world), now)
    assert problem.msgid.startswith("the marks are reopened")
    lock.locked, lock.locked_at = True, utcnow()  # locked again, not yet recomputed
    db.session.commit()
    assert services.finalise(state(world), now).msgid.startswith("the marks are reopened")
    assert services.finalise_due(datetime(2026, 12, 1, 0, 0)) == []
    compute.recompute([world.ct.id])
    db.session.commit()
    assert services.finalise(state(world), now) is None
    db.session.commit()
    assert state(world).state == "final"

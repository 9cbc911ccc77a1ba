"""The timekeeper records time used by anonymous code; it is audited, locked with the marks,
and breaks the tie of two entries equal on total and practical."""

from sqlalchemy import select

from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.judging.models import MarkingLock
from competitions.registry.models import Entry
from competitions.results.models import Result, TeamResult
from competitions.results.services import compute
from tests import factories as f
from tests.judging.marking_world import build, score_everyone


def save(client, world, code, value):
    return client.post(f"/contest-trades/{world.ct.id}/times", json={"code": code, "value": value})


def clerk(world):
    user = f.user("clerk1")
    f.grant(user, world.ct.contest, "clerk")
    db.session.commit()
    return user


def test_the_clerk_types_times_by_code_and_every_change_is_audited(client, login):
    world = build()
    user = clerk(world)
    login("clerk1")
    page = client.get(f"/contest-trades/{world.ct.id}/times").get_data(as_text=True)
    for code in world.codes:
        assert f">{code}<" in page
    for entry in world.entries:
        assert entry.person.name not in page and entry.person.id_number not in page
    response = save(client, world, world.codes[0], "52分30秒")
    assert response.get_json() == {"value": "52:30", "new": True}
    assert save(client, world, world.codes[0], "51:05").get_json() == {
        "value": "51:05",
        "new": False,
    }
    db.session.expire_all()
    assert db.session.get(Entry, world.entries[0].id).time_used_s == 3065
    trail = db.session.scalars(
        select(AuditLog).filter_by(entity="entry", entity_id=world.entries[0].id)
    ).all()
    trail = [a for a in trail if a.action == "update"]
    assert [(a.user_id, a.changes["time_used_s"]) for a in trail] == [
        (user.id, [None, 3150]),
        (user.id, [3150, 3065]),
    ]
    assert 'value="51:05"' in client.get(f"/contest-trades/{world.ct.id}/times").get_data(
        as_text=True
    )


def test_a_bad_time_or_code_is_refused_with_the_reason(client, login):
    world = build()
    clerk(world)
    login("clerk1")
    client.get("/lang/en")
    refused = save(client, world, world.codes[0], "52:75")
    assert refused.status_code == 400 and "minutes:seconds" in refused.get_json()["error"]
    unknown = save(client, world, "999999", "52:30")
    assert unknown.status_code == 400 and "999999" in unknown.get_json()["error"]
    assert db.session.scalars(select(Entry.time_used_s)).all() == [None, None, None]


def test_times_cannot_change_once_the_marks_are_locked(client, login):
    world = build()
    clerk(world)
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    login("clerk1")
    assert "disabled" in client.get(f"/contest-trades/{world.ct.id}/times").get_data(as_text=True)
    response = save(client, world, world.codes[0], "52:30")
    assert response.status_code == 409
    assert db.session.scalars(select(Entry.time_used_s)).all() == [None, None, None]


def test_only_timekeepers_record_times(client, login):
    world = build()
    login("judge1")
    assert client.get(f"/contest-trades/{world.ct.id}/times").status_code == 403
    assert save(client, world, world.codes[0], "52:30").status_code == 403
    client.post("/logout")
    login("chief")
    assert save(client, world, world.codes[0], "52:30").status_code == 200


def test_the_time_typed_decides_between_entries_equal_on_total_and_practical(client, login):
    world = build()
    clerk(world)
    score_everyone(world, ["8", "8", "6"])
    login("clerk1")
    save(client, world, world.codes[0], "55:00")
    save(client, world, world.codes[1], "50:00")
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    compute.recompute([world.ct.id])
    db.session.commit()
    ranks = dict(db.session.execute(select(Result.subject_id, Result.rank)).all())
    first, second, third = world.entries
    assert (ranks[second.id], ranks[first.id], ranks[third.id]) == (1, 2, 3)
    client.post("/logout")
    login("org")
    page = client.get(f"/contest-trades/{world.ct.id}/results").get_data(as_text=True)
    assert page.index(">50:00<") < page.index(">55:00<")  # shown, in rank order


def test_the_team_table_shows_the_time_sum_only_where_it_broke_a_tie(client, login):
    world = build()
    for name, score, time_sum, rank in (
        ("甲队", 250, 9000, 1),
        ("乙队", 250, 9100, 2),
        ("丙队", 200, 8000, 3),
    ):
        delegation = f.delegation(world.ct.contest, name)
        db.session.add(
            TeamResult(
                contest_trade_id=world.ct.id,
                delegation_id=delegation.id,
                score=score,
                time_sum=time_sum,
                rank=rank,
                members=[],
            )
        )
    db.session.commit()
    login("org")
    page = client.get(f"/contest-trades/{world.ct.id}/results").get_data(as_text=True)
    assert ">150:00<" in page and ">151:40<" in page  # equal on score: the time sum decided
    assert ">133:20<" not in page

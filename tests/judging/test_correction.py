"""The chief judge corrects a judge's score while the marks are open, with a reason."""

from decimal import Decimal

from sqlalchemy import select

from competitions.core.db import db
from competitions.judging.models import Mark, MarkChange, MarkingLock
from tests.judging.marking_world import build, score_everyone


def correct(client, world, value="8.5", reason="申诉成立，按录像复核更正", judge=None, code=None):
    return client.post(
        f"/contest-trades/{world.ct.id}/review/correct",
        data={
            "code": code or world.codes[1],
            "item_id": world.items[0].id,
            "judge_id": (judge or world.judges[0]).id,
            "value": value,
            "reason": reason,
        },
        follow_redirects=True,
    )


def mark(world, entry=1, judge=0) -> Decimal:
    db.session.expire_all()
    return db.session.scalar(
        select(Mark.value).filter_by(
            subject_id=world.entries[entry].id,
            item_id=world.items[0].id,
            judge_id=world.judges[judge].id,
        )
    )


def test_the_chief_judge_corrects_a_score_with_a_reason(client, login):
    world = build(n_entries=3)
    score_everyone(world, (9, 7, 5))
    login("chief")
    client.get("/lang/en")
    page = correct(client, world).get_data(as_text=True)
    assert "Score corrected to 8.5." in page
    assert mark(world) == Decimal("8.5")
    change = db.session.scalars(select(MarkChange).order_by(MarkChange.id.desc())).first()
    assert (change.old_value, change.new_value, change.changed_by) == (
        7,
        Decimal("8.5"),
        world.chief.id,
    )
    assert change.reason == "申诉成立，按录像复核更正"


def test_bad_corrections_are_refused_with_the_reason(client, login):
    world = build(n_entries=3)
    score_everyone(world, (9, 7, 5))
    login("chief")
    client.get("/lang/en")
    assert "above the maximum of 10" in correct(client, world, value="11").get_data(as_text=True)
    assert mark(world) == 7
    page = correct(client, world, reason="").get_data(as_text=True)
    assert "Give the code, the item, the judge, the score and the reason." in page
    page = correct(client, world, code="999999").get_data(as_text=True)
    assert "no such anonymous code or item in this contest-trade" in page
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    page = correct(client, world).get_data(as_text=True)
    assert "the marks are locked by the chief judge" in page
    assert mark(world) == 7


def test_only_the_chief_judge_corrects(client, login):
    world = build(n_entries=3)
    score_everyone(world, (9, 7, 5))
    for user in ("judge1", "org"):
        login(user)
        assert correct(client, world).status_code == 403
    assert mark(world) == 7


def test_final_results_keep_their_marks(client, login):
    from competitions.results.models import ResultSet

    world = build(n_entries=3)
    score_everyone(world, (9, 7, 5))
    db.session.add(ResultSet(assessment_id=world.ct.id, state="final"))
    db.session.commit()
    login("chief")
    client.get("/lang/en")
    page = correct(client, world).get_data(as_text=True)
    assert "the results are final: their marks cannot change" in page
    assert mark(world) == 7
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    page = client.post(
        f"/contest-trades/{world.ct.id}/unlock",
        data={"reason": "想再改一下成绩"},
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "the results are final: their marks cannot change" in page
    assert db.session.get(MarkingLock, world.ct.id).locked

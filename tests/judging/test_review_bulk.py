"""The chief judge resolves many disagreements with one decision, and corrects their own
scores when they mark too."""

from decimal import Decimal

from sqlalchemy import select

from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.judging.models import FlagResolution, JudgeItem, JudgeSubject, Mark, PanelMember
from competitions.judging.services.marks import save_score
from tests.judging.marking_world import build
from tests.judging.test_review import fill, review


def resolve_many(client, world, flags, comment="经复核，评分有据，予以确认", action="confirm"):
    return client.post(
        f"/contest-trades/{world.ct.id}/review/resolve-many",
        data={"flags": flags, "action": action, "comment": comment},
        follow_redirects=True,
    ).get_data(as_text=True)


def flag_values(world):
    judged = world.items[0]
    return [f"{entry.id}-{judged.id}" for entry in world.entries]


def resolutions():
    db.session.expire_all()
    return db.session.scalars(select(FlagResolution).order_by(FlagResolution.id)).all()


def test_one_decision_resolves_every_chosen_disagreement(client, login):
    world = build(n_entries=4)
    fill(world, judged_scores=(5, 7, 8))  # every entry disagrees on the judged item
    login("chief")
    client.get("/lang/en")
    page = review(client, world)
    assert page.count('name="flags"') == 4 and 'id="select-all-flags"' in page

    page = resolve_many(client, world, flag_values(world)[:3])
    assert "Decision recorded on 3 disagreements." in page
    assert page.count('class="flag-confirmed"') == 3 and page.count('class="flag-open"') == 1
    assert [(r.subject_id, r.action) for r in resolutions()] == [
        (e.id, "confirm") for e in world.entries[:3]
    ]
    logged = db.session.scalar(
        select(db.func.count()).select_from(AuditLog).where(AuditLog.entity == "flag_resolution")
    )
    assert logged == 3  # each decision is logged on its own


def test_a_bulk_decision_is_all_or_nothing(client, login):
    world = build(n_entries=3)
    fill(world, judged_scores=(5, 7, 8))
    login("chief")
    client.get("/lang/en")
    page = resolve_many(client, world, [*flag_values(world), "999999-999999"])
    assert "is not a valid choice" in page and not resolutions()
    page = resolve_many(client, world, flag_values(world), comment="  ")
    assert "Write a comment with the decision." in page and not resolutions()
    page = resolve_many(client, world, [])
    assert "Choose at least one disagreement." in page and not resolutions()
    for user in ("judge1", "org"):
        login(user)
        response = client.post(
            f"/contest-trades/{world.ct.id}/review/resolve-many",
            data={"flags": flag_values(world), "action": "confirm", "comment": "xxxxxx"},
        )
        assert response.status_code == 403
    assert not resolutions()


def test_the_chief_judge_corrects_their_own_score(client, login):
    world = build(n_entries=2)
    chief_seat = db.session.scalar(select(PanelMember).filter_by(user_id=world.chief.id))
    judged = world.items[0]
    db.session.add(JudgeItem(member_id=chief_seat.id, item_id=judged.id))
    db.session.add(JudgeSubject(member_id=chief_seat.id, subject_id=world.entries[0].id))
    save_score(
        world.ct.id, world.entries[0].id, judged.id, world.chief.id, Decimal(6), world.chief.id
    )
    db.session.commit()
    login("chief")
    client.get("/lang/en")
    page = review(client, world)
    assert f'<option value="{world.chief.id}">' in page  # offered among the judges
    page = client.post(
        f"/contest-trades/{world.ct.id}/review/correct",
        data={
            "code": world.codes[0],
            "item_id": judged.id,
            "judge_id": world.chief.id,
            "value": "6.5",
            "reason": "按录像复核更正本人评分",
        },
        follow_redirects=True,
    ).get_data(as_text=True)
    assert "Score corrected to 6.5." in page
    db.session.expire_all()
    assert db.session.scalar(
        select(Mark.value).filter_by(subject_id=world.entries[0].id, judge_id=world.chief.id)
    ) == Decimal("6.5")

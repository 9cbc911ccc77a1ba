"""The outside body's decision on an honour, recorded by the organiser after the results are
final; a granted promotion goes to the register and raises the person's skill level."""

from datetime import date, datetime

import pytest
from sqlalchemy import select

from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.publication import services as publication
from competitions.registry.models import Person
from competitions.results import rules
from competitions.results.models import Honour, Promotion, ResultSet
from tests.publication.test_publish import computed_world

NOTICE = datetime(2026, 11, 20, 15, 30)
AFTER = datetime(2026, 12, 1, 9, 0)


@pytest.mark.parametrize(
    ("results_state", "honour_state", "problem"),
    [
        ("final", "recommended", None),
        ("notice", "recommended", "an honour is decided only after the results are final"),
        ("draft", "recommended", "an honour is decided only after the results are final"),
        (None, "recommended", "an honour is decided only after the results are final"),
        ("final", "granted", "this honour has already been decided"),
        ("final", "withdrawn", "this honour has already been decided"),
    ],
)
def test_when_an_honour_can_be_decided(results_state, honour_state, problem):
    assert rules.honour_decision_problem(results_state, honour_state) == problem


@pytest.mark.parametrize(("held", "proposed"), [(None, 5), (5, 4), (3, 2), (2, 1), (1, None)])
def test_a_promotion_proposes_one_level_up(held, proposed):
    assert rules.promotion_to(held) == proposed


@pytest.mark.parametrize(
    ("held", "granted", "problem"),
    [
        (3, 2, None),
        (4, 2, None),  # two levels, as the outside body decided
        (None, 3, None),
        (3, 3, "the level granted must be above the level held"),
        (2, 3, "the level granted must be above the level held"),
        (3, None, "choose the skill level granted"),
        (3, 0, "choose the skill level granted"),
    ],
)
def test_which_promotions_can_be_recorded(held, granted, problem):
    assert rules.promotion_problem(held, granted) == problem


@pytest.fixture
def final_world(app):
    """Scores 9, 7, 5 with three prizes; under notice, then final: three promotions recommended."""
    world = computed_world()
    world.ct.award_mode, world.ct.award_numbers, world.ct.award_min_total = "fixed", "1,1,1", None
    db.session.commit()
    from competitions.results.services import compute

    compute.recompute([world.ct.id])
    result_set = db.session.get(ResultSet, world.ct.id)
    assert publication.publish(world.ct, result_set, NOTICE) is None
    db.session.commit()
    return world, result_set


def promotion_of(world, entry) -> Honour:
    return db.session.scalar(
        select(Honour).filter_by(
            contest_trade_id=world.ct.id, entry_id=entry.id, honour="promotion"
        )
    )


def test_the_organiser_records_a_granted_promotion(client, login, final_world):
    world, result_set = final_world
    first = world.entries[0]
    first.person.skill_level = 3
    db.session.commit()
    honour = promotion_of(world, first)
    login("org")
    client.get("/lang/en")
    url = f"/honours/{honour.id}/decision"
    # Under notice: refused, with the reason.
    page = client.get(url).get_data(as_text=True)
    assert "an honour is decided only after the results are final" in page
    assert publication.finalise(result_set, AFTER) is None
    db.session.commit()
    page = client.get(url).get_data(as_text=True)
    assert 'id="level-held"' in page and "Level 3 / senior worker" in page
    # The proposal is one level up; without the tick nothing is saved.
    assert '<option selected value="2">' in page
    form = {
        "decision": "granted",
        "to_level": "2",
        "decided_on": "2026-12-03",
        "note": "鲁人社字〔2026〕12号",
    }
    page = client.post(url, data=form).get_data(as_text=True)
    assert "Tick the box to confirm." in page
    db.session.expire_all()
    assert promotion_of(world, first).state == "recommended"
    # A level not above the one held is refused beside the field.
    page = client.post(url, data={**form, "to_level": "3", "confirm": "y"}).get_data(as_text=True)
    assert "the level granted must be above the level held" in page
    assert db.session.scalar(select(Promotion.id)) is None
    client.post(url, data={**form, "confirm": "y"})
    db.session.expire_all()
    honour = promotion_of(world, first)
    assert (honour.state, honour.decided_on, honour.note) == (
        "granted",
        date(2026, 12, 3),
        "鲁人社字〔2026〕12号",
    )
    promotion = db.session.scalar(select(Promotion))
    assert (promotion.person_id, promotion.from_level, promotion.to_level, promotion.award) == (
        first.person_id,
        3,
        2,
        "first",
    )
    assert db.session.get(Person, first.person_id).skill_level == 2
    # The register lists it; the trail says it in people's words.
    register = client.get(f"/contests/{world.ct.contest_id}/promotions").get_data(as_text=True)
    assert first.person.name in register and "Level 2 / technician" in register
    trail = client.get(f"/contests/{world.ct.contest_id}/audit").get_data(as_text=True)
    assert "Skill level granted" in trail or "Skill level promotion" in trail
    # Decided once.
    page = client.get(url).get_data(as_text=True)
    assert "this honour has already been decided" in page
    assert db.session.scalar(select(AuditLog.id).filter_by(entity="promotion")) is not None


def test_a_withdrawn_honour_writes_no_promotion(client, login, final_world):
    world, result_set = final_world
    assert publication.finalise(result_set, AFTER) is None
    db.session.commit()
    honour = promotion_of(world, world.entries[1])
    login("org")
    client.post(
        f"/honours/{honour.id}/decision",
        data={"decision": "withdrawn", "decided_on": "2026-12-03", "confirm": "y"},
    )
    db.session.expire_all()
    assert promotion_of(world, world.entries[1]).state == "withdrawn"
    assert db.session.scalar(select(Promotion.id)) is None

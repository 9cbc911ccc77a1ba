"""A small marked contest-trade for tests: a scheme, a panel, coded entries."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from competitions.core.db import db
from competitions.judging.models import (
    JudgeItem,
    JudgeSubject,
    PanelMember,
    SchemeItem,
    SchemePart,
    SubjectCode,
)
from competitions.registry.models import Entry, Person
from tests import factories as f


@dataclass
class World:
    ct: object
    items: list
    judges: list
    chief: object
    entries: list
    codes: list
    members: dict


def practical_items(part_id: int, n_judges: int) -> list[SchemeItem]:
    """A judged item 0-10 (step 0.5) and a measured item 0-5 (step 0.01, tolerance 5), each
    marked by ``n_judges`` judges and combined by the mean (not yet added to the session)."""
    return [
        SchemeItem(
            part_id=part_id,
            position=1,
            code="J1",
            criterion="工件外观",
            kind="judgement",
            max_mark=Decimal(10),
            step=Decimal("0.5"),
            judges=n_judges,
            aggregation="mean",
        ),
        SchemeItem(
            part_id=part_id,
            position=2,
            code="M1",
            criterion="尺寸精度",
            kind="measurement",
            max_mark=Decimal(5),
            step=Decimal("0.01"),
            judges=n_judges,
            aggregation="mean",
            tolerance=Decimal(5),
        ),
    ]


def build(n_entries: int = 3, n_judges: int = 3) -> World:
    """A contest-trade with one practical part (a judged item 0-10, a measured item 0-5),
    ``n_judges`` judges on every item and entry, a chief judge, and coded entries."""
    contest = f.contest("SD-2018", tier="province")
    ct = f.contest_trade(contest, f.trade())
    part = SchemePart(assessment_id=ct.id, kind="practical", name="实操")
    db.session.add(part)
    db.session.flush()
    judged, measured = practical_items(part.id, n_judges)
    db.session.add_all([judged, measured])
    unit = f.unit("济钢")
    entries, codes = [], []
    for n in range(n_entries):
        person = Person(
            name=f"选手{n}号",
            gender="M",
            birth_date=date(1990, 1, n + 1),
            id_type="resident",
            id_number=f.resident_id(date(1990, 1, n + 1), n),
            unit_id=unit.id,
        )
        db.session.add(person)
        db.session.flush()
        entry = Entry(person_id=person.id, contest_trade_id=ct.id, status="approved")
        db.session.add(entry)
        db.session.flush()
        code = str(700 + n * 37)
        db.session.add(SubjectCode(subject_id=entry.id, assessment_id=ct.id, code=code))
        entries.append(entry)
        codes.append(code)
    judges, members = [], {}
    for n in range(n_judges):
        judge = f.user(f"judge{n + 1}")
        f.grant(judge, contest, "judge")
        member = PanelMember(assessment_id=ct.id, user_id=judge.id, role="judge")
        db.session.add(member)
        db.session.flush()
        for item in (judged, measured):
            db.session.add(JudgeItem(member_id=member.id, item_id=item.id))
        for entry in entries:
            db.session.add(JudgeSubject(member_id=member.id, subject_id=entry.id))
        judges.append(judge)
        members[judge.username] = member
    chief = f.user("chief")
    f.grant(chief, contest, "chief_judge")
    db.session.add(PanelMember(assessment_id=ct.id, user_id=chief.id, role="chief_judge"))
    organiser = f.user("org", registrar=True)
    f.grant(organiser, contest, "organiser")
    db.session.commit()
    return World(ct, [judged, measured], judges, chief, entries, codes, members)


def score_everyone(world: World, judged_scores, measured=3) -> None:
    """Every judge gives each entry its score on the judged item (in entry order) and
    ``measured`` on the measured item; committed."""
    from competitions.judging.services.marks import save_score

    judged, measured_item = world.items
    for entry, score in zip(world.entries, judged_scores, strict=True):
        for judge in world.judges:
            save_score(world.ct.id, entry.id, judged.id, judge.id, Decimal(score), judge.id)
            save_score(
                world.ct.id, entry.id, measured_item.id, judge.id, Decimal(measured), judge.id
            )
    db.session.commit()

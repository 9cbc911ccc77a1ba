"""A contest for the fault tests: contest-trades with a scheme, a panel and coded entries, marked,
locked, computed and published as a test needs them."""

from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal

from sqlalchemy import select

from competitions.core.db import db
from competitions.judging.models import (
    JudgeItem,
    JudgeSubject,
    PanelMember,
    SchemePart,
    SubjectCode,
)
from competitions.judging.services import review
from competitions.judging.services.marks import save_score
from competitions.publication import services as publication
from competitions.registry.models import Entry, Person
from competitions.results.models import Result, ResultSet
from competitions.results.services import compute
from tests import factories as f
from tests.judging.marking_world import practical_items

TRADES = (
    ("6-20-01", "钳工", "Fitter"),
    ("6-18-02", "车工", "Turner"),
    ("6-30-01", "焊工", "Welder"),
)
SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰涛明超秀霞平刚"


@dataclass
class MarkedTrade:
    """One contest-trade: its items (judged 0-10 by 0.5, measured 0-5 by 0.01) and entries."""

    ct: object
    items: list
    entries: list
    #: entry id → anonymous code
    codes: dict = field(default_factory=dict)


@dataclass
class World:
    contest: object
    organiser: object
    chief: object
    judges: list
    trades: list


def name_of(n: int) -> str:
    """A distinct Chinese name for the n-th contestant."""
    return SURNAMES[n % 20] + GIVEN[n // 20 % 20] + GIVEN[n // 400 % 20]


def build(trades: int = 1, entries: int = 3, judges: int = 3) -> World:
    """A provincial contest with ``trades`` contest-trades of ``entries`` coded entries each, all
    marked by the same ``judges`` judges ("judge1"…) under the chief judge "chief"; the
    organiser "org"."""
    contest = f.contest("SD-2018", tier="province", year=2018)
    organiser = f.user("org", registrar=True)
    f.grant(organiser, contest, "organiser")
    chief = f.user("chief")
    f.grant(chief, contest, "chief_judge")
    panel = []
    for n in range(judges):
        judge = f.user(f"judge{n + 1}")
        f.grant(judge, contest, "judge")
        panel.append(judge)
    unit = f.unit("济南第二机床厂")
    made = [
        _trade(contest, TRADES[t], unit, panel, chief, entries, t * entries) for t in range(trades)
    ]
    db.session.commit()
    return World(contest, organiser, chief, panel, made)


def _trade(contest, names, unit, judges, chief, count: int, first: int) -> MarkedTrade:
    ct = f.contest_trade(contest, f.trade(*names))
    ct.theory_weight, ct.practical_weight = Decimal(0), Decimal(100)  # a practical part only
    part = SchemePart(assessment_id=ct.id, kind="practical", name="实操")
    db.session.add(part)
    db.session.flush()
    items = practical_items(part.id, len(judges))
    db.session.add_all(items)
    people = []
    for n in range(first, first + count):
        born = date(1980, 1, 1) + timedelta(days=n // 400)
        people.append(
            Person(
                name=name_of(n),
                gender="M",
                birth_date=born,
                id_type="resident",
                id_number=f.resident_id(born, n % 400),
                unit_id=unit.id,
            )
        )
    db.session.add_all(people)
    db.session.flush()
    entries = [Entry(person_id=p.id, contest_trade_id=ct.id, status="approved") for p in people]
    db.session.add_all(entries)
    db.session.flush()
    codes = {e.id: str(100 + n * 7) for n, e in enumerate(entries)}
    db.session.add_all(
        SubjectCode(subject_id=e.id, assessment_id=ct.id, code=codes[e.id]) for e in entries
    )
    for judge in judges:
        member = PanelMember(assessment_id=ct.id, user_id=judge.id, role="judge")
        db.session.add(member)
        db.session.flush()
        db.session.add_all(JudgeItem(member_id=member.id, item_id=item.id) for item in items)
        db.session.add_all(JudgeSubject(member_id=member.id, subject_id=e.id) for e in entries)
    db.session.add(PanelMember(assessment_id=ct.id, user_id=chief.id, role="chief_judge"))
    db.session.flush()
    return MarkedTrade(ct, items, entries, codes)


def score(world: World, trade: MarkedTrade, judged, measured=Decimal(3)) -> None:
    """Every judge marks every entry: ``judged(n)`` on the judged item for the n-th entry,
    ``measured`` on the measured one; committed."""
    first, second = trade.items
    for n, entry in enumerate(trade.entries):
        for judge in world.judges:
            save_score(trade.ct.id, entry.id, first.id, judge.id, Decimal(judged(n)), judge.id)
            save_score(trade.ct.id, entry.id, second.id, judge.id, Decimal(measured), judge.id)
    db.session.commit()


def lock(world: World, trade: MarkedTrade) -> None:
    """The chief judge locks the marks."""
    assert review.lock(trade.ct.id, world.chief.id) == []
    db.session.commit()


def lock_and_compute(world: World, trade: MarkedTrade) -> None:
    """The chief judge locks the marks; the results are computed (in this process)."""
    lock(world, trade)
    refused = compute.recompute([trade.ct.id])
    assert refused == {}, refused
    db.session.commit()


def unlock(world: World, trade: MarkedTrade) -> None:
    review.unlock(trade.ct.id, world.chief.id, "a judge mistyped a score")
    db.session.commit()


def publish_final(trade: MarkedTrade, now=datetime(2018, 5, 20, 9, 0)) -> None:
    """Put the computed results under public notice, then make them final."""
    result_set = db.session.get(ResultSet, trade.ct.id)
    assert publication.publish(trade.ct, result_set, now) is None
    assert (
        publication.finalise(result_set, result_set.notice_deadline + timedelta(seconds=1)) is None
    )
    db.session.commit()


def results(ct_id: int) -> list[tuple]:
    """The contest-trade's entry results as rows a reader compares: (entry, total, rank,
    award, practical), in entry order, read afresh from the database."""
    db.session.expire_all()
    rows = db.session.execute(
        select(Result.subject_id, Result.total, Result.rank, Result.award, Result.practical)
        .where(Result.assessment_id == ct_id)
        .order_by(Result.subject_id)
    )
    return [tuple(r) for r in rows]

"""Recording the outside body's decision on an honour, and the register of promotions."""

from dataclasses import dataclass
from datetime import date

from sqlalchemy import select

from competitions.core.db import db
from competitions.core.words import Reason
from competitions.registry.models import Contest, ContestTrade, Entry, Person, Trade
from competitions.results import rules
from competitions.results.models import Honour, Promotion, Result, ResultSet


class DecisionError(Exception):
    """The decision cannot be recorded: the field to show it beside, and why."""

    def __init__(self, field: str, reason: Reason):
        super().__init__(reason.msgid)
        self.field, self.reason = field, reason


def refusal(honour: Honour) -> str | None:
    """Why this honour cannot be decided now (a message id), or None."""
    result_set = db.session.get(ResultSet, honour.contest_trade_id)
    return rules.honour_decision_problem(result_set and result_set.state, honour.state)


def decide(
    honour: Honour, granted: bool, decided_on: date, note: str, to_level: int | None = None
) -> Promotion | None:
    """Record the decision (flush; the caller commits). A granted promotion is written to the
    register, and the person's skill level becomes the level granted."""
    problem = refusal(honour)
    if problem:
        raise DecisionError("confirm", Reason.of(problem))
    person = db.session.scalar(
        select(Person).join(Entry, Entry.person_id == Person.id).where(Entry.id == honour.entry_id)
    )
    promotion = None
    if granted and honour.honour == "promotion":
        problem = rules.promotion_problem(person.skill_level, to_level)
        if problem:
            raise DecisionError("to_level", Reason.of(problem))
        award = db.session.scalar(select(Result.award).where(Result.subject_id == honour.entry_id))
        promotion = Promotion(
            honour_id=honour.id,
            person_id=person.id,
            contest_trade_id=honour.contest_trade_id,
            from_level=person.skill_level,
            to_level=to_level,
            award=award,
            granted_on=decided_on,
        )
        db.session.add(promotion)
        person.skill_level = to_level
    honour.state = "granted" if granted else "withdrawn"
    honour.decided_on = decided_on
    honour.note = note
    db.session.flush()
    return promotion


@dataclass(frozen=True)
class RegisterLine:
    """One promotion as the register lists it."""

    promotion: Promotion
    name: str
    contest: str
    trade: Trade
    year: int


def register(contest_ids: list[int] | None = None, year: int | None = None) -> list[RegisterLine]:
    """The promotions granted (of these contests, in this year), latest first."""
    query = (
        select(Promotion, Person.name, Contest.name, Trade, Contest.year)
        .join(Person, Person.id == Promotion.person_id)
        .join(ContestTrade, ContestTrade.id == Promotion.contest_trade_id)
        .join(Contest, Contest.id == ContestTrade.contest_id)
        .join(Trade, Trade.id == ContestTrade.trade_id)
        .order_by(Promotion.granted_on.desc(), Promotion.id.desc())
    )
    if contest_ids is not None:
        query = query.where(Contest.id.in_(contest_ids))
    if year is not None:
        query = query.where(Contest.year == year)
    return [RegisterLine(*row) for row in db.session.execute(query)]

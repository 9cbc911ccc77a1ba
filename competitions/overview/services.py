"""Counting the facts of many contest-trades at once for the overview (reads only).

Each fact is one grouped query over all the contest-trades asked for; only the trades whose
scores are all in and not yet locked are read one by one (their disagreements need the judges'
scores), and those are the trades waiting for their chief judge.
"""

from collections import Counter
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import func, select

from competitions.certificates.models import Certificate
from competitions.core.db import db
from competitions.judging.models import (
    Mark,
    MarkingLock,
    PanelMember,
    SchemeItem,
    SchemePart,
    SubjectCode,
)
from competitions.judging.services import review
from competitions.overview import rules
from competitions.publication import rules as publication_rules
from competitions.publication.models import Appeal
from competitions.registry.models import MARKED_STATUSES, ContestTrade, Entry, Trade
from competitions.results.models import ResultSet


@dataclass(frozen=True)
class TradeOverview:
    """One row of the overview: the contest-trade, its facts and where it stands."""

    ct: ContestTrade
    facts: rules.TradeFacts
    standing: rules.Standing


def _grouped(query) -> dict[int, int]:
    return {ct_id: n or 0 for ct_id, n in db.session.execute(query)}


def _marked(ct_ids):
    return Entry.contest_trade_id.in_(ct_ids), Entry.status.in_(MARKED_STATUSES)


def _counts(ct_ids: list[int]) -> dict[str, dict[int, int]]:
    """The grouped counts: entries, items, judges per item, judges, chiefs, codes, marks."""
    by_entry = Entry.contest_trade_id
    item_rows = db.session.execute(
        select(SchemePart.assessment_id, func.count(SchemeItem.id), func.sum(SchemeItem.judges))
        .join(SchemeItem.part)
        .where(SchemePart.assessment_id.in_(ct_ids))
        .group_by(SchemePart.assessment_id)
    ).all()
    panel = Counter()
    for ct_id, role, n in db.session.execute(
        select(PanelMember.assessment_id, PanelMember.role, func.count())
        .where(PanelMember.assessment_id.in_(ct_ids))
        .group_by(PanelMember.assessment_id, PanelMember.role)
    ):
        panel[(ct_id, role)] = n
    return {
        "entries": _grouped(
            select(by_entry, func.count()).where(*_marked(ct_ids)).group_by(by_entry)
        ),
        "items": {ct_id: n for ct_id, n, _ in item_rows},
        "item_judges": {ct_id: int(j or 0) for ct_id, _, j in item_rows},
        "judges": {ct_id: panel[(ct_id, "judge")] for ct_id in ct_ids},
        "chiefs": {ct_id: panel[(ct_id, "chief_judge")] for ct_id in ct_ids},
        "codes": _grouped(
            select(by_entry, func.count())
            .join(SubjectCode, SubjectCode.subject_id == Entry.id)
            .where(*_marked(ct_ids))
            .group_by(by_entry)
        ),
        "marks": _grouped(
            select(by_entry, func.count())
            .join(Mark, Mark.subject_id == Entry.id)
            .where(*_marked(ct_ids))
            .group_by(by_entry)
        ),
        "appeals": _grouped(
            select(Appeal.assessment_id, func.count())
            .where(Appeal.assessment_id.in_(ct_ids), Appeal.state == "pending")
            .group_by(Appeal.assessment_id)
        ),
        "certificates": _grouped(
            select(Certificate.assessment_id, func.count())
            .where(Certificate.assessment_id.in_(ct_ids), Certificate.state == "valid")
            .group_by(Certificate.assessment_id)
        ),
    }


def trade_facts(ct_ids: list[int]) -> dict[int, rules.TradeFacts]:
    """{contest-trade id: its facts} for the given contest-trades."""
    counts = _counts(ct_ids)
    locks = {
        lock.assessment_id: lock
        for lock in db.session.scalars(
            select(MarkingLock).where(MarkingLock.assessment_id.in_(ct_ids))
        )
    }
    results = {
        rs.assessment_id: rs
        for rs in db.session.scalars(select(ResultSet).where(ResultSet.assessment_id.in_(ct_ids)))
    }
    out = {}
    for ct_id in ct_ids:
        lock, result_set = locks.get(ct_id), results.get(ct_id)
        locked = bool(lock and lock.locked)
        entries = counts["entries"].get(ct_id, 0)
        expected = entries * counts["item_judges"].get(ct_id, 0)
        entered = min(counts["marks"].get(ct_id, 0), expected)
        open_flags = 0
        if expected and entered == expected and not locked:
            state = review.lock_state(ct_id)
            entered, open_flags = expected - min(state.unmarked, expected), state.open_flags
        out[ct_id] = rules.TradeFacts(
            entries=entries,
            scheme_items=counts["items"].get(ct_id, 0),
            judges=counts["judges"][ct_id],
            has_chief=bool(counts["chiefs"][ct_id]),
            codes=counts["codes"].get(ct_id, 0),
            cells_entered=entered,
            cells_expected=expected,
            open_disagreements=open_flags,
            locked=locked,
            result_state=result_set.state if result_set else None,
            computed_after_lock=bool(
                result_set
                and lock
                and publication_rules.settled(lock.locked, lock.locked_at, result_set.computed_at)
            ),
            notice_deadline=result_set.notice_deadline if result_set else None,
            pending_appeals=counts["appeals"].get(ct_id, 0),
            certificates=counts["certificates"].get(ct_id, 0),
        )
    return out


def overview(cts: list[ContestTrade], now: datetime) -> list[TradeOverview]:
    """The overview rows of these contest-trades, in the order given."""
    facts = trade_facts([ct.id for ct in cts]) if cts else {}
    return [TradeOverview(ct, facts[ct.id], rules.standing(facts[ct.id], now)) for ct in cts]


def organised_trades(contest_ids: set[int]) -> list[ContestTrade]:
    """The contest-trades of these contests, by contest and trade code."""
    if not contest_ids:
        return []
    return list(
        db.session.scalars(
            select(ContestTrade)
            .join(Trade)
            .where(ContestTrade.contest_id.in_(contest_ids))
            .order_by(ContestTrade.contest_id, Trade.code)
        )
    )


def chief_trades(user_id: int) -> list[ContestTrade]:
    """The contest-trades whose panel the user leads as chief judge."""
    return list(
        db.session.scalars(
            select(ContestTrade)
            .join(PanelMember, PanelMember.assessment_id == ContestTrade.id)
            .where(PanelMember.user_id == user_id, PanelMember.role == "chief_judge")
            .order_by(ContestTrade.contest_id, ContestTrade.id)
        )
    )

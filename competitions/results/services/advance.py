"""Confirming advancement: the advancing entries get their entries in the parent contest."""

from sqlalchemy import select

from competitions.core.db import db
from competitions.registry.models import ContestTrade, Entry
from competitions.results.models import Result


def parent_contest_trade(ct: ContestTrade) -> ContestTrade | None:
    """The same trade in the contest this one feeds, if both exist."""
    parent = ct.contest.parent
    if parent is None:
        return None
    return next((p for p in parent.contest_trades if p.trade_id == ct.trade_id), None)


def confirm_advancement(ct: ContestTrade) -> tuple[int, int]:
    """Recommend those who advance to the parent contest: their entries there arrive as
    ``recommended`` (逐级推荐), for the upper organiser to accept or return; returns (created,
    already there).

    Each new entry links to the entry it came from (``source_entry_id``), so a path through the
    tiers can be followed both ways. Running it again creates nothing new.
    """
    target = parent_contest_trade(ct)
    if target is None:
        return 0, 0
    advancing = db.session.execute(
        select(Entry.id, Entry.person_id)
        .join(Result, Result.subject_id == Entry.id)
        .where(Result.assessment_id == ct.id, Result.advances.is_(True))
    ).all()
    present = set(
        db.session.scalars(
            select(Entry.person_id).where(
                Entry.contest_trade_id == target.id,
                Entry.person_id.in_([p for _, p in advancing]),
            )
        )
    )
    new = [
        Entry(
            person_id=person_id,
            contest_trade_id=target.id,
            status="recommended",
            source_entry_id=entry_id,
        )
        for entry_id, person_id in advancing
        if person_id not in present
    ]
    db.session.add_all(new)
    db.session.flush()
    return len(new), len(advancing) - len(new)

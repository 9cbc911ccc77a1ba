"""Starting recomputes and choosing what they cover (flush only; the view commits and queues)."""

from sqlalchemy import func, select

from competitions.core.db import db
from competitions.core.jobs import Job, create_job
from competitions.core.words import N_, Reason
from competitions.judging import rules as judging_rules
from competitions.judging import signals as judging_signals
from competitions.judging.models import SubjectCode
from competitions.judging.services.marks import is_locked
from competitions.registry.models import Contest, ContestTrade, Delegation, Entry, Person
from competitions.registry.services import contest_chain
from competitions.results.models import Honour, Result, ResultSet, TeamResult

#: A recompute is split by size into about this many chunks, so that as many worker processes
#: (on one machine or several) can share it; a chunk holds at least CHUNK_MIN_ENTRIES entries
#: (each chunk has a fixed cost) and at most CHUNK_MAX_ENTRIES. Measured with bench/rankings.py
#: (100,000 entries, 2 worker processes): 5,000 per chunk → 3.5 s, 25,000 → 3.1 s, so small
#: chunks cost ~10 % on one machine and buy the spread over more processes.
CHUNKS_WANTED = 16
CHUNK_MIN_ENTRIES, CHUNK_MAX_ENTRIES = 5000, 25000


def contest_trades_of(contest_ids: list[int]) -> list[int]:
    """The contest-trade ids of these contests."""
    return list(
        db.session.scalars(select(ContestTrade.id).where(ContestTrade.contest_id.in_(contest_ids)))
    )


def chain_contest_ids(contest: Contest) -> list[int]:
    """The contest, the contests above it, and every contest that feeds any of them."""
    ids = {c.id for c in contest_chain(contest)}
    frontier = set(ids)
    while frontier:
        children = set(
            db.session.scalars(select(Contest.id).where(Contest.parent_id.in_(frontier)))
        )
        frontier = children - ids
        ids |= children
    return sorted(ids)


def chunk_size(entries: int) -> int:
    """Entries per chunk for a recompute of ``entries`` entries: about CHUNKS_WANTED chunks,
    within the minimum and maximum chunk."""
    return min(CHUNK_MAX_ENTRIES, max(CHUNK_MIN_ENTRIES, -(-entries // CHUNKS_WANTED)))


def chunks(ct_ids: list[int], size: int | None = None) -> list[list[int]]:
    """Contest-trades grouped so each group has about ``size`` entries (by default as
    :func:`chunk_size` says; a big contest-trade stays whole)."""
    counts = dict(
        db.session.execute(
            select(Entry.contest_trade_id, func.count())
            .where(Entry.contest_trade_id.in_(ct_ids))
            .group_by(Entry.contest_trade_id)
        ).all()
    )
    size = size or chunk_size(sum(counts.values()))
    groups, current, weight = [], [], 0
    for ct_id in sorted(ct_ids):
        current.append(ct_id)
        weight += counts.get(ct_id, 0)
        if weight >= size:
            groups.append(current)
            current, weight = [], 0
    if current:
        groups.append(current)
    return groups


def start_recompute(ct_ids: list[int], user_id: int | None, contest_id: int | None) -> Job:
    """A pending recompute job over these contest-trades (the caller commits, then queues it)."""
    job = create_job("recompute", user_id, contest_id)
    job.total = len(ct_ids)
    job.result = {"contest_trades": sorted(ct_ids)}
    db.session.flush()
    return job


def decide_tie(ct_id: int, ordered: list[int]) -> None:
    """Record the chief judge's order for a tie group (entry ids, best first), replacing any
    earlier order of the same entries; the next recompute applies it."""
    result_set = db.session.get(ResultSet, ct_id)
    kept = [e for e in (result_set.decided_order or []) if e not in set(ordered)]
    result_set.decided_order = kept + list(ordered)
    db.session.flush()


def sees_who(ct_id: int, roles: set[str]) -> bool:
    """Whether these roles may see who is behind the contest-trade's codes now
    (``judging.rules.sees_who``: the panel only once the marks are locked and results final)."""
    result_set = db.session.get(ResultSet, ct_id)
    return judging_rules.sees_who(roles, is_locked(ct_id), result_set.state if result_set else None)


@judging_signals.marks_may_change.connect
def keep_final_marks(ct_id: int, **_) -> Reason | None:
    """Final results stand for good: their marks are not reopened nor corrected."""
    result_set = db.session.get(ResultSet, ct_id)
    if result_set is not None and result_set.state == "final":
        return Reason.of(N_("the results are final: their marks cannot change"))
    return None


def trade_standing(ct_id: int, blind: bool) -> tuple[list, list, list]:
    """A contest-trade's results as its results page lists them: (result, entry, person) rows
    in ranked order, (team result, delegation) rows, and the honours not withdrawn. Ties are
    listed by code for a ``blind`` reader (by name they would tell it the names' order)."""
    rows = db.session.execute(
        select(Result, Entry, Person)
        .join(Entry, Entry.id == Result.subject_id)
        .join(Person, Person.id == Entry.person_id)
        .outerjoin(SubjectCode, SubjectCode.subject_id == Entry.id)
        .where(Result.assessment_id == ct_id)
        .order_by(*Result.ranked_order())
        .order_by(SubjectCode.code if blind else Person.name, Entry.id)
    ).all()
    teams = db.session.execute(
        select(TeamResult, Delegation)
        .join(Delegation, Delegation.id == TeamResult.delegation_id)
        .where(TeamResult.contest_trade_id == ct_id)
        .order_by(TeamResult.rank)
    ).all()
    honours = db.session.scalars(
        select(Honour)
        .where(Honour.contest_trade_id == ct_id, Honour.state != "withdrawn")
        .order_by(Honour.honour, Honour.id)
    ).all()
    return rows, teams, honours

"""Computing contest-trades' results: set-based reads, the pure rules, one transactional write.

The previous results stay visible until the new ones are committed; a task that dies leaves
them intact; running it again gives the same rows (nothing is appended).
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import delete, select

from competitions.core.db import bulk_insert, db, utcnow
from competitions.judging.models import MarkingLock
from competitions.registry.models import ContestTrade
from competitions.registry.rules import parse_number_list
from competitions.results import rules, signals
from competitions.results.models import Result, ResultSet
from competitions.results.services import finish
from competitions.results.services import inputs as inputs_mod

logger = logging.getLogger(__name__)
ZERO = Decimal(0)
#: The places "no shared ranks for medal places" orders (gold, silver, bronze).
MEDAL_PLACES = 3


@dataclass
class Computed:
    """One contest-trade's computed entry results, ready to write."""

    ct_id: int
    results: list[dict]
    ranking: rules.Ranking
    standings: list[rules.Standing]
    awards: dict[int, str]


def award_rule(ct: ContestTrade) -> rules.AwardRule:
    """The contest-trade's award settings as plain data."""
    numbers = tuple(parse_number_list(ct.award_numbers)) if ct.award_numbers else ()
    return rules.AwardRule(
        ct.award_mode, numbers, ct.award_rounding, ct.award_min_total, ct.honourable_mentions
    )


def compute_trade(data: inputs_mod.TradeInputs, decided_order: tuple[int, ...] = ()) -> Computed:
    """Part scores, totals, ranks and awards of one contest-trade (teams come after: ``finish``)."""
    ct = data.ct
    standings, parts = [], {}
    for row in data.entries.values():
        scores = {
            kind: rules.part_score((row.part_sums.get(kind, ZERO),), part_max, scale)
            for kind, (part_max, scale) in data.parts.items()
        }
        theory, practical = scores.get("theory"), scores.get("practical")
        total = rules.weighted_total(theory, practical, ct.theory_weight, ct.practical_weight)
        if row.given_total is not None:
            total = row.given_total
        parts[row.entry_id] = (theory, practical, total)
        standings.append(
            rules.Standing(
                row.entry_id,
                total,
                practical or 0,
                theory or 0,
                row.time_used,
                row.status,
                row.unit_id,
                row.delegation_id,
                row.out_of_competition,
            )
        )
    chain = tuple(k for k in ct.tie_breaks.split(",") if k)
    places = MEDAL_PLACES if ct.no_shared_medal_ranks else 0
    ranking = rules.rank(standings, chain, places, decided_order)
    totals = {s.entry_id: s.total for s in standings}
    awards = rules.allocate_awards(ranking, totals, award_rule(ct))
    results = [
        {
            "subject_id": e,
            "assessment_id": ct.id,
            "theory": t,
            "practical": p,
            "total": total,
            "rank": ranking.ranks.get(e),
            "award": awards.get(e),
            "advances": False,
        }
        for e, (t, p, total) in parts.items()
    ]
    return Computed(ct.id, results, ranking, standings, awards)


def problems_of(data: inputs_mod.TradeInputs, locked: bool, final: bool = False) -> list[str]:
    """Why this contest-trade's results cannot be computed now (message ids)."""
    ct = data.ct
    field_size = sum(rules.competes(r.status, r.out_of_competition) for r in data.entries.values())
    parent = ct.contest.parent
    offers = parent is not None and any(p.trade_id == ct.trade_id for p in parent.contest_trades)
    return rules.recompute_problems(
        locked,
        ct.theory_weight,
        ct.practical_weight,
        award_rule(ct),
        field_size,
        parent is not None,
        offers,
        final,
    )


def write(computed: list[Computed]) -> None:
    """Replace the entry results of these contest-trades (flush; the caller commits once)."""
    ids = [c.ct_id for c in computed]
    if not ids:
        return
    db.session.execute(delete(Result).where(Result.assessment_id.in_(ids)))
    rows = [r for c in computed for r in c.results]
    if rows:
        bulk_insert(Result, rows)
    _record_sets(computed)


def _record_sets(computed: list[Computed]) -> None:
    existing = {
        s.assessment_id: s
        for s in db.session.scalars(
            select(ResultSet).where(ResultSet.assessment_id.in_([c.ct_id for c in computed]))
        )
    }
    for c in computed:
        result_set = existing.get(c.ct_id) or ResultSet(
            assessment_id=c.ct_id, version=0, decided_order=[]
        )
        result_set.version += 1
        result_set.computed_at = utcnow()
        result_set.ranked = len(c.ranking.ranks)
        result_set.unranked = len(c.ranking.unranked)
        result_set.undecided = {"medal_places": [list(g) for g in c.ranking.undecided]}
        db.session.add(result_set)
    db.session.flush()


def recompute(ct_ids: list[int]) -> dict[int, list[str]]:
    """Compute and write the results of the contest-trades that can be computed.

    Returns the problems of those refused (their previous results stay untouched).
    """
    data = inputs_mod.load(ct_ids)
    locked = set(
        db.session.scalars(
            select(MarkingLock.assessment_id).where(
                MarkingLock.assessment_id.in_(ct_ids), MarkingLock.locked.is_(True)
            )
        )
    )
    sets = db.session.scalars(select(ResultSet).where(ResultSet.assessment_id.in_(ct_ids))).all()
    final = {s.assessment_id for s in sets if s.state == "final"}
    refused = {ct_id: problems_of(d, ct_id in locked, ct_id in final) for ct_id, d in data.items()}
    refused = {ct_id: p for ct_id, p in refused.items() if p}
    decided = {s.assessment_id: tuple(s.decided_order or ()) for s in sets}
    computed = [
        compute_trade(d, decided.get(ct_id, ()))
        for ct_id, d in data.items()
        if ct_id not in refused
    ]
    write(computed)
    signals.results_changed.send([c.ct_id for c in computed])
    # Teams, advancement and honours are per contest-trade too: done here, in parallel chunks,
    # from the standings in memory, rather than re-read from the results after every chunk.
    finish.finish_trades(
        [c.ct_id for c in computed],
        [(data[c.ct_id].ct, c.standings, c.ranking, c.awards) for c in computed],
    )
    return refused

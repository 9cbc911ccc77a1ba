"""After the entry results of a batch of contest-trades are written: team results, advancement
and honours, computed set-based from the stored results (the chord's callback)."""

from collections import defaultdict

from sqlalchemy import delete, select, update

from competitions.core.db import bulk_insert, db
from competitions.registry.models import ContestTrade, Entry, Person
from competitions.registry.rules import parse_number_list
from competitions.results import rules
from competitions.results.models import Honour, Result, ResultSet, TeamResult
from competitions.results.services.inputs import advancement_rule


def _stored(ct_ids: list[int]) -> dict[int, list[tuple]]:
    """{ct: [(entry, total, practical, theory, time, status, unit, delegation, rank, award,
    out of competition)]}."""
    rows = db.session.execute(
        select(
            Result.assessment_id,
            Result.subject_id,
            Result.total,
            Result.practical,
            Result.theory,
            Entry.time_used_s,
            Entry.status,
            Person.unit_id,
            Entry.delegation_id,
            Result.rank,
            Result.award,
            Entry.out_of_competition,
        )
        .join(Entry, Entry.id == Result.subject_id)
        .join(Person, Person.id == Entry.person_id)
        .where(Result.assessment_id.in_(ct_ids))
    )
    out = defaultdict(list)
    for ct_id, *row in rows:
        out[ct_id].append(tuple(row))
    return out


def _ranking(rows: list[tuple]) -> rules.Ranking:
    ranked = sorted((r for r in rows if r[8] is not None), key=lambda r: (r[8], r[0]))
    return rules.Ranking({r[0]: r[8] for r in ranked}, tuple(r[0] for r in ranked))


def finish(ct_ids: list[int]) -> None:
    """Team results, who advances and the honours recommended, from the stored results."""
    cts = {
        ct.id: ct
        for ct in db.session.scalars(select(ContestTrade).where(ContestTrade.id.in_(ct_ids)))
    }
    trades = []
    for ct_id, rows in _stored(ct_ids).items():
        standings = [
            rules.Standing(e, t, p or 0, th or 0, time, status, unit, dlg, apart)
            for e, t, p, th, time, status, unit, dlg, _, _, apart in rows
        ]
        awards = {r[0]: r[9] for r in rows if r[9]}
        trades.append((cts[ct_id], standings, _ranking(rows), awards))
    finish_trades(ct_ids, trades)


def finish_trades(ct_ids: list[int], trades: list[tuple]) -> None:
    """Team results, advancement and honours of (contest-trade, standings, ranking, awards)."""
    teams, honours, advancing, undecided = [], [], [], {}
    picks = dict(
        db.session.execute(
            select(ResultSet.assessment_id, ResultSet.advancement_picks).where(
                ResultSet.assessment_id.in_(ct_ids)
            )
        ).all()
    )
    for ct, standings, ranking, awards in trades:
        ct_id = ct.id
        points = tuple(parse_number_list(ct.team_points)) if ct.team_points else (8, 4, 2, 1)
        for team in rules.team_results(standings, ct.team_mode, ct.team_size, awards, points):
            teams.append(
                {
                    "contest_trade_id": ct_id,
                    "delegation_id": team.delegation_id,
                    "score": team.score,
                    "time_sum": team.time_sum,
                    "rank": team.rank,
                    "award": rules.PRIZES[team.rank - 1] if team.rank <= 3 else None,
                    "members": list(team.members),
                }
            )
        picked = rules.advancement(
            ranking,
            {s.entry_id: s.unit_id for s in standings},
            advancement_rule(ct),
            tuple(picks.get(ct.id) or ()),
        )
        advancing.extend(picked.advancing)
        undecided[ct_id] = list(picked.undecided)
        for entry_id, honour in rules.recommend_honours(
            ranking, awards, rules.DEFAULT_HONOURS.get(ct.contest.tier, ())
        ):
            honours.append({"contest_trade_id": ct_id, "entry_id": entry_id, "honour": honour})
    _write(ct_ids, teams, honours, advancing, undecided)


def _write(ct_ids, teams, honours, advancing, undecided) -> None:
    db.session.execute(delete(TeamResult).where(TeamResult.contest_trade_id.in_(ct_ids)))
    db.session.execute(
        delete(Honour).where(Honour.contest_trade_id.in_(ct_ids), Honour.state == "recommended")
    )
    kept = set(
        db.session.execute(
            select(Honour.entry_id, Honour.honour).where(Honour.contest_trade_id.in_(ct_ids))
        ).tuples()
    )
    honours = [h for h in honours if (h["entry_id"], h["honour"]) not in kept]
    for model, rows in ((TeamResult, teams), (Honour, honours)):
        if rows:
            bulk_insert(model, rows)
    db.session.execute(
        update(Result)
        .where(Result.assessment_id.in_(ct_ids), Result.advances.is_(True))
        .values(advances=False)
    )
    for start in range(0, len(advancing), 1000):
        chunk = advancing[start : start + 1000]
        db.session.execute(update(Result).where(Result.subject_id.in_(chunk)).values(advances=True))
    for result_set in db.session.scalars(
        select(ResultSet).where(ResultSet.assessment_id.in_(ct_ids))
    ):
        result_set.undecided = {
            **(result_set.undecided or {}),
            "advancement": undecided.get(result_set.assessment_id, []),
        }
    db.session.flush()

"""Published results as plain data, for the public pages, the live board and the JSON API.

Only results under public notice or final are ever read here; drafts do not exist for the
public. ID numbers leave this module masked. Every value is JSON-ready (scores as strings with
two places, the rule of ``results.rules.readable``; none for withdrawn, disqualified and absent
entries), so the same dictionaries feed templates and API answers.
"""

from collections import Counter, defaultdict
from decimal import Decimal

from sqlalchemy import func, select

from competitions.core.db import db
from competitions.core.identity_rules import mask_id_number
from competitions.judging.rules import format_time_used
from competitions.registry.models import Contest, ContestTrade, Delegation, Entry, Person, Trade
from competitions.registry.rules import TIER_LEVEL
from competitions.results.models import PUBLISHED, Honour, Result, ResultSet, TeamResult
from competitions.results.rules import earned_scores, readable
from competitions.units.models import Unit


def _money(value: Decimal | None) -> str | None:
    """A score as people read it (2 places, ``results.rules.readable``), as a string."""
    return None if value is None else str(readable(value))


def _when(value) -> str | None:
    return None if value is None else value.strftime("%Y-%m-%d %H:%M")


def _trade_row(ct: ContestTrade, trade: Trade, result_set: ResultSet) -> dict:
    return {
        "id": ct.id,
        "trade_code": trade.code,
        "trade": trade.name_zh,
        "trade_en": trade.name_en,
        "state": result_set.state,
        "version": result_set.version,
        "published_at": _when(result_set.published_at),
        "notice_deadline": _when(result_set.notice_deadline),
        "finalised_at": _when(result_set.finalised_at),
        "ranked": result_set.ranked,
    }


def _contest_row(contest: Contest) -> dict:
    return {
        "id": contest.id,
        "code": contest.code,
        "name": contest.name,
        "year": contest.year,
        "tier": contest.tier,
        "starts_on": contest.starts_on.isoformat(),
        "ends_on": contest.ends_on.isoformat(),
        "parent_id": contest.parent_id,
    }


def _published_trades(contest_ids: list[int] | None = None) -> list[tuple]:
    query = (
        select(ContestTrade, Trade, ResultSet)
        .join(Trade, Trade.id == ContestTrade.trade_id)
        .join(ResultSet, ResultSet.assessment_id == ContestTrade.id)
        .where(ResultSet.state.in_(PUBLISHED))
        .order_by(Trade.code)
    )
    if contest_ids is not None:
        query = query.where(ContestTrade.contest_id.in_(contest_ids))
    return db.session.execute(query).all()


def contests_index() -> list[dict]:
    """Contests with published results, by year (newest first), then tier (highest first)."""
    trades = defaultdict(list)
    for ct, trade, result_set in _published_trades():
        trades[ct.contest_id].append(_trade_row(ct, trade, result_set))
    contests = db.session.scalars(select(Contest).where(Contest.id.in_(list(trades)))).all()
    contests.sort(key=lambda c: (-c.year, -TIER_LEVEL[c.tier], c.starts_on, c.code))
    return [{**_contest_row(c), "trades": trades[c.id]} for c in contests]


def contest(contest_id: int, even_unpublished: bool = False) -> dict | None:
    """A contest and its published contest-trades; None when there is no such contest or,
    unless ``even_unpublished`` (the hall's board, set up before anything is out), when none of
    its results are published."""
    found = db.session.get(Contest, contest_id)
    if found is None:
        return None
    trades = [_trade_row(*row) for row in _published_trades([contest_id])]
    if not trades and not even_unpublished:
        return None
    return {**_contest_row(found), "trades": trades}


def trade_results(ct_id: int) -> dict | None:
    """A published contest-trade's ranked list, team results and honours (None if unpublished)."""
    row = db.session.execute(
        select(ContestTrade, Trade, ResultSet)
        .join(Trade, Trade.id == ContestTrade.trade_id)
        .join(ResultSet, ResultSet.assessment_id == ContestTrade.id)
        .where(ContestTrade.id == ct_id, ResultSet.state.in_(PUBLISHED))
    ).first()
    if row is None:
        return None
    ct, trade, result_set = row
    entries = _ranked_rows([ct_id])[ct_id]
    if ct.contest.parent_id is None:  # feeds no higher contest: nobody advances anywhere
        for row in entries:
            row["advances"] = None
    names = {e["entry_id"]: e["name"] for e in entries}
    return {
        **_trade_row(ct, trade, result_set),
        "contest": _contest_row(ct.contest),
        "results": entries,
        "teams": _team_rows(ct_id, names),
        "honours": _honour_rows(ct_id, names),
    }


def _ranked_rows(ct_ids: list[int]) -> dict[int, list[dict]]:
    """Each contest-trade's rows, ranked first (by rank, then total and name), unranked after.
    One query for all of them."""
    # Final results show the facts frozen when they became final; under notice, the register's.
    name = func.coalesce(Result.final_name, Person.name)
    query = (
        select(
            Result,
            Entry.status,
            Entry.out_of_competition,
            Entry.time_used_s,
            name,
            Person.id_number,
            func.coalesce(Result.final_unit, Unit.name),
            func.coalesce(Result.final_delegation, Delegation.name),
        )
        .join(Entry, Entry.id == Result.subject_id)
        .join(Person, Person.id == Entry.person_id)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .outerjoin(Delegation, Delegation.id == Entry.delegation_id)
        .where(Result.assessment_id.in_(ct_ids))
        .order_by(*Result.ranked_order(), name)
    )
    rows: dict[int, list[dict]] = {ct_id: [] for ct_id in ct_ids}
    for r, status, apart, time_used, name, id_number, unit, delegation in db.session.execute(query):
        # Withdrawn, disqualified and absent entries show their status, not scores.
        earned = earned_scores(status)
        rows[r.assessment_id].append(
            {
                "entry_id": r.subject_id,
                "rank": r.rank,
                "status": status,
                "out_of_competition": apart,
                "name": name,
                "id_number": mask_id_number(id_number),
                "unit": unit or "",
                "delegation": delegation or "",
                "theory": _money(r.theory) if earned else None,
                "practical": _money(r.practical) if earned else None,
                "total": _money(r.total) if earned else None,
                "award": r.award,
                "advances": r.advances,
                "time_used": format_time_used(time_used) if earned else "",
            }
        )
    return rows


def _team_rows(ct_id: int, names: dict[int, str]) -> list[dict]:
    rows = db.session.execute(
        select(TeamResult, Delegation.name)
        .join(Delegation, Delegation.id == TeamResult.delegation_id)
        .where(TeamResult.contest_trade_id == ct_id)
        .order_by(TeamResult.rank, Delegation.name)
    )
    rows = rows.all()
    scores = Counter(t.score for t, _ in rows)
    return [
        {
            "rank": t.rank,
            "delegation": name,
            "score": _money(t.score),
            "award": t.award,
            "members": [names.get(m, "") for m in t.members or []],
            # The members' time sum, where it ordered teams equal on score.
            "time_sum": format_time_used(t.time_sum) if scores[t.score] > 1 else "",
        }
        for t, name in rows
    ]


def _honour_rows(ct_id: int, names: dict[int, str]) -> list[dict]:
    rows = db.session.scalars(
        select(Honour)
        .where(Honour.contest_trade_id == ct_id, Honour.state != "withdrawn")
        .order_by(Honour.honour, Honour.id)
    )
    return [{"honour": h.honour, "name": names.get(h.entry_id, ""), "state": h.state} for h in rows]


def board(contest_id: int) -> dict | None:
    """The live board of a contest: every entry of each published contest-trade (ranked first,
    then the unranked with their status), the most recently published trade first."""
    found = contest(contest_id, even_unpublished=True)
    if found is None:
        return None
    trades = sorted(found["trades"], key=lambda t: t["published_at"] or "", reverse=True)
    ranked = _ranked_rows([t["id"] for t in trades])
    for trade in trades:
        trade["results"] = ranked[trade["id"]]
    # What the screen compares to know whether to redraw.
    found["stamp"] = ",".join(f"{t['id']}:{t['version']}:{t['state']}" for t in trades)
    found["trades"] = trades
    return found

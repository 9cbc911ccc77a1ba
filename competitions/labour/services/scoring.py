"""Scoring and ranking on the workers, set-based: one period's accepted figures read in one
query, scored by the pure rules, its results written in bulk as the usual ``result`` rows with
a ``result_set`` (and each indicator's score); then the running total and, once every period
is closed, the commendation (flush, never commit)."""

from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import delete, func, select

from competitions.core.db import db, utcnow
from competitions.core.words import N_, Reason
from competitions.judging.models import MarkingLock
from competitions.labour import rules
from competitions.labour.models import (
    LabourCompetition,
    LabourFigure,
    LabourIncident,
    LabourIndicator,
    LabourPeriod,
    LabourReport,
    LabourScore,
    LabourStanding,
    LabourVeto,
)
from competitions.labour.services import LabourError
from competitions.results.models import Result, ResultSet

PUBLISHED = ("notice", "final")


def rule_indicators(comp_id: int) -> list[rules.Indicator]:
    rows = db.session.scalars(
        select(LabourIndicator).filter_by(competition_id=comp_id).order_by(LabourIndicator.position)
    )
    return [
        rules.Indicator(i.id, i.direction, i.target, i.weight, i.scoring, i.cap, i.floor)
        for i in rows
    ]


def _standings(period_id: int) -> dict[int, int]:
    """{participant id: standing (subject) id} of the period."""
    rows = db.session.execute(
        select(LabourStanding.participant_id, LabourStanding.id).where(
            LabourStanding.period_id == period_id
        )
    )
    return dict(rows.all())


def accepted_figures(period_id: int) -> dict:
    """{(participant id, indicator id): value in ten-thousandths} of the period's accepted
    reports (figures are kept to 4 places)."""
    units = sa.cast(sa.func.round(LabourFigure.value * rules.FIGURE_UNITS), sa.BigInteger)
    rows = db.session.execute(
        select(LabourReport.participant_id, LabourFigure.indicator_id, units)
        .join(LabourFigure, LabourFigure.report_id == LabourReport.id)
        .where(LabourReport.period_id == period_id, LabourReport.state == "accepted")
    )
    return {(p, i): v for p, i, v in rows}


def vetoed(period_ids: list[int], effect: str) -> set:
    """The participants with an incident of a veto of ``effect`` in these periods."""
    return set(
        db.session.scalars(
            select(LabourIncident.participant_id)
            .join(LabourVeto, LabourVeto.id == LabourIncident.veto_id)
            .where(LabourIncident.period_id.in_(period_ids), LabourVeto.effect == effect)
        )
    )


def bulk_insert(table, columns: tuple, rows: list[tuple], numeric: tuple = ()) -> None:
    """Insert many rows (tuples in the order of ``columns``; ``numeric`` columns as decimal
    text) in the session's transaction: with COPY on PostgreSQL (a province's month is 200,000
    indicator scores), else one executemany."""
    if not rows:
        return
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        at = [columns.index(c) for c in numeric]
        dicts = []
        for row in rows:
            row = list(row)
            for n in at:
                row[n] = Decimal(row[n])
            dicts.append(dict(zip(columns, row, strict=True)))
        connection.execute(table.insert(), dicts)
        return
    cursor = connection.connection.driver_connection.cursor()
    with cursor.copy(f"COPY {table.name} ({', '.join(columns)}) FROM STDIN") as copy:
        for row in rows:
            copy.write_row(row)


def _fixed(n: int, places: int) -> str:
    """A whole number of 10^-places as decimal text (n >= 0): 12345, 2 → "123.45"."""
    unit = 10**places
    return f"{n // unit}.{n % unit:0{places}d}"


def _write(assessment_id: int, results: list[tuple], ranked: int, now) -> None:
    """Replace the assessment's results by ``results`` ((subject, total text, rank, award))."""
    db.session.execute(delete(Result).where(Result.assessment_id == assessment_id))
    bulk_insert(
        Result.__table__,
        ("subject_id", "assessment_id", "total", "rank", "award", "advances"),
        [
            (subject, assessment_id, total, rank, award, False)
            for subject, total, rank, award in results
        ],
        numeric=("total",),
    )
    result_set = db.session.get(ResultSet, assessment_id)
    if result_set is None:
        result_set = ResultSet(assessment_id=assessment_id, state="draft", version=0)
        db.session.add(result_set)
    result_set.version = (result_set.version or 0) + 1
    result_set.computed_at, result_set.ranked, result_set.unranked = now, ranked, 0
    db.session.flush()


def _published(assessment_id: int) -> bool:
    state = db.session.scalar(
        select(ResultSet.state).where(ResultSet.assessment_id == assessment_id)
    )
    return state in PUBLISHED


def problem_of(period: LabourPeriod) -> Reason | None:
    """Why the period cannot be scored now: open for reporting, or its ranking published."""
    if period.is_open:
        return Reason.of(N_("close the period for reporting before scoring it"))
    if _published(period.id):
        return Reason.of(N_("the ranking of this period is published"))
    return None


def score_period(period: LabourPeriod) -> int:
    """Score and rank one closed period: its results, result set and indicator scores, by the
    rules in whole numbers (``rules.scaled_scores``, the decimal rule exactly)."""
    problem = problem_of(period)
    if problem:
        raise LabourError(problem)
    now = utcnow()
    standings = _standings(period.id)
    scores = rules.scaled_scores(
        [rules.scaled_indicator(i) for i in rule_indicators(period.competition_id)],
        standings,
        accepted_figures(period.id),
        vetoed([period.id], "zero") & standings.keys(),
    )
    ranks = rules.shared_ranks({p: s[0] for p, s in scores.items()})
    db.session.execute(
        delete(LabourScore).where(
            LabourScore.subject_id.in_(
                select(LabourStanding.id).where(LabourStanding.period_id == period.id)
            )
        )
    )
    bulk_insert(
        LabourScore.__table__,
        ("subject_id", "indicator_id", "score", "missing"),
        [
            (standings[p], i, _fixed(v, 4), i in missing)
            for p, (_, parts, missing, _) in scores.items()
            for i, v in parts.items()
        ],
        numeric=("score",),
    )
    results = [(standings[p], _fixed(s[0], 2), ranks[p], None) for p, s in scores.items()]
    _write(period.id, results, len(results), now)
    return len(results)


def score_total(comp: LabourCompetition) -> int:
    """The running total: the sum of the scored periods' totals, ranked; once every period is
    closed and scored, the first ``commend_top`` (not barred by a veto) are commended."""
    total = next(p for p in comp.periods if p.is_total)
    if _published(total.id):
        return 0
    now = utcnow()
    periods = [p for p in comp.periods if not p.is_total]
    standing_of = db.session.execute(
        select(LabourStanding.participant_id, LabourStanding.id).where(
            LabourStanding.period_id == total.id
        )
    )
    standings = dict(standing_of.all())
    sums = db.session.execute(
        select(LabourStanding.participant_id, func.sum(Result.total))
        .join(Result, Result.subject_id == LabourStanding.id)
        .join(LabourPeriod, LabourPeriod.id == LabourStanding.period_id)
        .where(LabourPeriod.competition_id == comp.id, LabourPeriod.position > 0)
        .group_by(LabourStanding.participant_id)
    )
    totals = rules.running_totals([dict(sums.all())], standings)
    ranks = rules.shared_ranks(totals)
    scored = set(
        db.session.scalars(
            select(ResultSet.assessment_id).where(
                ResultSet.assessment_id.in_([p.id for p in periods])
            )
        )
    )
    complete = (
        bool(periods) and all(not p.is_open for p in periods) and scored >= {p.id for p in periods}
    )
    commended = set()
    if complete:
        barred = vetoed([p.id for p in periods], "no_commendation")
        commended = rules.commended(totals, barred, comp.commend_top)
    results = [
        (standings[p], str(t), ranks[p], comp.commendation if p in commended else None)
        for p, t in totals.items()
    ]
    # The running total is settled (for publication) once every period is closed.
    lock = db.session.get(MarkingLock, total.id) or MarkingLock(assessment_id=total.id)
    lock.locked, lock.locked_at = complete, (now if complete else None)
    db.session.add(lock)
    _write(total.id, results, len(results), now)
    return len(results)


def score(comp: LabourCompetition, period_ids: list[int]) -> dict:
    """Score the periods asked (closed ones), then the running total. Returns what was done."""
    done, refused = [], {}
    for period in comp.periods:
        if period.id in period_ids and not period.is_total:
            problem = problem_of(period)
            if problem:
                refused[period.label] = problem.msgid
            else:
                score_period(period)
                done.append(period.label)
    score_total(comp)
    return {"scored": done, "refused": refused}


def scoreboard(period_id: int) -> list[tuple]:
    """(result, participant name) of a period (or the total), best first."""
    rows = db.session.execute(
        select(Result, LabourStanding)
        .join(LabourStanding, LabourStanding.id == Result.subject_id)
        .where(Result.assessment_id == period_id)
        .order_by(*Result.ranked_order(), LabourStanding.participant_id)
    )
    return [(r, s.participant) for r, s in rows]


def history(participant_id: int) -> list[dict]:
    """A participant's scores and ranks per period (and the running total), in period order."""
    rows = db.session.execute(
        select(LabourPeriod, Result, ResultSet.state)
        .join(LabourStanding, LabourStanding.period_id == LabourPeriod.id)
        .outerjoin(Result, Result.subject_id == LabourStanding.id)
        .outerjoin(ResultSet, ResultSet.assessment_id == LabourPeriod.id)
        .where(LabourStanding.participant_id == participant_id)
        .order_by(LabourPeriod.position)
    )
    return [
        {
            "period": p,
            "total": r.total if r else None,
            "rank": r.rank if r else None,
            "award": r.award if r else None,
            "state": state,
        }
        for p, r, state in rows
    ]


def indicator_scores(standing_id: int) -> dict:
    """{indicator id: (score, missing)} of one standing."""
    rows = db.session.execute(
        select(LabourScore.indicator_id, LabourScore.score, LabourScore.missing).where(
            LabourScore.subject_id == standing_id
        )
    )
    return {i: (s, m) for i, s, m in rows}


def participant_count(period_id: int) -> int:
    return (
        db.session.scalar(
            select(func.count())
            .select_from(LabourStanding)
            .where(LabourStanding.period_id == period_id)
        )
        or 0
    )

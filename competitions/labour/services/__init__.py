"""The organiser's setup of a labour competition: the competition and its periods, participants,
the indicator scheme, vetoes and incidents, opening and closing periods (flush, never commit)."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from competitions.accounts.models import User
from competitions.assessment.models import Assessment
from competitions.core import audit_words
from competitions.core.db import db, utcnow
from competitions.core.words import N_, Reason
from competitions.judging.models import MarkingLock
from competitions.labour import rules
from competitions.labour.models import (
    LabourCompetition,
    LabourFigure,
    LabourIncident,
    LabourIndicator,
    LabourParticipant,
    LabourPeriod,
    LabourReport,
    LabourStanding,
    LabourVeto,
)
from competitions.results.models import ResultSet

TOTAL_LABEL = "累计"


class LabourError(Exception):
    """A change the rules refuse; ``reason`` says why, ``field`` where (for the form)."""

    def __init__(self, reason: Reason, field: str | None = None):
        super().__init__(str(reason))
        self.reason, self.field = reason, field


def competition_of(contest_id: int) -> LabourCompetition | None:
    """The labour competition held in the contest, if any."""
    return db.session.scalar(select(LabourCompetition).filter_by(contest_id=contest_id))


def create_competition(
    contest_id: int, name: str, period_kind: str, year: int, commend_top: int, commendation: str
) -> LabourCompetition:
    """A labour competition in the contest with its periods (all open) and its running total."""
    if competition_of(contest_id) is not None:
        raise LabourError(Reason.of(N_("the contest already holds a labour competition")))
    comp = LabourCompetition(
        contest_id=contest_id,
        name=name.strip(),
        period_kind=period_kind,
        year=year,
        commend_top=commend_top,
        commendation=commendation,
    )
    db.session.add(comp)
    db.session.flush()
    labels = [TOTAL_LABEL, *rules.period_labels(period_kind, year)]
    for position, label in enumerate(labels):
        db.session.add(
            LabourPeriod(
                contest_id=contest_id,
                competition_id=comp.id,
                position=position,
                label=label,
                is_open=position != 0,
            )
        )
    db.session.flush()
    return comp


def periods(comp: LabourCompetition) -> list[LabourPeriod]:
    """The periods in order (not the running total)."""
    return [p for p in comp.periods if not p.is_total]


def total_of(comp: LabourCompetition) -> LabourPeriod:
    """The running total's assessment."""
    return next(p for p in comp.periods if p.is_total)


def add_participant(
    comp: LabourCompetition, name: str, kind: str, unit_id: int | None, reporter: str
) -> LabourParticipant:
    """A participant with its standing in every period; ``reporter``: the username of the
    account that reports its figures (empty: none yet)."""
    name = name.strip()
    if db.session.scalar(select(LabourParticipant.id).filter_by(competition_id=comp.id, name=name)):
        raise LabourError(Reason.of(N_("a participant of this name already takes part")), "name")
    reporter_id = None
    if reporter.strip():
        reporter_id = db.session.scalar(select(User.id).filter_by(username=reporter.strip()))
        if reporter_id is None:
            raise LabourError(Reason.of(N_("no account has this username")), "reporter")
    participant = LabourParticipant(
        competition_id=comp.id, name=name, kind=kind, unit_id=unit_id, reporter_id=reporter_id
    )
    db.session.add(participant)
    db.session.flush()
    for period in comp.periods:
        db.session.add(
            LabourStanding(
                assessment_id=period.id, period_id=period.id, participant_id=participant.id
            )
        )
    db.session.flush()
    return participant


@dataclass
class IndicatorRow:
    """One row of the scheme form."""

    name: str
    measure: str
    direction: str
    target: Decimal
    weight: Decimal
    scoring: str
    cap: Decimal | None
    floor: Decimal | None


def scheme_problems(rows: list[IndicatorRow]) -> dict:
    """{(row index, field): Reason} of a scheme the rules refuse (the form shows each next to
    its field); the weights' problem is on the last row's weight."""
    out = {}
    names = set()
    for n, row in enumerate(rows):
        problem = rules.indicator_problem(
            row.direction, row.scoring, row.target, row.cap, row.floor
        )
        if problem:
            field = (
                "floor"
                if "floor" in problem.msgid
                else "cap"
                if "cap" in problem.msgid
                else "target"
            )
            out[(n, field)] = problem
        if row.name in names:
            out[(n, "name")] = Reason.of(N_("two indicators have this name"))
        names.add(row.name)
    if rows:
        problem = rules.weights_problem([r.weight for r in rows])
        if problem:
            out[(len(rows) - 1, "weight")] = problem
    else:
        out[(0, "name")] = Reason.of(N_("name at least one indicator"))
    return out


def save_scheme(comp: LabourCompetition, rows: list[IndicatorRow]) -> None:
    """Replace the scheme by ``rows`` (matched by name; the rules checked them first). An
    indicator that has figures cannot be removed."""
    problems = scheme_problems(rows)
    if problems:
        (_, field), reason = next(iter(problems.items()))
        raise LabourError(reason, field)
    existing = {i.name: i for i in comp.indicators}
    wanted = {r.name for r in rows}
    for name, ind in existing.items():
        if name not in wanted:
            used = db.session.scalar(
                select(func.count()).select_from(LabourFigure).filter_by(indicator_id=ind.id)
            )
            if used:
                raise LabourError(
                    Reason.of(N_("%(name)s has reported figures and cannot be removed"), name=name)
                )
            db.session.delete(ind)
    for position, row in enumerate(rows, start=1):
        ind = existing.get(row.name) or LabourIndicator(competition_id=comp.id, name=row.name)
        ind.position, ind.measure, ind.direction = position, row.measure, row.direction
        ind.target, ind.weight, ind.scoring = row.target, row.weight, row.scoring
        ind.cap = row.cap if row.cap is not None else Decimal(120)
        ind.floor = row.floor
        db.session.add(ind)
    db.session.flush()
    db.session.expire(comp, ["indicators"])


def add_veto(comp: LabourCompetition, name: str, effect: str) -> LabourVeto:
    name = name.strip()
    if db.session.scalar(select(LabourVeto.id).filter_by(competition_id=comp.id, name=name)):
        raise LabourError(Reason.of(N_("a veto of this name exists")), "name")
    veto = LabourVeto(competition_id=comp.id, name=name, effect=effect)
    db.session.add(veto)
    db.session.flush()
    return veto


def record_incident(period: LabourPeriod, participant_id: int, veto_id: int, note: str):
    """A veto incident against a participant in a period (once per veto and period)."""
    if db.session.scalar(
        select(LabourIncident.id).filter_by(
            period_id=period.id, participant_id=participant_id, veto_id=veto_id
        )
    ):
        raise LabourError(Reason.of(N_("this incident is already recorded for the period")))
    incident = LabourIncident(
        period_id=period.id, participant_id=participant_id, veto_id=veto_id, note=note.strip()
    )
    db.session.add(incident)
    db.session.flush()
    return incident


def result_state(assessment_id: int) -> str | None:
    return db.session.scalar(
        select(ResultSet.state).where(ResultSet.assessment_id == assessment_id)
    )


def close_period(period: LabourPeriod, user_id: int) -> None:
    """Close the period for reporting: its figures are locked for scoring (the lock
    publication reads as "the marks are settled")."""
    period.is_open = False
    lock = db.session.get(MarkingLock, period.id) or MarkingLock(assessment_id=period.id)
    lock.locked, lock.locked_by, lock.locked_at = True, user_id, utcnow()
    db.session.add(lock)
    db.session.flush()


def reopen_period(period: LabourPeriod) -> None:
    """Open the period for reporting again; refused once its ranking is published."""
    if result_state(period.id) in ("notice", "final"):
        raise LabourError(Reason.of(N_("the ranking of this period is published")))
    period.is_open = True
    lock = db.session.get(MarkingLock, period.id)
    if lock is not None:
        lock.locked, lock.locked_by, lock.locked_at = False, None, None
    db.session.flush()


def is_locked(period_id: int) -> bool:
    lock = db.session.get(MarkingLock, period_id)
    return bool(lock and lock.locked)


def participants_of(user_id: int, comp: LabourCompetition) -> list[LabourParticipant]:
    """The participants whose figures the user reports."""
    return [p for p in comp.participants if p.reporter_id == user_id]


def reporting_for(user_id: int) -> list[tuple[LabourCompetition, LabourParticipant]]:
    """The labour competitions (and participants) whose figures the user reports."""
    rows = db.session.execute(
        select(LabourCompetition, LabourParticipant)
        .join(LabourParticipant, LabourParticipant.competition_id == LabourCompetition.id)
        .where(LabourParticipant.reporter_id == user_id)
        .order_by(LabourCompetition.year.desc(), LabourParticipant.name)
    )
    return [tuple(r) for r in rows]


def report_counts(comp: LabourCompetition) -> dict:
    """{period id: {state: n}}."""
    rows = db.session.execute(
        select(LabourReport.period_id, LabourReport.state, func.count())
        .join(LabourPeriod, LabourPeriod.id == LabourReport.period_id)
        .where(LabourPeriod.competition_id == comp.id)
        .group_by(LabourReport.period_id, LabourReport.state)
    )
    out: dict = {}
    for period_id, state, n in rows:
        out.setdefault(period_id, {})[state] = n
    return out


def standing_of(period_id: int, participant_id: int) -> LabourStanding:
    return db.session.scalars(
        select(LabourStanding).filter_by(period_id=period_id, participant_id=participant_id)
    ).one()


@audit_words.names_records("labour_participant")
def _participant_names(ids) -> dict:
    rows = db.session.execute(
        select(LabourParticipant.id, LabourParticipant.name).where(LabourParticipant.id.in_(ids))
    )
    return dict(rows.all())


@audit_words.names_records("labour_indicator")
def _indicator_names(ids) -> dict:
    rows = db.session.execute(
        select(LabourIndicator.id, LabourIndicator.name).where(LabourIndicator.id.in_(ids))
    )
    return dict(rows.all())


@audit_words.names_records("labour_veto")
def _veto_names(ids) -> dict:
    rows = db.session.execute(select(LabourVeto.id, LabourVeto.name).where(LabourVeto.id.in_(ids)))
    return dict(rows.all())


@audit_words.names_records("labour_period")
def _period_names(ids) -> dict:
    rows = db.session.execute(
        select(LabourPeriod.id, LabourPeriod.label).where(LabourPeriod.id.in_(ids))
    )
    return dict(rows.all())


def assessment_ids(comp: LabourCompetition) -> list[int]:
    return list(
        db.session.scalars(
            select(Assessment.id)
            .join(LabourPeriod, LabourPeriod.id == Assessment.id)
            .where(LabourPeriod.competition_id == comp.id)
        )
    )

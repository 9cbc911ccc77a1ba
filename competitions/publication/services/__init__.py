"""Moving results through public notice to final (flush only; the view commits)."""

from datetime import date, datetime

from flask import current_app
from flask_babel import gettext
from sqlalchemy import func, select

from competitions.assessment.models import Assessment, facts_of
from competitions.core.db import db
from competitions.core.i18n import (
    local_now,
    say,
)
from competitions.core.words import N_, Reason
from competitions.judging.models import MarkingLock
from competitions.publication import rules
from competitions.publication.models import Appeal
from competitions.publication.services import cache
from competitions.results import signals as results_signals
from competitions.results.models import Result, ResultSet


def calendar() -> rules.Calendar:
    """The working-day calendar from the configuration."""
    return rules.Calendar(
        holidays=frozenset(date.fromisoformat(d) for d in current_app.config["HOLIDAYS"]),
        extra_workdays=frozenset(
            date.fromisoformat(d) for d in current_app.config["EXTRA_WORKDAYS"]
        ),
    )


def pending_appeals(ct_id: int) -> int:
    """How many appeals about the assessment await the arbitrator."""
    return db.session.scalar(
        select(func.count()).select_from(Appeal).filter_by(assessment_id=ct_id, state="pending")
    )


def publish(ct: Assessment, result_set: ResultSet, now: datetime) -> Reason | None:
    """Put draft results under public notice (公示); the deadline counts working days (the
    assessment's ``notice_working_days``, its on-site window ``appeal_window_hours``)."""
    if not rules.transition_allowed(result_set.state, "notice"):
        return Reason.of(N_("only draft results can be put under public notice"))
    result_set.state = "notice"
    result_set.published_at = now
    result_set.notice_deadline = rules.notice_deadline(now, ct.notice_working_days, calendar())
    result_set.onsite_appeal_until = rules.onsite_appeal_until(now, ct.appeal_window_hours)
    db.session.flush()
    cache.results_changed([ct.id])
    return None


def settled(result_set: ResultSet) -> bool:
    """Whether the results stand on the marks as they are: locked, and computed after the lock
    (not while an upheld appeal has them reopened, nor before the recompute that follows)."""
    lock = db.session.get(MarkingLock, result_set.assessment_id)
    return lock is not None and rules.settled(lock.locked, lock.locked_at, result_set.computed_at)


def notice_open_until(result_set: ResultSet, now: datetime) -> datetime | None:
    """The notice's deadline while it has not passed yet, else None."""
    deadline = result_set.notice_deadline
    return deadline if deadline is not None and now <= deadline else None


def objection_limit() -> str:
    """How often one address may send a public objection, to any notice (``OBJECTION_RATE_LIMIT``:
    each objection holds the results back until the arbitrator decides it)."""
    return current_app.config["OBJECTION_RATE_LIMIT"]


#: The scope the objection routes of every area share their limit in.
OBJECTION_LIMIT_SCOPE = "public-objection"


def taking_objections(result_set: ResultSet | None, now: datetime) -> bool:
    """Whether the public may object now: the results are under public notice, before its
    deadline (the notice pages show the objection form only then)."""
    return (
        result_set is not None
        and result_set.state == "notice"
        and notice_open_until(result_set, now) is not None
    )


class ObjectionRefused(Exception):
    """A public objection refused: ``field`` is the objection form's field it is about (""
    for the notice itself), ``reason`` the rule's words."""

    def __init__(self, field: str, reason: Reason):
        super().__init__(reason.msgid)
        self.field, self.reason = field, reason


def file_objection(
    result_set: ResultSet, objection: rules.Objection, listed: set[int], now: datetime
) -> Appeal:
    """A public objection to a line of a notice (:func:`rules.objection_problem`; ``listed``:
    the subjects the notice shows), filed as an appeal the arbitrator decides, as a contest
    result's; the results cannot become final while it is pending. The result set is held
    until it is saved, so the notice's automatic end cannot slip in between. Flush only;
    raises :class:`ObjectionRefused`."""
    db.session.refresh(result_set, with_for_update=True)
    problem = rules.objection_problem(
        objection, result_set.state, notice_open_until(result_set, now), listed
    )
    if problem:
        raise ObjectionRefused(*problem)
    appeal = Appeal(
        assessment_id=result_set.assessment_id,
        subject_id=objection.subject_id,
        real_name=objection.real_name.strip(),
        contact=objection.contact.strip(),
        reason=objection.text.strip(),
    )
    db.session.add(appeal)
    db.session.flush()
    return appeal


def finalise_check(result_set: ResultSet, now: datetime) -> Reason | None:
    """Why the results cannot become final at ``now``, or None (pages hide the button then)."""
    return rules.finalise_problem(
        result_set.state,
        pending_appeals(result_set.assessment_id),
        settled(result_set),
        notice_open_until(result_set, now),
    )


def finalise(result_set: ResultSet, now: datetime) -> Reason | None:
    """Make results under notice final; refused before the notice's deadline, while an appeal
    is undecided or a correction is open."""
    problem = finalise_check(result_set, now)
    if problem:
        return problem
    result_set.state = "final"
    result_set.finalised_at = now
    freeze_facts(result_set.assessment_id)
    db.session.flush()
    cache.results_changed([result_set.assessment_id])
    return None


def freeze_facts(ct_id: int) -> None:
    """Write down on each result the name, unit and delegation the public reads, as the
    register has them now (the subjects' facts, whatever their kind): final results keep
    them whatever the register says later."""
    f = facts_of(ct_id)
    rows = db.session.execute(
        select(Result, f.c.name, f.c.unit_name, f.c.delegation_name)
        .join(f, f.c.subject_id == Result.subject_id)
        .where(Result.assessment_id == ct_id)
    )
    for result, name, unit, delegation in rows:
        result.final_name, result.final_unit = name, unit or ""
        result.final_delegation = delegation or ""


def withdraw(result_set: ResultSet) -> Reason | None:
    """Take results back from public notice to draft (before anything is final)."""
    if not rules.transition_allowed(result_set.state, "draft"):
        return Reason.of(N_("only results under public notice can be withdrawn"))
    if pending_appeals(result_set.assessment_id):
        return Reason.of(N_("decide the pending appeals first"))
    result_set.state = "draft"
    result_set.published_at = result_set.notice_deadline = result_set.onsite_appeal_until = None
    db.session.flush()
    cache.results_changed([result_set.assessment_id])
    return None


def finalise_due(now: datetime) -> list[int]:
    """Make final every notice whose deadline has passed with no appeal pending and the marks
    settled (the periodic task calls this); the others wait for the arbitrator, the chief
    judge and the organiser. Returns the contest-trades made final."""
    due = db.session.scalars(
        select(ResultSet)
        .where(ResultSet.state == "notice", ResultSet.notice_deadline < now)
        .with_for_update(skip_locked=True)
    ).all()
    done = []
    for result_set in due:
        pending = pending_appeals(result_set.assessment_id)
        if rules.finalises_by_itself(
            result_set.state, now, result_set.notice_deadline, pending, settled(result_set)
        ):
            finalise(result_set, now)
            done.append(result_set.assessment_id)
    return done


@results_signals.result_set_refusals.connect
def publication_refusals(result_set, **_) -> dict[str, str]:
    """Why making final or withdrawing would be refused now (the results page says it instead
    of offering the button)."""
    if result_set is None or result_set.state != "notice":
        return {}
    out = {}
    problem = finalise_check(result_set, local_now())
    if problem:
        out["finalise"] = say(problem)
    if pending_appeals(result_set.assessment_id):
        out["withdraw"] = gettext("decide the pending appeals first")
    return out

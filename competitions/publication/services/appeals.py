"""The arbitrator's decisions on appeals (flush only; the view commits)."""

from datetime import datetime

from sqlalchemy import select

from competitions.assessment.models import Assessment, every_kinds_facts
from competitions.core.db import db
from competitions.core.words import N_, Reason
from competitions.judging.models import LockEvent, MarkingLock
from competitions.publication.models import Appeal
from competitions.publication.services import cache
from competitions.results.models import Result


def appeals_of(contest_id: int) -> list[tuple[Appeal, Result | None]]:
    """A contest's appeals (about any of its assessments), newest first, each with the
    subject's current result."""
    rows = db.session.execute(
        select(Appeal, Result)
        .join(Assessment, Assessment.id == Appeal.assessment_id)
        .outerjoin(Result, Result.subject_id == Appeal.subject_id)
        .where(Assessment.contest_id == contest_id)
        .order_by(Appeal.filed_at.desc())
    ).all()
    return [tuple(r) for r in rows]


def subjects_named(subject_ids: list[int]) -> dict[int, tuple[str, str]]:
    """What each appeal is about, in words: {subject id: (its name, its unit's name)} (a
    contestant, a nominee, an achievement: each kind's facts), for the arbitrator's page."""
    if not subject_ids:
        return {}
    facts = every_kinds_facts()
    rows = db.session.execute(
        select(facts.c.subject_id, facts.c.name, facts.c.unit_name).where(
            facts.c.subject_id.in_(subject_ids)
        )
    )
    return {s: (name or "", unit or "") for s, name, unit in rows}


def decide(appeal: Appeal, upheld: bool, reason: str, user_id: int, now: datetime) -> Reason | None:
    """Uphold or reject an appeal with written reasons; the decision is final.

    An upheld appeal reopens the assessment's marks under the chief judge (the lock is
    lifted with the decision as its reason); relocking recomputes the results.
    """
    if appeal.state != "pending":
        return Reason.of(N_("this appeal is already decided; the decision is final"))
    if len(reason.strip()) < 5:
        return Reason.of(N_("write the reasons for the decision"))
    appeal.state = "upheld" if upheld else "rejected"
    appeal.decision = reason.strip()
    appeal.decided_by, appeal.decided_at = user_id, now
    if upheld:
        result = db.session.get(Result, appeal.subject_id)
        if result is not None:
            appeal.result_before = {
                "total": str(result.total),
                "rank": result.rank,
                "award": result.award,
            }
        lock = db.session.get(MarkingLock, appeal.assessment_id)
        if lock is not None and lock.locked:
            lock.locked, lock.locked_by, lock.locked_at = False, None, None
            db.session.add(
                LockEvent(
                    assessment_id=appeal.assessment_id,
                    action="unlock",
                    user_id=user_id,
                    # not the reasons: the chief judge reads this, and marks blind
                    reason=f"申诉 #{appeal.id} 成立",
                )
            )
    db.session.flush()
    cache.results_changed([appeal.assessment_id])
    return None

"""The workers' side of a labour competition: scoring and ranking its periods, one task per
period in a chord (they run side by side), then the running total and the commendation
(thin: ids in, the services do the work, each task commits its own)."""

import logging

from celery import chord, shared_task

from competitions.core.db import db
from competitions.core.jobs import Job, as_job_owner, fail_job, finish_job
from competitions.core.words import N_
from competitions.labour.models import LabourCompetition, LabourPeriod
from competitions.labour.services import scoring

logger = logging.getLogger(__name__)

KIND = "labour_score"


@shared_task(name="labour.score_period", acks_late=True)
def score_period(job_id: str, period_id: int) -> dict:
    """Score and rank one period (refused, and said so, while it is open or published)."""
    with as_job_owner(db.session.get(Job, job_id)):
        period = db.session.get_one(LabourPeriod, period_id)
        problem = scoring.problem_of(period)
        if problem is None:
            scoring.score_period(period)
        db.session.commit()
        return {"label": period.label, "refused": problem.msgid if problem else None}


@shared_task(name="labour.finish_score", acks_late=True)
def finish_score(done: list[dict], job_id: str, competition_id: int) -> None:
    """After every period: the running total (and the commendation), the job succeeded."""
    job = db.session.get(Job, job_id)
    with as_job_owner(job):
        scoring.score_total(db.session.get_one(LabourCompetition, competition_id))
        result = {
            "scored": [d["label"] for d in done if not d["refused"]],
            "refused": {d["label"]: d["refused"] for d in done if d["refused"]},
        }
        finish_job(job, "succeeded", "", result)
        db.session.commit()


@shared_task(name="labour.score_failed")
def score_failed(request, exc, traceback, job_id: str) -> None:
    logger.error("labour scoring job %s failed: %r", job_id, exc)
    fail_job(
        job_id,
        N_("Scoring stopped on an unexpected error; the periods scored so far are kept."),
    )


def queue_score(job_id: str, competition_id: int, period_ids: list[int]) -> None:
    """Fan the scoring out: one task per period, a chord to finish with the running total."""
    callback = finish_score.s(job_id, competition_id).on_error(score_failed.s(job_id))
    chord([score_period.s(job_id, period_id) for period_id in period_ids])(callback)

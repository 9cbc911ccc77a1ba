"""The workers' side of a labour competition: scoring and ranking its periods and the running
total (thin: ids in, the services do the work, commit at the end)."""

import logging

from celery import shared_task

from competitions.core.db import db
from competitions.core.jobs import Job, as_job_owner, fail_job, finish_job
from competitions.core.words import N_
from competitions.labour.models import LabourCompetition
from competitions.labour.services import scoring

logger = logging.getLogger(__name__)

KIND = "labour_score"


@shared_task(name="labour.score", acks_late=True)
def score(job_id: str, competition_id: int, period_ids: list[int]) -> dict:
    """Score and rank the periods asked (the closed ones), then the running total."""
    job = db.session.get(Job, job_id)
    try:
        with as_job_owner(job):
            comp = db.session.get_one(LabourCompetition, competition_id)
            done = scoring.score(comp, period_ids)
            finish_job(job, "succeeded", "", done)
            db.session.commit()
            return done
    except Exception as exc:
        logger.error("labour scoring job %s failed: %r", job_id, exc)
        fail_job(job_id, N_("Scoring stopped on an unexpected error; nothing of it was saved."))
        raise

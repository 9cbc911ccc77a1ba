"""The workers' side of the contest day: a contest-trade's admission tickets."""

import logging

from celery import shared_task

from competitions.contestday.services import tickets
from competitions.core.db import db
from competitions.core.jobs import Job, as_job_owner, fail_job, finish_job, report_progress
from competitions.core.words import N_

logger = logging.getLogger(__name__)


@shared_task(name="contestday.make_tickets", acks_late=True)
def make_tickets(job_id: str, ct_id: int) -> None:
    """Make every admission ticket of a contest-trade, then mark the job succeeded."""
    job = db.session.get(Job, job_id)
    try:
        with as_job_owner(job):
            made = tickets.make_tickets(
                ct_id, lambda done, total: report_progress(job_id, done, total)
            )
            finish_job(job, "succeeded", "", {"ct_id": ct_id, "made": made})
            db.session.commit()
    except Exception:
        logger.exception("tickets of contest-trade %s failed", ct_id)
        fail_job(job_id, N_("Making the tickets stopped on an unexpected error: make them again."))
        raise

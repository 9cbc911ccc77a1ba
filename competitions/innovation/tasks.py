"""The workers' side of an innovation contest: the combined score and the awards (thin: ids
in, the services do the work, the task commits)."""

import logging

from celery import shared_task

from competitions.core.db import db
from competitions.core.jobs import Job, as_job_owner, finish_job
from competitions.innovation import services
from competitions.innovation.models import InnovationContest

logger = logging.getLogger(__name__)

KIND = "innovation_awards"


@shared_task(name="innovation.compute_awards", acks_late=True)
def compute_awards(job_id: str, innovation_id: int) -> None:
    """Combine the review and defence scores and give the awards by fixed counts per category
    (refused, and said so in the job, while the marks are not locked or the awards are out)."""
    job = db.session.get(Job, job_id)
    with as_job_owner(job):
        innovation = db.session.get_one(InnovationContest, innovation_id)
        try:
            result_set = services.compute_awards(innovation)
        except services.InnovationError as err:
            db.session.rollback()
            finish_job(db.session.get(Job, job_id), "failed", err.reason.msgid)
        else:
            finish_job(job, "succeeded", "", {"ranked": result_set.ranked})
        db.session.commit()

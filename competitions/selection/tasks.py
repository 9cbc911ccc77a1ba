"""The workers' side of a 工匠 selection: writing the vote's trail from Redis to PostgreSQL in
batches, and the combined ranking (thin: ids in, the services do the work, each commits)."""

from celery import shared_task

from competitions.core.db import db
from competitions.core.jobs import Job, as_job_owner, finish_job
from competitions.selection import services
from competitions.selection.models import SelectionCampaign


@shared_task(name="selection.write_trail", acks_late=True)
def write_trail(campaign_id: int) -> int:
    """Copy the acknowledged votes from the Redis stream to the database (idempotent)."""
    return services.write_trail(campaign_id)


@shared_task(name="selection.combine", acks_late=True)
def combine(job_id: str, campaign_id: int) -> None:
    """The combined ranking: normalised expert score and vote share, weighted; results written."""
    job = db.session.get(Job, job_id)
    with as_job_owner(job):
        result_set = services.combined(db.session.get_one(SelectionCampaign, campaign_id))
        finish_job(job, "succeeded", "", {"ranked": result_set.ranked})
        db.session.commit()

"""Celery tasks: thin wrappers that load by id, call the domain, save, report status, commit."""

import logging
from functools import partial

from celery import shared_task

from competitions.core.audit import acting_as
from competitions.core.db import db
from competitions.core.jobs import Job, finish_job, report_progress
from competitions.imports import jobs as import_jobs
from competitions.imports import services as imports
from competitions.registry.rules import N_

logger = logging.getLogger(__name__)


@shared_task(name="imports.import_entries")
def import_entries(job_id: str) -> None:
    """Import a job's uploaded contestants into its contest, all or nothing, and mark the job."""
    job = db.session.get(Job, job_id)
    if job is None or job.state in ("succeeded", "failed"):
        logger.info("import job %s: nothing to do (already ended or gone)", job_id)
        return
    try:
        with acting_as(job.user_id):
            upload = job.file("input")
            outcome = imports.import_file(
                job.contest_id, upload.filename, upload.data, partial(report_progress, job_id)
            )
            import_jobs.record_outcome(job, outcome)
            db.session.commit()
    except Exception:
        db.session.rollback()
        finish_job(
            db.session.get(Job, job_id),
            "failed",
            N_("The import stopped on an unexpected error; nothing was saved."),
        )
        db.session.commit()
        logger.exception("import job %s failed unexpectedly", job_id)
        raise

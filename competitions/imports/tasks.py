"""The workers' side of imports: contestants and marks, all or nothing."""

import logging
from functools import partial

from celery import shared_task

from competitions.core.audit import acting_as
from competitions.core.db import db
from competitions.core.jobs import Job, finish_job, report_progress
from competitions.core.words import N_
from competitions.imports import services as imports
from competitions.imports.services import jobs as import_jobs
from competitions.imports.services import marks as marks_import

logger = logging.getLogger(__name__)


@shared_task(name="imports.import_entries")
def import_entries(job_id: str) -> None:
    """Import a job's uploaded contestants into its contest, all or nothing, and mark the job."""
    _run_import(
        job_id,
        lambda job, upload, progress: imports.import_file(
            job.contest_id, upload.filename, upload.data, progress
        ),
    )


@shared_task(name="imports.import_marks")
def import_marks(job_id: str) -> None:
    """Import a job's uploaded marks file (theory by ID number, practical by code), all or
    nothing, and mark the job."""
    part = {kind: part for part, kind in import_jobs.MARKS_KINDS.items()}

    def run(job, upload, progress):
        return marks_import.import_marks(
            job.result["contest_trade_id"],
            part[job.kind],
            upload.filename,
            upload.data,
            job.user_id,
            progress,
        )

    _run_import(job_id, run)


def _run_import(job_id: str, run) -> None:
    """Run an import job once: ``run(job, upload, progress)`` checks and saves, its outcome is
    recorded and committed; on an unexpected error nothing is saved and the job fails."""
    job = db.session.get(Job, job_id)
    if job is None or job.state in ("succeeded", "failed"):
        logger.info("import job %s: nothing to do (already ended or gone)", job_id)
        return
    try:
        with acting_as(job.user_id, job.contest_id):
            outcome = run(job, job.file("input"), partial(report_progress, job_id))
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

"""Celery tasks: thin wrappers that load by id, call the domain, save, report status, commit."""

import logging
from functools import partial

from celery import chord, shared_task

from competitions.accounts import services as accounts
from competitions.certificates import issue as certificate_issue
from competitions.core import audit_chain, key_rotation
from competitions.core.audit import acting_as
from competitions.core.audit_cli import audit_key
from competitions.core.db import db, utcnow
from competitions.core.jobs import Job, add_progress, finish_job, report_progress
from competitions.imports import jobs as import_jobs
from competitions.imports import marks as marks_import
from competitions.imports import services as imports
from competitions.publication import services as publication
from competitions.registry.rules import N_
from competitions.results import compute as results_compute
from competitions.results import services as results_services

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


def _as_job_owner(job: Job | None):
    """The audit log names who started the job (and its contest) for what its tasks change."""
    return acting_as(job.user_id, job.contest_id) if job else acting_as(None)


@shared_task(name="results.recompute_chunk", acks_late=True)
def recompute_chunk(job_id: str, ct_ids: list[int]) -> dict:
    """Compute the entry results of some contest-trades; returns the refused ones' problems."""
    job = db.session.get(Job, job_id)
    with _as_job_owner(job):
        refused = results_compute.recompute(ct_ids)
    add_progress(job_id, len(ct_ids))
    db.session.commit()
    return {str(ct_id): problems for ct_id, problems in refused.items()}


@shared_task(name="results.finish_recompute", acks_late=True)
def finish_recompute(chunk_results: list[dict], job_id: str, ct_ids: list[int]) -> None:
    """After every chunk (each did its teams, advancement and honours): the job ends."""
    refused = {int(k): v for part in chunk_results for k, v in part.items()}
    job = db.session.get(Job, job_id)
    message = N_("Some results could not be computed.") if refused else ""
    finish_job(
        job,
        "succeeded",
        message,
        {**(job.result or {}), "refused": {str(k): v for k, v in refused.items()}},
    )
    db.session.commit()


@shared_task(name="results.recompute_failed")
def recompute_failed(request, exc, traceback, job_id: str) -> None:
    """A chunk failed: the job is marked failed; results already committed stay as they were."""
    logger.error("recompute job %s failed: %r", job_id, exc)
    db.session.rollback()
    finish_job(
        db.session.get(Job, job_id),
        "failed",
        N_("The recompute stopped on an unexpected error; the previous results stay."),
    )
    db.session.commit()


@shared_task(name="publication.finalise_due")
def finalise_due() -> list[int]:
    """Periodic (Celery beat): results whose public notice ended with no appeal pending become
    final by themselves."""
    done = publication.finalise_due(publication.local_now())
    db.session.commit()
    if done:
        logger.info("made final at the end of their public notice: %s", done)
    return done


@shared_task(name="audit.seal")
def seal_audit_log() -> int:
    """Periodic (Celery beat): seal the audit records written since the last seal."""
    return audit_chain.seal_pending(db.session, audit_key())


@shared_task(name="keys.rotate_data")
def rotate_data(batch: int = key_rotation.BATCH) -> list[dict]:
    """Re-encrypt personal data with the first data key (and rehash with the index key), a
    batch per transaction (``flask keys rotate-data --on-workers``); run again if stopped."""
    return [vars(outcome) for outcome in key_rotation.rotate_all(batch)]


@shared_task(name="accounts.forget_old_failures")
def forget_old_failures() -> int:
    """Periodic (Celery beat): counts of failed log-ins a day old are deleted (usernames typed
    by guessers would otherwise pile up)."""
    deleted = accounts.forget_old_failures(utcnow().replace(tzinfo=None))
    db.session.commit()
    return deleted


def queue_recompute(job_id: str, ct_ids: list[int]) -> None:
    """Fan the recompute out: one task per chunk of contest-trades, a chord to finish."""
    header = [recompute_chunk.s(job_id, chunk) for chunk in results_services.chunks(ct_ids)]
    callback = finish_recompute.s(job_id, ct_ids).on_error(recompute_failed.s(job_id))
    chord(header)(callback)


@shared_task(name="certificates.issue_chunk", acks_late=True)
def issue_chunk(job_id: str, items: list) -> int:
    """Issue some planned certificates, each committed with its file; returns how many."""
    with _as_job_owner(db.session.get(Job, job_id)):
        return certificate_issue.issue_chunk(job_id, items, db.session.commit)


@shared_task(name="certificates.finish_issue", acks_late=True)
def finish_issue(issued: list[int], job_id: str, ct_ids: list[int]) -> None:
    """After every chunk: the ZIP of the PDFs and the register attached, the job succeeded."""
    job = db.session.get(Job, job_id)
    counts = certificate_issue.attach_outputs(job, ct_ids)
    finish_job(job, "succeeded", "", {**(job.result or {}), **counts, "issued": sum(issued)})
    db.session.commit()


@shared_task(name="certificates.issue_failed")
def issue_failed(request, exc, traceback, job_id: str) -> None:
    """A chunk failed: the job is marked failed; the certificates committed so far stay."""
    logger.error("certificate job %s failed: %r", job_id, exc)
    db.session.rollback()
    finish_job(
        db.session.get(Job, job_id),
        "failed",
        N_(
            "Issuing stopped on an unexpected error; the certificates issued so far are kept: "
            "issue again to complete the rest."
        ),
    )
    db.session.commit()


def queue_issue(job_id: str, chunks: list[list], ct_ids: list[int]) -> None:
    """Fan the issue out: one task per chunk of certificates, a chord to finish."""
    callback = finish_issue.s(job_id, ct_ids).on_error(issue_failed.s(job_id))
    if not chunks:  # nothing new to issue: still refresh the ZIP and the register
        callback.apply_async(([],))
        return
    chord([issue_chunk.s(job_id, chunk) for chunk in chunks])(callback)

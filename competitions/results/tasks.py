"""The workers' side of results: a recompute fanned out in chunks, a chord to finish."""

import logging

from celery import chord, shared_task

from competitions.core.db import db
from competitions.core.jobs import Job, add_progress, as_job_owner, fail_job, finish_job
from competitions.core.queue import commit_then_enqueue
from competitions.core.words import N_
from competitions.judging import signals as judging_signals
from competitions.registry.models import ContestTrade
from competitions.results import services as results_services
from competitions.results.services import compute as results_compute

logger = logging.getLogger(__name__)


@shared_task(name="results.recompute_chunk", acks_late=True)
def recompute_chunk(job_id: str, ct_ids: list[int]) -> dict:
    """Compute the entry results of some contest-trades; returns the refused ones' problems."""
    job = db.session.get(Job, job_id)
    with as_job_owner(job):
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
    fail_job(job_id, N_("The recompute stopped on an unexpected error; the previous results stay."))


def queue_recompute(job_id: str, ct_ids: list[int]) -> None:
    """Fan the recompute out: one task per chunk of contest-trades, a chord to finish."""
    header = [recompute_chunk.s(job_id, chunk) for chunk in results_services.chunks(ct_ids)]
    callback = finish_recompute.s(job_id, ct_ids).on_error(recompute_failed.s(job_id))
    chord(header)(callback)


@judging_signals.marks_locked.connect
def recompute_after_lock(assessment, user_id: int | None = None, **_) -> None:
    """Locking a contest-trade's marks has the workers compute its results (another kind of
    assessment is not a contest-trade's: its own area answers the signal)."""
    if not isinstance(assessment, ContestTrade):
        return
    job = results_services.start_recompute([assessment.id], user_id, assessment.contest_id)
    commit_then_enqueue(job.id, queue_recompute, job.id, [assessment.id])

"""The workers' side of certificates: issuing fanned out in chunks, a chord to finish."""

import logging

from celery import chord, shared_task

from competitions.certificates import services as certificate_services
from competitions.certificates.services import issue as certificate_issue
from competitions.core.db import db
from competitions.core.jobs import Job, as_job_owner, fail_job, finish_job
from competitions.core.queue import commit_then_enqueue
from competitions.core.words import N_

logger = logging.getLogger(__name__)


@shared_task(name="certificates.issue_chunk", acks_late=True)
def issue_chunk(job_id: str, items: list) -> int:
    """Issue some planned certificates, each committed with its file; returns how many."""
    with as_job_owner(db.session.get(Job, job_id)):
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
    fail_job(
        job_id,
        N_(
            "Issuing stopped on an unexpected error; the certificates issued so far are kept: "
            "issue again to complete the rest."
        ),
    )


def queue_issue(job_id: str, chunks: list[list], ct_ids: list[int]) -> None:
    """Fan the issue out: one task per chunk of certificates, a chord to finish."""
    callback = finish_issue.s(job_id, ct_ids).on_error(issue_failed.s(job_id))
    if not chunks:  # nothing new to issue: still refresh the ZIP and the register
        callback.apply_async(([],))
        return
    chord([issue_chunk.s(job_id, chunk) for chunk in chunks])(callback)


def issue_on_workers(contest, assessment_ids: list[int], user_id: int | None) -> Job:
    """Issue the certificates of these assessments (their results final) on the workers: the
    contest's design made if it has none, the job started and committed, its chunks queued."""
    certificate_services.design_of(contest)
    job, chunks = certificate_services.start_issue(contest.id, assessment_ids, user_id)
    commit_then_enqueue(job.id, queue_issue, job.id, chunks, assessment_ids)
    return job

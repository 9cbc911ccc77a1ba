"""Handing jobs to the workers: the one place that knows the task queue can be unreachable.

Every action that queues work (a recompute, locking marks, issuing certificates, an import)
first commits its :class:`~competitions.core.jobs.Job`, then calls :func:`enqueue`. When the
broker (Redis) cannot be reached, nothing is queued: the job ends *failed* with a message saying
why, so no job waits forever for a task that was never sent, and :class:`QueueUnavailable` is
raised; the app answers it by saying so and sending the user back to the page they came from
(``app.py``), where the action can simply be tried again. Nothing needs restarting when Redis
returns: the next action connects afresh.
"""

import logging
from collections.abc import Callable

import redis
from flask import current_app
from kombu.exceptions import OperationalError as BrokerError

from competitions.core.db import db
from competitions.core.jobs import Job, finish_job
from competitions.core.words import N_

logger = logging.getLogger(__name__)

#: The failed job's message (translated where jobs are shown).
UNREACHABLE = N_("The task queue could not be reached, so nothing was started: try again.")
#: What a queue outage raises while a task is sent: the broker's error (kombu), the result
#: store's (redis-py), and Celery's "retry limit exceeded" for its result subscriber.
_OUTAGES = (BrokerError, redis.exceptions.ConnectionError, redis.exceptions.TimeoutError)


class QueueUnavailable(Exception):
    """The task queue could not be reached; the job (if any) has been marked failed."""

    def __init__(self, job_id: str | None = None):
        super().__init__(job_id)
        self.job_id = job_id


def _is_outage(error: BaseException) -> bool:
    if isinstance(error, _OUTAGES):
        return True
    # Celery's result subscriber gives up with a RuntimeError raised from the connection error.
    return isinstance(error, RuntimeError) and isinstance(error.__cause__, _OUTAGES)


def check_broker() -> None:
    """Raise the broker's error at once when it cannot be reached (one connection attempt,
    instead of Celery's retries while the user waits)."""
    celery_app = current_app.extensions["celery"]
    with celery_app.connection_for_write() as conn:
        conn.ensure_connection(max_retries=1, interval_start=0, interval_step=0, timeout=2)


def enqueue(job_id: str | None, send: Callable, *args, **kwargs) -> None:
    """Call ``send(*args, **kwargs)`` (a task's ``delay`` or a ``queue_…`` function) for the
    committed job ``job_id``; when the queue is unreachable, mark the job failed, commit, and
    raise :class:`QueueUnavailable`."""
    try:
        check_broker()
        send(*args, **kwargs)
    except Exception as error:
        if not _is_outage(error):
            raise
        logger.warning("task queue unreachable, job %s not started: %r", job_id, error)
        db.session.rollback()
        job = db.session.get(Job, job_id) if job_id else None
        if job is not None and job.state in ("pending", "running"):
            finish_job(job, "failed", UNREACHABLE)
            db.session.commit()
        raise QueueUnavailable(job_id) from error


def commit_then_enqueue(job_id: str, send: Callable, *args, **kwargs) -> None:
    """The one way an action hands work to the workers: commit what the request did (the job
    first of all, so a worker that starts at once finds it), then ``enqueue``."""
    db.session.commit()
    enqueue(job_id, send, *args, **kwargs)

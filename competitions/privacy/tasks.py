"""The workers' side of privacy: the daily run of the retention rule."""

import logging

from celery import shared_task
from flask import current_app

from competitions.core.db import db, utcnow
from competitions.core.i18n import local_now
from competitions.core.jobs import create_job, finish_job
from competitions.privacy import services

logger = logging.getLogger(__name__)


@shared_task(name="privacy.apply_retention")
def apply_retention() -> int:
    """Periodic (Celery beat, daily): anonymise the contestants without an award whose
    contests' retention after final has run out, and clear the public objectors whose
    objections were decided long enough ago (``OBJECTOR_KEEP_DAYS``); the run is kept as a job
    (its report: how many) for the system administrator's page."""
    job = create_job(services.RETENTION_JOB, None)
    today = local_now().date()
    done = services.apply_retention(
        today, current_app.config["RETENTION_YEARS"], utcnow().replace(tzinfo=None)
    )
    cleared = services.clear_objectors(today, current_app.config["OBJECTOR_KEEP_DAYS"])
    finish_job(job, "succeeded", "", {"anonymised": done, "objectors_cleared": cleared})
    db.session.commit()
    if done:
        logger.info("retention: %s people anonymised", done)
    return done

"""The workers' side of publication: notices that end by themselves."""

import logging

from celery import shared_task

from competitions.core.db import db
from competitions.publication import services as publication

logger = logging.getLogger(__name__)


@shared_task(name="publication.finalise_due")
def finalise_due() -> list[int]:
    """Periodic (Celery beat): results whose public notice ended with no appeal pending become
    final by themselves."""
    done = publication.finalise_due(publication.local_now())
    db.session.commit()
    if done:
        logger.info("made final at the end of their public notice: %s", done)
    return done

"""The workers keep the union's figures current."""

import logging

from celery import shared_task

from competitions.core.db import db
from competitions.stats import services

logger = logging.getLogger(__name__)


@shared_task(name="stats.refresh")
def refresh(force_year: int | None = None) -> list[int]:
    """Periodic (Celery beat, every minute), and at a union officer's request for one year:
    count again the years whose figures changed. Returns the years counted."""
    counted = services.refresh(force_year)
    db.session.commit()
    return counted

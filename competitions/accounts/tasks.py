"""The workers' side of accounts: forgetting old failed log-ins."""

import logging

from celery import shared_task

from competitions.accounts import services as accounts
from competitions.core.db import db, utcnow

logger = logging.getLogger(__name__)


@shared_task(name="accounts.forget_old_failures")
def forget_old_failures() -> int:
    """Periodic (Celery beat): counts of failed log-ins a day old are deleted (usernames typed
    by guessers would otherwise pile up)."""
    deleted = accounts.forget_old_failures(utcnow().replace(tzinfo=None))
    db.session.commit()
    return deleted

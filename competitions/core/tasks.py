"""The workers' side of the plumbing: sealing the audit log, rotating the data key."""

import logging

from celery import shared_task

from competitions.core import audit_chain, key_rotation
from competitions.core.audit_cli import audit_key
from competitions.core.db import db

logger = logging.getLogger(__name__)


@shared_task(name="audit.seal")
def seal_audit_log() -> int:
    """Periodic (Celery beat): seal the audit records written since the last seal."""
    return audit_chain.seal_pending(db.session, audit_key())


@shared_task(name="keys.rotate_data")
def rotate_data(batch: int = key_rotation.BATCH) -> list[dict]:
    """Re-encrypt personal data with the first data key (and rehash with the index key), a
    batch per transaction (``flask keys rotate-data --on-workers``); run again if stopped."""
    return [vars(outcome) for outcome in key_rotation.rotate_all(batch)]

"""The workers' side of the plumbing: sealing the audit log."""

import logging

from celery import shared_task

from competitions.core import audit_chain
from competitions.core.audit_cli import audit_key
from competitions.core.db import db

logger = logging.getLogger(__name__)


@shared_task(name="audit.seal")
def seal_audit_log() -> int:
    """Periodic (Celery beat): seal the audit records written since the last seal."""
    return audit_chain.seal_pending(db.session, audit_key())

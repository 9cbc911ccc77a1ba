"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from competitions.accounts.models import ContestRole, User
from competitions.core.audit import AuditLog
from competitions.core.jobs import Job, JobFile
from competitions.registry.models import (
    Contest,
    ContestTrade,
    Delegation,
    Entry,
    Person,
    Trade,
    Unit,
)

__all__ = [
    "AuditLog",
    "Contest",
    "ContestRole",
    "ContestTrade",
    "Delegation",
    "Entry",
    "Job",
    "JobFile",
    "Person",
    "Trade",
    "Unit",
    "User",
]

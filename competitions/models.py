"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from competitions.accounts.models import ContestRole, User
from competitions.core.audit import AuditLog
from competitions.core.jobs import Job, JobFile
from competitions.judging.models import (
    CodeReveal,
    DeclaredRelation,
    EntryCode,
    FlagResolution,
    JudgeEntry,
    JudgeItem,
    LockEvent,
    Mark,
    MarkChange,
    MarkingLock,
    PanelMember,
    SchemeItem,
    SchemePart,
    ScoreSheet,
)
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
    "CodeReveal",
    "DeclaredRelation",
    "EntryCode",
    "FlagResolution",
    "JudgeEntry",
    "JudgeItem",
    "LockEvent",
    "Mark",
    "MarkChange",
    "MarkingLock",
    "PanelMember",
    "SchemeItem",
    "SchemePart",
    "ScoreSheet",
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

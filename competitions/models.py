"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from competitions.accounts.models import (
    ContestRole,
    LoginFailure,
    RecoveryCode,
    SecondFactor,
    User,
    UserSession,
)
from competitions.certificates.models import Certificate, CertificateDesign, CertificateImage
from competitions.core.audit import AuditLog
from competitions.core.audit_chain import AuditSeal
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
from competitions.publication.models import Appeal
from competitions.registry.models import (
    Contest,
    ContestTrade,
    Delegation,
    Entry,
    Person,
    PersonConsent,
    Trade,
    Unit,
)
from competitions.results.models import Honour, Result, ResultSet, TeamResult

__all__ = [
    "Appeal",
    "AuditLog",
    "AuditSeal",
    "Certificate",
    "CertificateDesign",
    "CertificateImage",
    "CodeReveal",
    "Contest",
    "ContestRole",
    "ContestTrade",
    "DeclaredRelation",
    "Delegation",
    "Entry",
    "EntryCode",
    "FlagResolution",
    "Honour",
    "Job",
    "JobFile",
    "JudgeEntry",
    "JudgeItem",
    "LockEvent",
    "LoginFailure",
    "Mark",
    "MarkChange",
    "MarkingLock",
    "PanelMember",
    "Person",
    "PersonConsent",
    "RecoveryCode",
    "Result",
    "ResultSet",
    "SchemeItem",
    "SchemePart",
    "ScoreSheet",
    "SecondFactor",
    "TeamResult",
    "Trade",
    "Unit",
    "User",
    "UserSession",
]

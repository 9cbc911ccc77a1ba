"""Every model, imported in one place so the metadata (and Alembic) sees them all."""

from competitions.accounts.models import (
    ContestRole,
    LoginFailure,
    RecoveryCode,
    SecondFactor,
    User,
    UserSession,
)
from competitions.assessment.models import Assessment, Subject
from competitions.certificates.models import Certificate, CertificateDesign, CertificateImage
from competitions.contestday.models import CheckIn, ExamSession, Seat, SeatDraw
from competitions.core.audit import AuditLog
from competitions.core.audit_chain import AuditSeal
from competitions.core.jobs import Job, JobFile
from competitions.enrolment.models import EntryAttachment
from competitions.judging.models import (
    CheckInNumber,
    CodeReveal,
    DeclaredRelation,
    EncryptionDraw,
    FlagResolution,
    JudgeItem,
    JudgeSubject,
    LockEvent,
    Mark,
    MarkChange,
    MarkingLock,
    PanelMember,
    SchemeItem,
    SchemePart,
    ScoreSheet,
    SubjectCode,
    TwoLayerEncryption,
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
)
from competitions.results.models import Honour, Promotion, Result, ResultSet, TeamResult
from competitions.stats.models import Figure, FigureYear, StatsReader
from competitions.tiers.models import DirectRecommendation, OutsideContest, OutsideScore
from competitions.units.models import Unit

__all__ = [
    "Appeal",
    "Assessment",
    "AuditLog",
    "AuditSeal",
    "Certificate",
    "CertificateDesign",
    "CertificateImage",
    "CheckIn",
    "CheckInNumber",
    "CodeReveal",
    "Contest",
    "ContestRole",
    "ContestTrade",
    "DeclaredRelation",
    "Delegation",
    "DirectRecommendation",
    "EncryptionDraw",
    "Entry",
    "EntryAttachment",
    "ExamSession",
    "Figure",
    "FigureYear",
    "FlagResolution",
    "Honour",
    "Job",
    "JobFile",
    "JudgeItem",
    "JudgeSubject",
    "LockEvent",
    "LoginFailure",
    "Mark",
    "MarkChange",
    "MarkingLock",
    "OutsideContest",
    "OutsideScore",
    "PanelMember",
    "Person",
    "PersonConsent",
    "Promotion",
    "RecoveryCode",
    "Result",
    "ResultSet",
    "SchemeItem",
    "SchemePart",
    "ScoreSheet",
    "Seat",
    "SeatDraw",
    "SecondFactor",
    "StatsReader",
    "Subject",
    "SubjectCode",
    "TeamResult",
    "Trade",
    "TwoLayerEncryption",
    "Unit",
    "User",
    "UserSession",
]

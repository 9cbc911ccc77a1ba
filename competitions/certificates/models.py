"""Certificates: a contest's design and images, and each certificate issued with its facts."""

from datetime import date, datetime

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.core.db import db, utcnow

#: A member's certificate is one of a team's members (an innovation team's achievement).
KINDS = ("individual", "team", "honour", "member")
STATES = ("valid", "revoked")
IMAGE_ROLES = ("seal_1", "seal_2", "background")

DEFAULT_BODY = (
    "{name} 同志：\n在{contest}{trade}比赛中成绩优异，荣获{award}。\n特发此证，以资鼓励。"
)
DEFAULT_TEAM_BODY = "{team}：\n在{contest}{trade}比赛中荣获团体{award}。\n特发此证，以资鼓励。"
DEFAULT_MEMBER_BODY = (
    "{name}同志：\n你参与完成的项目《{team}》（团队成员）"
    "在{trade}中荣获{award}。\n特发此证，以资鼓励。"
)
DEFAULT_HONOUR_BODY = (
    "{name} 同志：\n在{contest}{trade}比赛中表现突出，经评审，推荐授予“{award}”荣誉。\n特发此证。"
)


class CertificateDesign(db.Model):
    """How a contest's certificates look: titles, body templates, issuers, date, images."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contest.id", ondelete="CASCADE"), unique=True
    )
    #: 获奖证书 for awards (individual and team), 荣誉证书 for honours.
    title: Mapped[str] = mapped_column(String(20), default="获奖证书")
    honour_title: Mapped[str] = mapped_column(String(20), default="荣誉证书")
    #: Body templates with fields such as {name} and {award}; a line break starts a paragraph.
    body: Mapped[str] = mapped_column(Text, default=DEFAULT_BODY)
    team_body: Mapped[str] = mapped_column(Text, default=DEFAULT_TEAM_BODY)
    #: A team member's certificate (each member of an innovation team's achievement).
    member_body: Mapped[str] = mapped_column(
        Text, default=DEFAULT_MEMBER_BODY, server_default=DEFAULT_MEMBER_BODY
    )
    honour_body: Mapped[str] = mapped_column(Text, default=DEFAULT_HONOUR_BODY)
    #: The issuing bodies (颁发单位), one per line, printed above the date and under the seals.
    issuers: Mapped[str] = mapped_column(Text, default="")
    #: The date printed on certificates issued from now on (issued ones keep theirs).
    issued_on: Mapped[date] = mapped_column(Date)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)

    images: Mapped[list["CertificateImage"]] = relationship(
        back_populates="design", cascade="all, delete-orphan", lazy="selectin"
    )

    def __repr__(self) -> str:
        return f"<CertificateDesign contest={self.contest_id}>"

    def image(self, role: str) -> "CertificateImage | None":
        """The design's image in this role (seal_1, seal_2, background), if uploaded."""
        return next((i for i in self.images if i.role == role), None)


class CertificateImage(db.Model):
    """A seal (PNG) or background image of a design, kept in the database for every worker."""

    id: Mapped[int] = mapped_column(primary_key=True)
    design_id: Mapped[int] = mapped_column(
        ForeignKey("certificate_design.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(12))
    #: "png" or "jpeg", from the file's content.
    format: Mapped[str] = mapped_column(String(5))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    #: Deferred: listing a design's images must not read the bytes.
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True)

    design: Mapped[CertificateDesign] = relationship(back_populates="images")

    __table_args__ = (
        UniqueConstraint("design_id", "role"),
        CheckConstraint(f"role IN {IMAGE_ROLES}", name="role"),
        CheckConstraint("format IN ('png', 'jpeg')", name="format"),
    )

    def __repr__(self) -> str:
        return f"<CertificateImage {self.role} {self.width}x{self.height}>"


class Certificate(db.Model):
    """One issued certificate: its number, the facts printed on it (frozen), its file and state."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    #: {contest}{yy}-{contest-trade}-{seq}-{check}, see rules.certificate_number.
    number: Mapped[str] = mapped_column(String(100), unique=True)
    #: Restrict: an issued certificate stays verifiable; its contest-trade cannot vanish under it.
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="RESTRICT"), index=True
    )
    #: The running number within the contest-trade.
    seq: Mapped[int] = mapped_column()
    kind: Mapped[str] = mapped_column(String(12))
    #: Who it is for: "entry:12", "team:5" or "honour:12:technical_expert".
    subject: Mapped[str] = mapped_column(String(60))
    #: The subject while valid, empty once revoked: at most one valid certificate per subject.
    live_subject: Mapped[str | None] = mapped_column(String(60))
    subject_id: Mapped[int | None] = mapped_column(
        ForeignKey("subject.id", ondelete="SET NULL"), index=True
    )
    delegation_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegation.id", ondelete="SET NULL"), index=True
    )
    #: The facts as printed, frozen at issue (later edits of names or results do not change them).
    name: Mapped[str] = mapped_column(String(150))
    unit: Mapped[str] = mapped_column(String(150), default="")
    id_masked: Mapped[str] = mapped_column(String(40), default="")
    contest: Mapped[str] = mapped_column(String(200))
    tier: Mapped[str] = mapped_column(String(20))
    trade: Mapped[str] = mapped_column(String(100))
    #: An award code (first, gold, mention…) or, for honours, an honour code.
    award: Mapped[str] = mapped_column(String(30))
    rank: Mapped[int | None] = mapped_column()
    team: Mapped[str] = mapped_column(String(150), default="")
    issued_on: Mapped[date] = mapped_column(Date)
    #: A digest of the facts: a re-issue with the same digest keeps this certificate.
    fingerprint: Mapped[str] = mapped_column(String(64))
    state: Mapped[str] = mapped_column(String(8), default="valid")
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    revoked_at: Mapped[datetime | None] = mapped_column()
    replaced_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("certificate.id", ondelete="SET NULL")
    )
    #: The PDF, relative to CERT_STORAGE_DIR.
    file_path: Mapped[str] = mapped_column(String(300))
    job_id: Mapped[str | None] = mapped_column(
        ForeignKey("job.id", ondelete="SET NULL"), index=True
    )

    replaced_by: Mapped["Certificate | None"] = relationship(remote_side=[id])

    __table_args__ = (
        UniqueConstraint("assessment_id", "seq"),
        UniqueConstraint("assessment_id", "live_subject"),
        CheckConstraint(f"kind IN {KINDS}", name="kind"),
        CheckConstraint(f"state IN {STATES}", name="state"),
        CheckConstraint(
            "(state = 'valid') = (live_subject IS NOT NULL)", name="live_subject_when_valid"
        ),
    )

    def __repr__(self) -> str:
        return f"<Certificate {self.number} {self.kind} {self.state}>"

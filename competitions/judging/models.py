"""Marking records: schemes, panels, assignments, anonymous codes, marks, sheets, flags, locks."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    Index,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship, validates

from competitions.core.crypto import Encrypted, id_number_hash
from competitions.core.db import db, utcnow
from competitions.core.identity_rules import mask_id_number, normalise_id_number
from competitions.judging.rules import ItemRule

PART_KINDS = ("theory", "practical")
ITEM_KINDS = ("measurement", "judgement")
SCALES = ("marks", "ws3")
PANEL_ROLES = ("judge", "chief_judge")
#: The reason written with marks that came from a file: "导入: " and the file's name.
IMPORT_REASON = "导入: "


class SchemePart(db.Model):
    """A part of a contest-trade's marking scheme: theory (理论知识) or practical (技能操作)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(10))
    name: Mapped[str] = mapped_column(String(100), default="")
    #: The part score is scaled to 100 from the sum of its items' max marks.
    scale_to_100: Mapped[bool] = mapped_column(default=True)

    items: Mapped[list["SchemeItem"]] = relationship(
        back_populates="part", order_by="SchemeItem.position", cascade="all, delete-orphan"
    )

    __table_args__ = (
        UniqueConstraint("assessment_id", "kind"),
        CheckConstraint("kind IN ('theory', 'practical')", name="kind"),
    )

    def __repr__(self) -> str:
        return f"<SchemePart {self.kind} of ct {self.assessment_id}>"


class SchemeItem(db.Model):
    """An item (评分项 / aspect) with its max mark, type, judges, aggregation and tolerance."""

    id: Mapped[int] = mapped_column(primary_key=True)
    part_id: Mapped[int] = mapped_column(
        ForeignKey("scheme_part.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    #: A short code, unique in the part (e.g. "A1.J1", "M3").
    code: Mapped[str] = mapped_column(String(30))
    #: The criterion / sub-criterion it belongs to (e.g. "A1 Layout").
    criterion: Mapped[str] = mapped_column(String(200), default="")
    description: Mapped[str] = mapped_column(Text, default="")
    kind: Mapped[str] = mapped_column(String(12), default="measurement")
    max_mark: Mapped[Decimal] = mapped_column(Numeric(8, 4))
    #: "marks": scores are marks 0…max; "ws3": WorldSkills judgement scores 0-3.
    scale: Mapped[str] = mapped_column(String(5), default="marks")
    #: The smallest step of a score.
    step: Mapped[Decimal] = mapped_column(Numeric(8, 4), default=Decimal("0.01"))
    #: How many judges score it independently.
    judges: Mapped[int] = mapped_column(default=1)
    aggregation: Mapped[str] = mapped_column(String(15), default="mean")
    #: Largest allowed spread between judges; empty for the default (1 on 0-3, else 10% of max).
    tolerance: Mapped[Decimal | None] = mapped_column(Numeric(8, 4))

    part: Mapped[SchemePart] = relationship(back_populates="items")

    __table_args__ = (
        UniqueConstraint("part_id", "code"),
        CheckConstraint("kind IN ('measurement', 'judgement')", name="kind"),
        CheckConstraint("scale IN ('marks', 'ws3')", name="scale"),
        CheckConstraint(
            "aggregation IN ('mean', 'trimmed_mean', 'median', 'closest_pair')", name="aggregation"
        ),
        CheckConstraint("max_mark > 0 AND step > 0 AND judges >= 1", name="positive"),
    )

    def __repr__(self) -> str:
        return f"<SchemeItem {self.code} max={self.max_mark}>"

    @property
    def rule(self) -> ItemRule:
        """The item's settings as plain data for the marking rules."""
        return ItemRule(
            max_mark=self.max_mark,
            scale=self.scale,
            step=self.step,
            judges=self.judges,
            aggregation=self.aggregation,
            tolerance=self.tolerance,
        )


class PanelMember(db.Model):
    """A judge or the chief judge of one contest-trade."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(12), default="judge")
    #: The delegation the judge comes with, if any (recusal).
    delegation_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegation.id", ondelete="SET NULL")
    )

    user = relationship("User")
    assessment = relationship("Assessment")

    __table_args__ = (
        UniqueConstraint("assessment_id", "user_id"),
        CheckConstraint("role IN ('judge', 'chief_judge')", name="role"),
        # One chief judge per contest-trade.
        Index(
            "uq_panel_member_chief",
            "assessment_id",
            unique=True,
            postgresql_where=text("role = 'chief_judge'"),
            sqlite_where=text("role = 'chief_judge'"),
        ),
    )

    def __repr__(self) -> str:
        return f"<PanelMember user={self.user_id} {self.role} assessment={self.assessment_id}>"


class JudgeItem(db.Model):
    """An item a panel member scores."""

    member_id: Mapped[int] = mapped_column(
        ForeignKey("panel_member.id", ondelete="CASCADE"), primary_key=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("scheme_item.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    def __repr__(self) -> str:
        return f"<JudgeItem member={self.member_id} item={self.item_id}>"


class JudgeSubject(db.Model):
    """A subject a panel member scores; never one they must recuse from (checked on assignment)."""

    member_id: Mapped[int] = mapped_column(
        ForeignKey("panel_member.id", ondelete="CASCADE"), primary_key=True
    )
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subject.id", ondelete="CASCADE"), primary_key=True, index=True
    )

    def __repr__(self) -> str:
        return f"<JudgeSubject member={self.member_id} subject={self.subject_id}>"


class DeclaredRelation(db.Model):
    """A relation a judge declared with a contestant (relative, colleague, trainee…)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    relation: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (UniqueConstraint("user_id", "person_id"),)

    def __repr__(self) -> str:
        return f"<DeclaredRelation user={self.user_id} person={self.person_id}>"


DECLARATION_STATES = ("pending", "applied", "dismissed")


class RelationDeclaration(db.Model):
    """A judge's declaration of a relation, as they typed it, for the organisers to act on.

    The judge learns nothing from it (whether the person exists, is entered, or their code):
    an organiser applies it (the judge recuses, a ``DeclaredRelation``) or dismisses it.
    """

    __audited__ = True

    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: The judge who declared.
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="CASCADE"))
    #: The contestant as the judge typed them (ID number normalised, kept encrypted, with its
    #: keyed hash to match a contestant: ``Person.id_number_hash``).
    name: Mapped[str] = mapped_column(String(100))
    id_number: Mapped[str] = mapped_column(Encrypted(255, mask=mask_id_number))
    id_number_hash: Mapped[str] = mapped_column(
        String(64), info={"audited": False, "hash_of": ("id_number", normalise_id_number)}
    )
    relation: Mapped[str] = mapped_column(String(200))
    declared_at: Mapped[datetime] = mapped_column(default=utcnow)
    state: Mapped[str] = mapped_column(String(10), default="pending")
    #: The organiser who applied or dismissed it, and when.
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (
        CheckConstraint("state IN ('pending', 'applied', 'dismissed')", name="state"),
    )

    def __repr__(self) -> str:
        return f"<RelationDeclaration {self.id} user={self.user_id} {self.state}>"

    @validates("id_number")
    def _hash_id_number(self, key: str, value: str) -> str:
        """Keep the hash beside the ID number whenever it is set."""
        self.id_number_hash = id_number_hash(value)
        return value


class SubjectCode(db.Model):
    """A subject's anonymous code (检录号) and optional station (工位号), drawn at random."""

    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subject.id", ondelete="CASCADE"), primary_key=True
    )
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    code: Mapped[str] = mapped_column(String(12))
    station: Mapped[int | None] = mapped_column()

    __table_args__ = (
        UniqueConstraint("assessment_id", "code"),
        UniqueConstraint("assessment_id", "station"),
    )

    def __repr__(self) -> str:
        return f"<SubjectCode {self.code} subject={self.subject_id}>"


class Mark(db.Model):
    """One judge's score of one item for one subject; at most one per (subject, item, judge)."""

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subject.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(
        ForeignKey("scheme_item.id", ondelete="CASCADE"), index=True
    )
    judge_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT"), index=True
    )
    value: Mapped[Decimal] = mapped_column(Numeric(8, 4))
    #: "judge" (typed by the judge), "sheet" (from a confirmed clerk double entry) or
    #: "import" (from a marks file).
    source: Mapped[str] = mapped_column(String(6), default="judge")
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("subject_id", "item_id", "judge_id"),
        CheckConstraint("value >= 0", name="value"),
    )

    def __repr__(self) -> str:
        return f"<Mark s={self.subject_id} i={self.item_id} j={self.judge_id} {self.value}>"


class MarkChange(db.Model):
    """The audit trail of marks: who set which score, when, from what, to what, and why."""

    def __audited__(self) -> bool:
        """A correction (by the chief judge, not the mark's judge) and an imported mark also go
        to the audit log; judges' own saves stay in this table only."""
        return self.changed_by != self.judge_id or (self.reason or "").startswith(IMPORT_REASON)

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"))
    item_id: Mapped[int] = mapped_column(ForeignKey("scheme_item.id", ondelete="CASCADE"))
    judge_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    old_value: Mapped[Decimal | None] = mapped_column(Numeric(8, 4))
    new_value: Mapped[Decimal | None] = mapped_column(Numeric(8, 4))
    changed_by: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (Index("ix_mark_change_subject_item", "subject_id", "item_id"),)

    def __repr__(self) -> str:
        return (
            f"<MarkChange s={self.subject_id} i={self.item_id} {self.old_value}→{self.new_value}>"
        )


class ScoreSheet(db.Model):
    """A judge's paper score sheet for one subject, typed twice by two different clerks."""

    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subject.id", ondelete="CASCADE"), index=True
    )
    #: The judge whose paper sheet this is; the confirmed values become their marks.
    judge_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    first_clerk_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    #: {item id: typed text}
    first_values: Mapped[dict] = mapped_column(JSON)
    second_clerk_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    second_values: Mapped[dict | None] = mapped_column(JSON)
    #: typed (first entry only), mismatch (the second differs), confirmed.
    state: Mapped[str] = mapped_column(String(10), default="typed")
    #: Bumped by every change; a confirmation names the version it saw.
    version: Mapped[int] = mapped_column(default=1)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("subject_id", "judge_id"),
        CheckConstraint("state IN ('typed', 'mismatch', 'confirmed')", name="state"),
    )

    def __repr__(self) -> str:
        return f"<ScoreSheet s={self.subject_id} j={self.judge_id} {self.state} v{self.version}>"


class FlagResolution(db.Model):
    """The chief judge's decision on a disagreement: confirm the scores, or ask for a re-mark."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subject.id", ondelete="CASCADE"), index=True
    )
    item_id: Mapped[int] = mapped_column(ForeignKey("scheme_item.id", ondelete="CASCADE"))
    action: Mapped[str] = mapped_column(String(8))
    comment: Mapped[str] = mapped_column(Text)
    #: The scores the decision was about ("judge:value;…"); a confirmation holds while they do.
    scores_key: Mapped[str] = mapped_column(Text)
    resolved_by: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("action IN ('confirm', 'remark')", name="action"),)

    def __repr__(self) -> str:
        return f"<FlagResolution s={self.subject_id} i={self.item_id} {self.action}>"


class MarkingLock(db.Model):
    """Whether a contest-trade's marks are locked (签字确认) by its chief judge."""

    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    locked: Mapped[bool] = mapped_column(default=False)
    locked_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    locked_at: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f"<MarkingLock assessment={self.assessment_id} locked={self.locked}>"


class LockEvent(db.Model):
    """Every lock and unlock, with the written reason an unlock needs."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(8))
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    reason: Mapped[str] = mapped_column(Text, default="")

    __table_args__ = (CheckConstraint("action IN ('lock', 'unlock')", name="action"),)

    def __repr__(self) -> str:
        return f"<LockEvent {self.action} assessment={self.assessment_id}>"


class CodeReveal(db.Model):
    """A look at the code-to-person list (allowed only after the lock), for the record."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: "page" or "export" (the code-to-person list); under two-layer encryption, the steps of
    #: decoding (解密): "decode1" (密号 → 检录号) and "decode2" (检录号 → person).
    what: Mapped[str] = mapped_column(String(10), default="page")

    def __repr__(self) -> str:
        return f"<CodeReveal assessment={self.assessment_id} by {self.user_id}>"


class TwoLayerEncryption(db.Model):
    """Two-layer encryption (二次加密) of an assessment: whether it is on, and the encryption
    officer (加密裁判) who holds each layer: the first to draw it, never both (checked here too).

    The first layer is the check-in number (检录号, ``CheckInNumber``); the second is the code
    judges mark (密号), kept as ``SubjectCode.code`` so that judging reads it as before.
    """

    __audited__ = True
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    enabled: Mapped[bool] = mapped_column(default=False)
    #: The officer who drew the first layer (检录号); only they read it.
    first_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )
    #: The officer who drew the second layer (密号); only they read it.
    second_officer_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="RESTRICT")
    )

    __table_args__ = (
        CheckConstraint(
            "first_officer_id IS NULL OR second_officer_id IS NULL"
            " OR first_officer_id <> second_officer_id",
            name="two_officers",
        ),
    )

    def __repr__(self) -> str:
        return f"<TwoLayerEncryption assessment={self.assessment_id} on={self.enabled}>"


class EncryptionDraw(db.Model):
    """One draw of a layer by an encryption officer (who, when, how many numbers), for the
    record; the numbers themselves stay out of the audit log, which organisers read."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    #: 1: the first layer (检录号); 2: the second layer (密号).
    layer: Mapped[int] = mapped_column()
    user_id: Mapped[int] = mapped_column(ForeignKey("user_account.id", ondelete="RESTRICT"))
    drawn: Mapped[int] = mapped_column()
    at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (CheckConstraint("layer IN (1, 2)", name="layer"),)

    def __repr__(self) -> str:
        return f"<EncryptionDraw layer {self.layer} of assessment {self.assessment_id}>"


class CheckInNumber(db.Model):
    """A subject's first-layer number (检录号) under two-layer encryption, drawn at random.

    Not audited: the audit log would name the person beside it for the organisers."""

    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subject.id", ondelete="CASCADE"), primary_key=True
    )
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    number: Mapped[str] = mapped_column(String(12))

    __table_args__ = (UniqueConstraint("assessment_id", "number"),)

    def __repr__(self) -> str:
        return f"<CheckInNumber {self.number} subject={self.subject_id}>"

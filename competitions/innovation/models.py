"""An innovation-achievement contest's records: the contest and its categories with award
counts, submissions with their members and attachments, and the two assessments.

An innovation contest hangs off a ``contest`` (its tier, organising unit, year and the roles of
its organisers). Its expert online review and its defence session (会评答辩) are each an
``InnovationRound`` (an ``assessment`` of kind "innovation_review" or "innovation_defence");
each submission marked there is an ``InnovationEntry`` (a ``subject``): judging's panels,
recusal, codes, grid and lock take them through the assessment interface, and the awards are
written as the usual ``result_set``/``result`` rows of the review, for publication (公示) and
certificates.
"""

from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import (
    CheckConstraint,
    ForeignKey,
    LargeBinary,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    select,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.assessment.models import (
    Assessment,
    Subject,
    kept_in_both,
    same_as_supertable,
)
from competitions.core.db import db, utcnow
from competitions.innovation.rules import CATEGORIES, STAGES, STATES
from competitions.registry.models import Person
from competitions.units.models import Unit


def _in(column: str, values: tuple) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class InnovationContest(db.Model):
    """An innovation-achievement contest (职工创新成果) held in a contest."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The contest it is held in (its tier, organising unit, year; its organisers).
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contest.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    #: Percent of the combined score from the online review and from the defence.
    review_weight: Mapped[int] = mapped_column(default=60)
    defence_weight: Mapped[int] = mapped_column(default=40)
    #: Whether submitters may still submit.
    is_open: Mapped[bool] = mapped_column(default=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contest = relationship("Contest")
    categories: Mapped[list["InnovationCategory"]] = relationship(
        back_populates="innovation", order_by="InnovationCategory.position"
    )

    __table_args__ = (CheckConstraint("review_weight + defence_weight = 100", name="weights"),)

    def __repr__(self) -> str:
        return f"<InnovationContest {self.id} {self.name}>"


class InnovationCategory(db.Model):
    """A category of the contest and its award counts (特等/一/二/三等奖)."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation_contest.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    #: technical_improvement, invention_patent, rationalisation or operating_method.
    category: Mapped[str] = mapped_column(String(30))
    special: Mapped[int] = mapped_column(default=1)
    first: Mapped[int] = mapped_column(default=5)
    second: Mapped[int] = mapped_column(default=10)
    third: Mapped[int] = mapped_column(default=30)

    innovation: Mapped[InnovationContest] = relationship(back_populates="categories")

    __table_args__ = (
        UniqueConstraint("innovation_id", "category"),
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(
            "special >= 0 AND first >= 0 AND second >= 0 AND third >= 0", name="counts"
        ),
    )

    @property
    def counts(self) -> dict[str, int]:
        return {
            "special": self.special,
            "first": self.first,
            "second": self.second,
            "third": self.third,
        }

    def __repr__(self) -> str:
        return f"<InnovationCategory {self.category}>"


class InnovationSubmission(db.Model):
    """An achievement submitted by a person or a team, through a submitter account."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation_contest.id", ondelete="CASCADE"), index=True
    )
    category: Mapped[str] = mapped_column(String(30))
    title: Mapped[str] = mapped_column(String(200))
    abstract: Mapped[str] = mapped_column(Text, default="")
    #: The unit the achievement comes from (judges of it recuse).
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    #: The claimed economic benefit in yuan (None: not claimed).
    benefit_yuan: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    #: The account that submits it and reads the format check's reasons.
    submitter_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    #: draft → submitted → passed, or returned (with reasons) → submitted again.
    state: Mapped[str] = mapped_column(String(10), default="draft")
    #: Why the format check returned it (the submitter reads it).
    return_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column()

    innovation: Mapped[InnovationContest] = relationship()
    unit: Mapped[Unit] = relationship()
    submitter = relationship("User")
    members: Mapped[list["InnovationMember"]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="InnovationMember.position",
    )
    attachments: Mapped[list["InnovationAttachment"]] = relationship(
        back_populates="submission",
        cascade="all, delete-orphan",
        order_by="InnovationAttachment.id",
    )

    __table_args__ = (
        CheckConstraint(_in("category", CATEGORIES), name="category"),
        CheckConstraint(_in("state", STATES), name="state"),
        CheckConstraint("benefit_yuan >= 0", name="benefit"),
    )

    def __repr__(self) -> str:
        return f"<InnovationSubmission {self.id} {self.title}>"


class InnovationMember(db.Model):
    """A person of the registry on a submission's team (the first is its leader)."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("innovation_submission.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"), index=True)
    position: Mapped[int] = mapped_column(default=0)

    submission: Mapped[InnovationSubmission] = relationship(back_populates="members")
    person = relationship("Person")

    __table_args__ = (UniqueConstraint("submission_id", "person_id"),)

    def __repr__(self) -> str:
        return f"<InnovationMember {self.submission_id}/{self.person_id}>"


class InnovationAttachment(db.Model):
    """An attachment (PDF or image) of a submission, kept in the database for every worker."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("innovation_submission.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, info={"audited": False})
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    submission: Mapped[InnovationSubmission] = relationship(back_populates="attachments")

    def __repr__(self) -> str:
        return f"<InnovationAttachment {self.id} {self.filename}>"


class InnovationRound(Assessment):
    """The expert online review of an innovation contest: an assessment whose subjects are the
    submissions that passed the format check."""

    __tablename__ = "innovation_round"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    contest_id: Mapped[int] = kept_in_both(
        "contest_id", "contest.id", Assessment.__table__.c.contest_id
    )
    innovation_id: Mapped[int] = mapped_column(
        ForeignKey("innovation_contest.id", ondelete="CASCADE"), index=True
    )
    #: review or defence.
    stage: Mapped[str] = mapped_column(String(10))
    #: Publication: the notice's length in working days, the on-site objection window.
    notice_working_days: Mapped[int] = mapped_column(default=5)
    appeal_window_hours: Mapped[int] = mapped_column(default=0)

    innovation: Mapped[InnovationContest] = relationship(foreign_keys=[innovation_id])
    contest = relationship("Contest", foreign_keys=[contest_id], viewonly=True)

    __table_args__ = (
        UniqueConstraint("innovation_id", "stage"),
        CheckConstraint(_in("stage", STAGES), name="stage"),
        same_as_supertable("contest_id", Assessment.__table__.c.contest_id),
    )
    __mapper_args__ = {
        "polymorphic_identity": "innovation_review",
        "inherit_condition": id == Assessment.id,
    }

    @property
    def title(self) -> str:
        from_stage = {"review": "专家网评", "defence": "会评答辩"}[self.stage]
        return f"{self.innovation.name} · {from_stage}"

    @property
    def printed_title(self) -> str:
        return self.innovation.name

    @property
    def short_code(self) -> str:
        return "CX"

    @property
    def part_weights(self) -> dict[str, Decimal]:
        return {"theory": Decimal(0), "practical": Decimal(100)}

    def delegation_choices(self) -> list[tuple[int, str]]:
        return []

    def resembles(self, other: Assessment) -> bool:
        return isinstance(other, InnovationRound)

    def __repr__(self) -> str:
        return f"<InnovationRound {self.id} {self.stage}>"


class InnovationDefence(InnovationRound):
    """The defence session (会评答辩): the same table, an assessment of its own kind."""

    __mapper_args__ = {"polymorphic_identity": "innovation_defence"}


class InnovationEntry(Subject):
    """A submission in one round (the review or the defence): marked there."""

    __tablename__ = "innovation_entry"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    round_id: Mapped[int] = kept_in_both(
        "round_id", "innovation_round.id", Subject.__table__.c.assessment_id
    )
    submission_id: Mapped[int] = mapped_column(
        ForeignKey("innovation_submission.id", ondelete="CASCADE"), index=True
    )

    submission: Mapped[InnovationSubmission] = relationship()

    __table_args__ = (
        UniqueConstraint("round_id", "submission_id"),
        same_as_supertable("round_id", Subject.__table__.c.assessment_id),
    )
    __mapper_args__ = {
        "polymorphic_identity": "innovation_entry",
        "inherit_condition": id == Subject.id,
    }

    @classmethod
    def facts(cls):
        """The submission's title and unit (judges of the unit recuse); never one person;
        always marked."""
        nothing = sa.cast(sa.null(), sa.Integer)
        sub = InnovationSubmission.__table__
        return (
            select(
                cls.__table__.c.id.label("subject_id"),
                cls.__table__.c.round_id.label("assessment_id"),
                nothing.label("person_id"),
                sa.cast(sa.null(), sa.String).label("id_number_hash"),
                sub.c.title.label("name"),
                sub.c.unit_id.label("unit_id"),
                Unit.name.label("unit_name"),
                nothing.label("delegation_id"),
                sa.cast(sa.null(), sa.String).label("delegation_name"),
                nothing.label("delegation_unit_id"),
                sa.true().label("marked"),
            )
            .select_from(cls.__table__)
            .join(sub, sub.c.id == cls.__table__.c.submission_id)
            .outerjoin(Unit, Unit.id == sub.c.unit_id)
        )

    @classmethod
    def members(cls, subject_ids: list[int]) -> dict[int, list[tuple[int, str, str]]]:
        """Every member of each achievement (the leader first), with the achievement's unit:
        each gets a certificate of their own."""
        rows = db.session.execute(
            select(cls.id, InnovationMember.person_id, Person.name, Unit.name)
            .join(InnovationSubmission, InnovationSubmission.id == cls.submission_id)
            .join(InnovationMember, InnovationMember.submission_id == InnovationSubmission.id)
            .join(Person, Person.id == InnovationMember.person_id)
            .outerjoin(Unit, Unit.id == InnovationSubmission.unit_id)
            .where(cls.id.in_(subject_ids))
            .order_by(cls.id, InnovationMember.position)
        ).all()
        out: dict[int, list[tuple[int, str, str]]] = {}
        for subject_id, person_id, name, unit in rows:
            out.setdefault(subject_id, []).append((person_id, name, unit or ""))
        return out

    def __repr__(self) -> str:
        return f"<InnovationEntry {self.id} s={self.submission_id}>"


InnovationRound.subject_class = InnovationEntry

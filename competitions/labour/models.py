"""A labour competition's records: participants, periods (each an assessment), the indicator
scheme, vetoes, reports with their figures and evidence, veto incidents, and the scores.

A labour competition hangs off a ``contest`` (its tier, organising unit, year and the roles of
its organisers). Each period's ranking, and the running total, is a ``LabourPeriod`` (an
``assessment`` of kind "labour_period"); each participant in it is a ``LabourStanding`` (a
``subject``). The workers write their ranking as the usual ``result_set``/``result`` rows, so
publication (公示, objections) and certificates take it through the assessment interface.
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
from competitions.labour.rules import (
    COMMENDATION_AWARDS,
    DIRECTIONS,
    PARTICIPANT_KINDS,
    PERIOD_KINDS,
    REPORT_STATES,
    SCORINGS,
    VETO_EFFECTS,
)
from competitions.units.models import Unit


def _in(column: str, values: tuple) -> str:
    return f"{column} IN (" + ", ".join(f"'{v}'" for v in values) + ")"


class LabourCompetition(db.Model):
    """A labour competition (劳动竞赛) held in a contest: its periods, scheme and commendation."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The contest it is held in (its tier, organising unit, year; its organisers).
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contest.id", ondelete="CASCADE"), unique=True
    )
    name: Mapped[str] = mapped_column(String(200))
    #: month or quarter.
    period_kind: Mapped[str] = mapped_column(String(10), default="month")
    year: Mapped[int] = mapped_column()
    #: How many are commended at the end, and as what (劳动竞赛标兵, 先进集体, 工人先锋号).
    commend_top: Mapped[int] = mapped_column(default=3)
    commendation: Mapped[str] = mapped_column(String(30), default="labour_model")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    contest = relationship("Contest")
    periods: Mapped[list["LabourPeriod"]] = relationship(
        back_populates="competition", order_by="LabourPeriod.position"
    )
    participants: Mapped[list["LabourParticipant"]] = relationship(
        back_populates="competition", order_by="LabourParticipant.name"
    )
    indicators: Mapped[list["LabourIndicator"]] = relationship(
        back_populates="competition", order_by="LabourIndicator.position"
    )
    vetoes: Mapped[list["LabourVeto"]] = relationship(
        back_populates="competition", order_by="LabourVeto.id"
    )

    __table_args__ = (
        CheckConstraint(_in("period_kind", PERIOD_KINDS), name="period_kind"),
        CheckConstraint(_in("commendation", COMMENDATION_AWARDS), name="commendation"),
        CheckConstraint("commend_top >= 0", name="commend_top"),
    )

    def __repr__(self) -> str:
        return f"<LabourCompetition {self.id} {self.name}>"


class LabourParticipant(db.Model):
    """A unit, project team or work team (班组) competing; its reporter enters its figures."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("labour_competition.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(150))
    #: unit, project_team or work_team.
    kind: Mapped[str] = mapped_column(String(20), default="work_team")
    #: The unit it belongs to (or is).
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )
    #: The account that reports its figures (the reporter).
    reporter_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )

    competition: Mapped[LabourCompetition] = relationship(back_populates="participants")
    unit: Mapped[Unit | None] = relationship()
    reporter = relationship("User")

    __table_args__ = (
        UniqueConstraint("competition_id", "name"),
        CheckConstraint(_in("kind", PARTICIPANT_KINDS), name="kind"),
    )

    def __repr__(self) -> str:
        return f"<LabourParticipant {self.id} {self.name}>"


class LabourIndicator(db.Model):
    """One indicator (指标) of the scheme: unit of measure, direction, target, weight, rule."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("labour_competition.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(default=0)
    name: Mapped[str] = mapped_column(String(100))
    #: The unit of measure (吨, 件, %, 万元…).
    measure: Mapped[str] = mapped_column(String(30), default="")
    #: higher or lower (is better).
    direction: Mapped[str] = mapped_column(String(10), default="higher")
    target: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    #: Percent of the period's score; a scheme's weights add up to 100.
    weight: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    #: ratio, linear or rank.
    scoring: Mapped[str] = mapped_column(String(10), default="ratio")
    #: A ratio's cap, in percent of the target (e.g. 120).
    cap: Mapped[Decimal] = mapped_column(Numeric(7, 2), default=Decimal(120))
    #: A linear rule's floor (0 achieved there).
    floor: Mapped[Decimal | None] = mapped_column(Numeric(14, 4))

    competition: Mapped[LabourCompetition] = relationship(back_populates="indicators")

    __table_args__ = (
        UniqueConstraint("competition_id", "name"),
        CheckConstraint(_in("direction", DIRECTIONS), name="direction"),
        CheckConstraint(_in("scoring", SCORINGS), name="scoring"),
    )

    def __repr__(self) -> str:
        return f"<LabourIndicator {self.id} {self.name}>"


class LabourVeto(db.Model):
    """A veto (一票否决): a named incident that zeroes a period or bars commendation."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("labour_competition.id", ondelete="CASCADE"), index=True
    )
    name: Mapped[str] = mapped_column(String(150))
    #: zero (the period's score is 0) or no_commendation.
    effect: Mapped[str] = mapped_column(String(20), default="zero")

    competition: Mapped[LabourCompetition] = relationship(back_populates="vetoes")

    __table_args__ = (
        UniqueConstraint("competition_id", "name"),
        CheckConstraint(_in("effect", VETO_EFFECTS), name="effect"),
    )

    def __repr__(self) -> str:
        return f"<LabourVeto {self.id} {self.name} {self.effect}>"


class LabourPeriod(Assessment):
    """A period (a month or a quarter) of a labour competition, or its running total: an
    assessment whose subjects are the participants' standings in it."""

    __tablename__ = "labour_period"
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    contest_id: Mapped[int] = kept_in_both(
        "contest_id", "contest.id", Assessment.__table__.c.contest_id
    )
    competition_id: Mapped[int] = mapped_column(
        ForeignKey("labour_competition.id", ondelete="CASCADE"), index=True
    )
    #: 1… for the periods in order; 0 for the running total.
    position: Mapped[int] = mapped_column()
    #: 2026-01, 2026Q1; 累计 for the running total.
    label: Mapped[str] = mapped_column(String(20))
    #: Whether reporters may report its figures.
    is_open: Mapped[bool] = mapped_column(default=True)
    #: Publication: the notice's length in working days, the on-site objection window.
    notice_working_days: Mapped[int] = mapped_column(default=5)
    appeal_window_hours: Mapped[int] = mapped_column(default=0)

    competition: Mapped[LabourCompetition] = relationship(
        back_populates="periods", foreign_keys=[competition_id]
    )
    contest = relationship("Contest", foreign_keys=[contest_id], viewonly=True)

    __table_args__ = (
        UniqueConstraint("competition_id", "position"),
        same_as_supertable("contest_id", Assessment.__table__.c.contest_id),
    )
    __mapper_args__ = {
        "polymorphic_identity": "labour_period",
        "inherit_condition": id == Assessment.id,
    }

    @property
    def is_total(self) -> bool:
        return self.position == 0

    @property
    def title(self) -> str:
        return f"{self.competition.name} · {self.label}"

    @property
    def printed_title(self) -> str:
        return self.competition.name

    @property
    def short_code(self) -> str:
        return self.label

    @property
    def part_weights(self) -> dict[str, Decimal]:
        return {"theory": Decimal(0), "practical": Decimal(100)}

    def delegation_choices(self) -> list[tuple[int, str]]:
        return []

    def resembles(self, other: Assessment) -> bool:
        return isinstance(other, LabourPeriod) and other.competition_id == self.competition_id

    def __repr__(self) -> str:
        return f"<LabourPeriod {self.id} {self.label}>"


class LabourStanding(Subject):
    """A participant in one period (or in the running total): ranked there."""

    __tablename__ = "labour_standing"
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    period_id: Mapped[int] = kept_in_both(
        "period_id", "labour_period.id", Subject.__table__.c.assessment_id
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("labour_participant.id", ondelete="CASCADE"), index=True
    )

    participant: Mapped[LabourParticipant] = relationship()

    __table_args__ = (
        UniqueConstraint("period_id", "participant_id"),
        same_as_supertable("period_id", Subject.__table__.c.assessment_id),
    )
    __mapper_args__ = {
        "polymorphic_identity": "labour_standing",
        "inherit_condition": id == Subject.id,
    }

    @classmethod
    def facts(cls):
        """The participant's name and unit; never a person; always marked."""
        nothing = sa.cast(sa.null(), sa.Integer)
        return (
            select(
                cls.__table__.c.id.label("subject_id"),
                cls.__table__.c.period_id.label("assessment_id"),
                nothing.label("person_id"),
                sa.cast(sa.null(), sa.String).label("id_number_hash"),
                LabourParticipant.name.label("name"),
                LabourParticipant.unit_id.label("unit_id"),
                Unit.name.label("unit_name"),
                nothing.label("delegation_id"),
                sa.cast(sa.null(), sa.String).label("delegation_name"),
                nothing.label("delegation_unit_id"),
                sa.true().label("marked"),
            )
            .select_from(cls.__table__)
            .join(LabourParticipant, LabourParticipant.id == cls.__table__.c.participant_id)
            .outerjoin(Unit, Unit.id == LabourParticipant.unit_id)
        )

    def __repr__(self) -> str:
        return f"<LabourStanding {self.id} p={self.participant_id}>"


LabourPeriod.subject_class = LabourStanding


class LabourReport(db.Model):
    """A participant's report of one period: its figures, evidence and the organiser's check."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("labour_period.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("labour_participant.id", ondelete="CASCADE"), index=True
    )
    #: draft → submitted → accepted, or returned (with a reason) → submitted again.
    state: Mapped[str] = mapped_column(String(10), default="draft")
    #: Why the organiser returned it (the reporter reads it).
    return_reason: Mapped[str] = mapped_column(Text, default="")
    submitted_at: Mapped[datetime | None] = mapped_column()
    verified_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    verified_at: Mapped[datetime | None] = mapped_column()

    period: Mapped[LabourPeriod] = relationship()
    participant: Mapped[LabourParticipant] = relationship()
    figures: Mapped[list["LabourFigure"]] = relationship(
        back_populates="report", cascade="all, delete-orphan"
    )
    evidence: Mapped[list["LabourEvidence"]] = relationship(
        back_populates="report", cascade="all, delete-orphan", order_by="LabourEvidence.id"
    )

    __table_args__ = (
        UniqueConstraint("period_id", "participant_id"),
        CheckConstraint(_in("state", REPORT_STATES), name="state"),
    )

    def __repr__(self) -> str:
        return f"<LabourReport {self.id} {self.state}>"


class LabourFigure(db.Model):
    """One figure of a report: an indicator's value for the period."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("labour_report.id", ondelete="CASCADE"), index=True
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("labour_indicator.id", ondelete="CASCADE"), index=True
    )
    value: Mapped[Decimal] = mapped_column(Numeric(14, 4))
    #: Why the organiser corrected the reported value (empty: as reported).
    correction_reason: Mapped[str] = mapped_column(Text, default="")

    report: Mapped[LabourReport] = relationship(back_populates="figures")
    indicator: Mapped[LabourIndicator] = relationship()

    __table_args__ = (
        UniqueConstraint("report_id", "indicator_id"),
        CheckConstraint("value >= 0", name="value"),
    )

    def __repr__(self) -> str:
        return f"<LabourFigure {self.indicator_id}={self.value}>"


class LabourEvidence(db.Model):
    """An evidence file (PDF or image) of a report, kept in the database for every worker."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    report_id: Mapped[int] = mapped_column(
        ForeignKey("labour_report.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column()
    data: Mapped[bytes] = mapped_column(LargeBinary, deferred=True, info={"audited": False})
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    report: Mapped[LabourReport] = relationship(back_populates="evidence")

    def __repr__(self) -> str:
        return f"<LabourEvidence {self.id} {self.filename}>"


class LabourIncident(db.Model):
    """A veto incident recorded against a participant in a period."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    period_id: Mapped[int] = mapped_column(
        ForeignKey("labour_period.id", ondelete="CASCADE"), index=True
    )
    participant_id: Mapped[int] = mapped_column(
        ForeignKey("labour_participant.id", ondelete="CASCADE"), index=True
    )
    veto_id: Mapped[int] = mapped_column(ForeignKey("labour_veto.id", ondelete="CASCADE"))
    note: Mapped[str] = mapped_column(Text, default="")
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)

    veto: Mapped[LabourVeto] = relationship()
    participant: Mapped[LabourParticipant] = relationship()
    period: Mapped[LabourPeriod] = relationship()

    __table_args__ = (UniqueConstraint("period_id", "participant_id", "veto_id"),)

    def __repr__(self) -> str:
        return f"<LabourIncident {self.veto_id} p={self.participant_id}>"


class LabourScore(db.Model):
    """One indicator's score of a standing, written by the workers with the period's results."""

    subject_id: Mapped[int] = mapped_column(
        ForeignKey("labour_standing.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[int] = mapped_column(
        ForeignKey("labour_indicator.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[Decimal] = mapped_column(Numeric(9, 4))
    #: No accepted figure: scored 0.
    missing: Mapped[bool] = mapped_column(default=False)

    def __repr__(self) -> str:
        return f"<LabourScore {self.subject_id}/{self.indicator_id}={self.score}>"

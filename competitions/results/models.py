"""Computed results: per entry, per delegation, honours, and each contest-trade's result set."""

from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
    JSON,
    CheckConstraint,
    Date,
    ForeignKey,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from competitions.core.db import db, utcnow

RESULT_STATES = ("draft", "notice", "final")


#: The states of a result set the public sees (published, under notice or final).
PUBLISHED = ("notice", "final")


class ResultSet(db.Model):
    """The results of one assessment (a contest-trade, …) as a whole: when computed, their
    state, open questions. Publication moves it through notice to final, whatever the kind."""

    #: Publication, the chief judge's tie decisions and recomputes are in the audit log.
    __audited__ = True
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    #: draft (organisers only) → notice (公示) → final.
    state: Mapped[str] = mapped_column(String(10), default="draft")
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Bumped by every recompute; pages and caches key on it.
    version: Mapped[int] = mapped_column(default=1)
    ranked: Mapped[int] = mapped_column(default=0)
    unranked: Mapped[int] = mapped_column(default=0)
    #: Tie groups (entry ids) the chief judge must order: medal places, the advancement cut-off.
    undecided: Mapped[dict] = mapped_column(JSON, default=dict)
    #: The chief judge's order for tied entries (entry ids, best first).
    decided_order: Mapped[list] = mapped_column(JSON, default=list)
    #: The chief judge's choice among entries tied at the advancement cut-off.
    advancement_picks: Mapped[list | None] = mapped_column(JSON)
    #: Publication: when the notice began, when it ends (working days), when on-site appeals
    #: close, and when the results became final (local time of the contest, naive).
    published_at: Mapped[datetime | None] = mapped_column()
    notice_deadline: Mapped[datetime | None] = mapped_column()
    onsite_appeal_until: Mapped[datetime | None] = mapped_column()
    finalised_at: Mapped[datetime | None] = mapped_column()

    __table_args__ = (CheckConstraint("state IN ('draft', 'notice', 'final')", name="state"),)

    def __repr__(self) -> str:
        return f"<ResultSet assessment={self.assessment_id} {self.state} v{self.version}>"


class Result(db.Model):
    """One subject's computed result (an entry's: part scores, total, rank, award, whether it
    advances); the kind computes it, publication shows it."""

    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subject.id", ondelete="CASCADE"), primary_key=True
    )
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    theory: Mapped[Decimal | None] = mapped_column(Numeric(9, 4))
    practical: Mapped[Decimal | None] = mapped_column(Numeric(9, 4))
    total: Mapped[Decimal] = mapped_column(Numeric(7, 2))
    #: Empty for unranked entries (withdrawn, disqualified, absent).
    rank: Mapped[int | None] = mapped_column()
    award: Mapped[str | None] = mapped_column(String(12))
    advances: Mapped[bool] = mapped_column(default=False)
    #: The facts the public reads, frozen when the results become final (empty before: under
    #: notice the register's facts are shown live), so that later edits of the register never
    #: change a final result's page, API answer or certificate.
    final_name: Mapped[str | None] = mapped_column(String(100))
    final_unit: Mapped[str | None] = mapped_column(String(150))
    final_delegation: Mapped[str | None] = mapped_column(String(150))

    def __repr__(self) -> str:
        return f"<Result subject={self.subject_id} total={self.total} rank={self.rank}>"

    @classmethod
    def ranked_order(cls) -> tuple:
        """The order of a ranked list: ranked first by rank (higher total first within a tie),
        unranked last; callers add their own last key (name, or code for a blind panel)."""
        return (cls.rank.is_(None), cls.rank, cls.total.desc())


class TeamResult(db.Model):
    """A delegation's team result in one contest-trade."""

    contest_trade_id: Mapped[int] = mapped_column(
        ForeignKey("contest_trade.id", ondelete="CASCADE"), primary_key=True
    )
    delegation_id: Mapped[int] = mapped_column(
        ForeignKey("delegation.id", ondelete="CASCADE"), primary_key=True
    )
    score: Mapped[Decimal] = mapped_column(Numeric(9, 2))
    time_sum: Mapped[int] = mapped_column(default=0)
    rank: Mapped[int] = mapped_column()
    award: Mapped[str | None] = mapped_column(String(12))
    #: The entries whose totals made the score.
    members: Mapped[list] = mapped_column(JSON, default=list)

    def __repr__(self) -> str:
        return f"<TeamResult ct={self.contest_trade_id} d={self.delegation_id} rank={self.rank}>"


class Honour(db.Model):
    """An honour recommended by rule (e.g. 全国五一劳动奖章, 技术能手, promotion of skill level)."""

    #: The outside body's decision (granted or withdrawn) is in the audit log.
    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_trade_id: Mapped[int] = mapped_column(
        ForeignKey("contest_trade.id", ondelete="CASCADE"), index=True
    )
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    #: may_day_medal, technical_expert, promotion.
    honour: Mapped[str] = mapped_column(String(30))
    #: recommended → granted (after public notice and the outside body's decision).
    state: Mapped[str] = mapped_column(String(12), default="recommended")
    note: Mapped[str] = mapped_column(Text, default="")
    #: When the outside body decided (granted or withdrew) it.
    decided_on: Mapped[date | None] = mapped_column(Date)

    __table_args__ = (
        UniqueConstraint("entry_id", "honour"),
        CheckConstraint("state IN ('recommended', 'granted', 'withdrawn')", name="state"),
    )

    def __repr__(self) -> str:
        return f"<Honour {self.honour} entry={self.entry_id} {self.state}>"


class Promotion(db.Model):
    """The register of promotions (技能等级晋升): a person raised a skill level on a promotion
    honour the outside body granted, from which level to which, when."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The promotion honour granted (one promotion each).
    honour_id: Mapped[int] = mapped_column(ForeignKey("honour.id", ondelete="CASCADE"), unique=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"), index=True)
    contest_trade_id: Mapped[int] = mapped_column(
        ForeignKey("contest_trade.id", ondelete="CASCADE"), index=True
    )
    #: The level held before (empty: none), and the level granted (5 = 五级 … 1 = 一级).
    from_level: Mapped[int | None] = mapped_column()
    to_level: Mapped[int] = mapped_column()
    #: The award the promotion rests on, as it stood when granted.
    award: Mapped[str | None] = mapped_column(String(20))
    granted_on: Mapped[date] = mapped_column(Date)

    __table_args__ = (
        CheckConstraint("to_level BETWEEN 1 AND 5", name="to_level"),
        CheckConstraint(
            "from_level IS NULL OR (from_level BETWEEN 1 AND 5 AND to_level < from_level)",
            name="up",
        ),
    )

    def __repr__(self) -> str:
        return f"<Promotion person={self.person_id} {self.from_level}→{self.to_level}>"

"""Records of the tiers: contests held outside Jingsai, their imported result lists, and the
entries a unit recommended directly."""

from datetime import datetime
from decimal import Decimal

from sqlalchemy import CheckConstraint, ForeignKey, Numeric, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.core.db import db, utcnow
from competitions.registry.models import Contest
from competitions.units.models import Unit


class OutsideContest(db.Model):
    """A contest held outside Jingsai (e.g. a county contest marked on paper): its trades'
    final result lists are imported, and the same rules rank and award them."""

    __audited__ = True
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contest.id", ondelete="CASCADE"), primary_key=True
    )
    registered_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    registered_at: Mapped[datetime] = mapped_column(default=utcnow)

    contest: Mapped[Contest] = relationship()

    def __repr__(self) -> str:
        return f"<OutsideContest {self.contest_id}>"


class OutsideScore(db.Model):
    """One line of an outside contest's final result list, as imported: part scores or a
    total, and the rank and award the contest gave, if the list said them."""

    __audited__ = True
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True
    )
    contest_trade_id: Mapped[int] = mapped_column(
        ForeignKey("contest_trade.id", ondelete="CASCADE"), index=True
    )
    #: Part scores out of 100 (4 places); empty when the list gave a total only.
    theory: Mapped[Decimal | None] = mapped_column(Numeric(9, 4))
    practical: Mapped[Decimal | None] = mapped_column(Numeric(9, 4))
    #: The total as given (2 places); empty when it is weighed from the part scores.
    given_total: Mapped[Decimal | None] = mapped_column(Numeric(7, 2))
    given_rank: Mapped[int | None] = mapped_column()
    #: An award code (first, second, third, gold, …) as the list gave it.
    given_award: Mapped[str | None] = mapped_column(String(12))
    #: The row of the file it came from (as Excel numbers it).
    source_row: Mapped[int] = mapped_column(default=0)

    __table_args__ = (
        CheckConstraint(
            "given_total IS NOT NULL OR theory IS NOT NULL OR practical IS NOT NULL",
            name="some_score",
        ),
    )

    def __repr__(self) -> str:
        return f"<OutsideScore entry={self.entry_id} total={self.given_total}>"


class DirectRecommendation(db.Model):
    """An entry a unit recommended directly to a contest (a level without a contest of its
    own): it counts against that unit's quota as its source."""

    __audited__ = True
    entry_id: Mapped[int] = mapped_column(
        ForeignKey("entry.id", ondelete="CASCADE"), primary_key=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="RESTRICT"), index=True)
    recommended_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    recommended_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()

    def __repr__(self) -> str:
        return f"<DirectRecommendation entry={self.entry_id} unit={self.unit_id}>"

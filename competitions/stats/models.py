"""The union's figures: who reads them for which tree of units, and the figures themselves."""

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, Index, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.core.db import db, utcnow
from competitions.units.models import Unit


class StatsReader(db.Model):
    """A union officer (工会统计人员) who reads the figures of a unit's tree (a city union: its
    own tree); a registrar grants it. Registrars read everything."""

    __audited__ = True
    __tablename__ = "stats_reader"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    unit_id: Mapped[int] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"), index=True)
    granted_at: Mapped[datetime] = mapped_column(default=utcnow)

    unit: Mapped[Unit] = relationship()

    __table_args__ = (UniqueConstraint("user_id", "unit_id"),)

    def __repr__(self) -> str:
        return f"<StatsReader user={self.user_id} unit={self.unit_id}>"


class FigureYear(db.Model):
    """When a year's figures were last computed, and from what (a fingerprint of the counts
    the workers compare once a minute to know whether to compute them again)."""

    __tablename__ = "figure_year"
    year: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    computed_at: Mapped[datetime] = mapped_column(default=utcnow)
    fingerprint: Mapped[str] = mapped_column(String(200), default="")

    def __repr__(self) -> str:
        return f"<FigureYear {self.year} {self.computed_at}>"


class Figure(db.Model):
    """One number of one year for one unit's tree (empty unit: everything), e.g. (2026, 济南市
    总工会, "contests", "city") = 12: what the pages read instead of counting every entry."""

    __tablename__ = "figure"
    id: Mapped[int] = mapped_column(primary_key=True)
    year: Mapped[int] = mapped_column()
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="CASCADE"))
    #: stats.rules.MEASURES
    measure: Mapped[str] = mapped_column(String(30))
    #: A breakdown (a tier, an industry, an award, a skill level), or "" for the whole.
    dimension: Mapped[str] = mapped_column(String(100), default="")
    value: Mapped[int] = mapped_column(BigInteger)

    __table_args__ = (Index("ix_figure_year_unit", "year", "unit_id"),)

    def __repr__(self) -> str:
        return (
            f"<Figure {self.year} unit={self.unit_id} {self.measure}/{self.dimension}={self.value}>"
        )

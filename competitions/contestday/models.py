"""The contest day's records: sessions, the recorded draw, seats with their tickets, check-ins."""

from datetime import date, datetime, time

from sqlalchemy import JSON, CheckConstraint, Date, ForeignKey, String, Time, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.core.crypto import EncryptedBytes
from competitions.core.db import db, utcnow
from competitions.registry.models import ContestTrade, Entry

CHECK_IN_WAYS = ("scan", "typed")


class ExamSession(db.Model):
    """A session (场次) of a contest-trade's practical exam: day, time, place, workstations."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_trade_id: Mapped[int] = mapped_column(
        ForeignKey("contest_trade.id", ondelete="CASCADE"), index=True
    )
    #: e.g. 第一场.
    name: Mapped[str] = mapped_column(String(60))
    day: Mapped[date] = mapped_column(Date)
    #: Local times (the contests' time zone), as printed on the ticket.
    starts_at: Mapped[time] = mapped_column(Time)
    ends_at: Mapped[time] = mapped_column(Time)
    place: Mapped[str] = mapped_column(String(150))
    #: 工位: numbered 1 … workstations.
    workstations: Mapped[int] = mapped_column()
    #: When whoever had not checked in was marked absent (once).
    absent_marked_at: Mapped[datetime | None] = mapped_column()

    contest_trade: Mapped[ContestTrade] = relationship()

    __table_args__ = (
        UniqueConstraint("contest_trade_id", "name"),
        CheckConstraint("workstations BETWEEN 1 AND 999", name="workstations"),
        CheckConstraint("ends_at > starts_at", name="times"),
    )

    def __repr__(self) -> str:
        return f"<ExamSession {self.id} ct={self.contest_trade_id} {self.name}>"


class SeatDraw(db.Model):
    """A contest-trade's draw of lots as recorded: the seed and the algorithm that turn the
    entries and sessions into seats (rules.draw_seats), who drew and when."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    contest_trade_id: Mapped[int] = mapped_column(
        ForeignKey("contest_trade.id", ondelete="CASCADE"), unique=True
    )
    seed: Mapped[str] = mapped_column(String(40))
    #: rules.DRAW_ALGORITHM at the time of the draw.
    algorithm: Mapped[str] = mapped_column(String(40))
    #: What was drawn, so anyone can re-run it: the entries' ids, and the sessions as
    #: [id, workstations] in the order they were filled.
    entry_ids: Mapped[list] = mapped_column(JSON)
    session_slots: Mapped[list] = mapped_column(JSON)
    drawn_at: Mapped[datetime] = mapped_column(default=utcnow)
    drawn_by_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )

    def __repr__(self) -> str:
        return f"<SeatDraw ct={self.contest_trade_id} {self.algorithm} seed={self.seed}>"


class Seat(db.Model):
    """An entry's drawn session and workstation, and its admission ticket (准考证)."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), unique=True)
    session_id: Mapped[int] = mapped_column(
        ForeignKey("exam_session.id", ondelete="CASCADE"), index=True
    )
    workstation: Mapped[int] = mapped_column()
    #: 准考证号, rules.ticket_number.
    ticket_number: Mapped[str] = mapped_column(String(20), unique=True)
    #: The ticket's PDF once the workers made it; kept encrypted (a name, a photo). Deferred:
    #: listing seats must not read it. Not audited (the log says when it was made).
    pdf: Mapped[bytes | None] = mapped_column(
        EncryptedBytes, deferred=True, info={"audited": False}
    )
    ticket_made_at: Mapped[datetime | None] = mapped_column()

    entry: Mapped[Entry] = relationship()
    session: Mapped[ExamSession] = relationship()
    check_in: Mapped["CheckIn | None"] = relationship(back_populates="seat", uselist=False)

    __table_args__ = (
        UniqueConstraint("session_id", "workstation"),
        CheckConstraint("workstation >= 1", name="workstation"),
    )

    def __repr__(self) -> str:
        return f"<Seat {self.ticket_number} entry={self.entry_id} ws={self.workstation}>"


class CheckIn(db.Model):
    """A contestant checked in (检录) at their session's desk: when, by whom, scanned or typed."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    seat_id: Mapped[int] = mapped_column(ForeignKey("seat.id", ondelete="CASCADE"), unique=True)
    at: Mapped[datetime] = mapped_column(default=utcnow)
    by_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    way: Mapped[str] = mapped_column(String(10))

    seat: Mapped[Seat] = relationship(back_populates="check_in")

    __table_args__ = (CheckConstraint("way IN ('scan', 'typed')", name="way"),)

    def __repr__(self) -> str:
        return f"<CheckIn seat={self.seat_id} {self.way}>"

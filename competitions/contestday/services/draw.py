"""The draw of lots (抽签): seats drawn from a seed, recorded, and verifiable by anyone."""

import secrets

from sqlalchemy import func, select

from competitions.contestday import rules
from competitions.contestday.models import CheckIn, ExamSession, Seat, SeatDraw
from competitions.contestday.services import seats_of, sessions_of
from competitions.core.db import db, utcnow
from competitions.core.words import N_, Reason
from competitions.registry.models import MARKED_STATUSES, Entry


def new_seed() -> str:
    """A seed of 8 digits, easy to read out in front of the team leaders."""
    return f"{secrets.randbelow(10**8):08d}"


def drawn_entry_ids(ct_id: int) -> list[int]:
    """The entries the draw seats: the contest-trade's registered and approved ones."""
    return list(
        db.session.scalars(
            select(Entry.id)
            .where(Entry.contest_trade_id == ct_id, Entry.status.in_(MARKED_STATUSES))
            .order_by(Entry.id)
        )
    )


def record_of(ct_id: int) -> SeatDraw | None:
    """The contest-trade's recorded draw, if it has been drawn."""
    return db.session.scalar(select(SeatDraw).filter_by(contest_trade_id=ct_id))


def checked_in_count(ct_id: int) -> int:
    """How many of the contest-trade's people have checked in."""
    return db.session.scalar(
        select(func.count(CheckIn.id))
        .join(Seat, Seat.id == CheckIn.seat_id)
        .join(ExamSession, ExamSession.id == Seat.session_id)
        .where(ExamSession.contest_trade_id == ct_id)
    )


def tickets_made(ct_id: int) -> int:
    """How many of the contest-trade's tickets the workers have made."""
    return db.session.scalar(
        select(func.count(Seat.id))
        .join(ExamSession, ExamSession.id == Seat.session_id)
        .where(ExamSession.contest_trade_id == ct_id, Seat.ticket_made_at.is_not(None))
    )


def redraw_refusal(ct_id: int) -> Reason | None:
    """A draw is final once check-in has begun (a redraw would move people already seated)."""
    if checked_in_count(ct_id):
        return Reason.of(N_("Check-in has begun: the draw can no longer be done again."))
    return None


def draw(ct_id: int, seed: str, user_id: int | None) -> Reason | None:
    """Draw every registered or approved entry into a session and workstation from ``seed``,
    replacing an earlier draw (and its tickets); the reason when it cannot be done, and then
    nothing changes."""
    refusal = redraw_refusal(ct_id) or rules.seed_problem(seed)
    if refusal:
        return refusal
    sessions = sessions_of(ct_id)
    if not sessions:
        return Reason.of(N_("Add the sessions before the draw."))
    slots = [rules.SessionSlots(s.id, s.workstations) for s in sessions]
    entry_ids = drawn_entry_ids(ct_id)
    if not entry_ids:
        return Reason.of(N_("No registered or approved entries to draw."))
    seats = rules.draw_seats(entry_ids, slots, seed)
    if isinstance(seats, Reason):
        return seats
    for seat in seats_of(ct_id):  # one by one, so that the audit log keeps the old seats
        db.session.delete(seat)
    db.session.flush()
    position = {s.id: n for n, s in enumerate(sessions, start=1)}
    for entry_id, (session_id, workstation) in sorted(seats.items()):
        number = rules.ticket_number(ct_id, position[session_id], workstation)
        db.session.add(
            Seat(
                entry_id=entry_id,
                session_id=session_id,
                workstation=workstation,
                ticket_number=number,
            )
        )
    record = record_of(ct_id) or SeatDraw(contest_trade_id=ct_id)
    record.seed, record.algorithm, record.drawn_by_id = seed, rules.DRAW_ALGORITHM, user_id
    record.entry_ids = entry_ids
    record.session_slots = [[s.id, s.workstations] for s in slots]
    record.drawn_at = utcnow()
    db.session.add(record)
    db.session.flush()
    return None


def verify(ct_id: int) -> bool | None:
    """Whether re-running the recorded draw (seed, entries, sessions, algorithm) gives exactly
    the seats on record; None when there is no draw or its algorithm is not this one."""
    record = record_of(ct_id)
    if record is None or record.algorithm != rules.DRAW_ALGORITHM:
        return None
    slots = [rules.SessionSlots(i, n) for i, n in record.session_slots]
    again = rules.draw_seats(record.entry_ids, slots, record.seed)
    held = {s.entry_id: (s.session_id, s.workstation) for s in seats_of(ct_id)}
    return again == held

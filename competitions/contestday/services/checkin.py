"""Check-in (检录) at a session's desk, and marking who did not come absent (缺考)."""

from dataclasses import dataclass
from datetime import datetime

from flask import current_app
from sqlalchemy import func, select

from competitions.contestday import rules
from competitions.contestday.models import CheckIn, ExamSession, Seat
from competitions.core.db import db, utcnow
from competitions.core.words import N_, Reason
from competitions.registry.models import Entry


@dataclass(frozen=True)
class Outcome:
    """What the desk shows after a scan or a typed number: the seat (when the ticket is
    ours), whether it was checked in now, or already (and when), or why not."""

    seat: Seat | None
    checked_in_now: bool = False
    already_at: datetime | None = None
    refusal: Reason | None = None


def state_of(session: ExamSession, now: datetime) -> str:
    """before, open or closed at local time ``now`` (rules.check_in_state)."""
    return rules.check_in_state(
        now, *rules.session_moments(session.day, session.starts_at, session.ends_at)
    )


def _seat_of(code: str) -> tuple[Seat | None, str]:
    """The seat a scanned token or typed number names, and how it came ("scan" or "typed")."""
    code = code.strip()
    number = rules.typed_ticket_number(code)
    if number is not None:
        return db.session.scalar(select(Seat).filter_by(ticket_number=number)), "typed"
    named = rules.read_token(current_app.secret_key, code)
    if named is None:
        return None, "scan"
    seat = db.session.get(Seat, named[0])
    if seat is None or (seat.ticket_number, seat.session_id) != named[1:]:
        return None, "scan"  # a ticket of an earlier draw
    return seat, "scan"


def check_in(session: ExamSession, code: str, user_id: int | None, now: datetime) -> Outcome:
    """Check in the ticket ``code`` (its QR token, or its number as typed) at ``session``'s
    desk at local time ``now``; a ticket of another session or trade, or a desk that is not
    open, is refused and nothing is recorded. Checking in twice records nothing new."""
    seat, way = _seat_of(code)
    if seat is None:
        return Outcome(
            None, refusal=Reason.of(N_("No admission ticket has this number or QR code."))
        )
    scan = rules.Scan(
        seat.session_id,
        seat.session.contest_trade_id,
        seat.entry.status,
        seat.check_in.at if seat.check_in else None,
    )
    refusal = rules.check_in_refusal(
        scan, session.id, session.contest_trade_id, state_of(session, now)
    )
    if refusal:
        ours = seat.session_id == session.id
        return Outcome(seat if ours else None, refusal=refusal)
    if seat.check_in is not None:
        return Outcome(seat, already_at=seat.check_in.at)
    db.session.add(CheckIn(seat=seat, by_id=user_id, way=way, at=utcnow()))
    db.session.flush()
    return Outcome(seat, checked_in_now=True)


def desk_counts(session: ExamSession) -> tuple[int, int]:
    """(checked in, expected) at the session: its seats, and those with a check-in."""
    expected = db.session.scalar(select(func.count(Seat.id)).where(Seat.session_id == session.id))
    checked = db.session.scalar(
        select(func.count(CheckIn.id))
        .join(Seat, Seat.id == CheckIn.seat_id)
        .where(Seat.session_id == session.id)
    )
    return checked, expected


def session_seats(session: ExamSession) -> list[Seat]:
    """The session's seats by workstation."""
    return list(
        db.session.scalars(select(Seat).filter_by(session_id=session.id).order_by(Seat.workstation))
    )


def absent_seats(session: ExamSession) -> list[Seat]:
    """The seats whose entries would be marked absent now (rules.absentees), by workstation."""
    seats = session_seats(session)
    expected = {s.entry_id: s.entry.status for s in seats}
    checked = {s.entry_id for s in seats if s.check_in is not None}
    absent = set(rules.absentees(expected, checked))
    return [s for s in seats if s.entry_id in absent]


def absent_refusal(session: ExamSession, now: datetime) -> Reason | None:
    """Absence is marked once the session has started (again later: only who is left)."""
    starts, _ends = rules.session_moments(session.day, session.starts_at, session.ends_at)
    if not rules.may_mark_absent(now, starts):
        return Reason.of(N_("The session has not started yet: absence is marked once it starts."))
    return None


def mark_absent(session: ExamSession, now: datetime) -> list[Entry] | Reason:
    """Mark everyone of the session who has not checked in absent (Entry.status, logged in
    the audit trail); the entries marked, or the reason it is refused now."""
    refusal = absent_refusal(session, now)
    if refusal:
        return refusal
    entries = [seat.entry for seat in absent_seats(session)]
    for entry in entries:
        entry.status = "absent"
    session.absent_marked_at = utcnow()
    db.session.flush()
    return entries

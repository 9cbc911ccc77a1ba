"""The contest day's ORM work, one module per task: sessions, the draw, tickets, check-in.
Writes flush, never commit."""

from sqlalchemy import select

from competitions.contestday.models import ExamSession, Seat
from competitions.core import audit_words
from competitions.core.db import db


@audit_words.names_records("exam_session")
def _session_names(ids: set[int]) -> dict[int, str]:
    """Sessions as the audit log names them: the session's name and day."""
    rows = db.session.execute(
        select(ExamSession.id, ExamSession.name, ExamSession.day).where(ExamSession.id.in_(ids))
    )
    return {i: f"{name} ({day.isoformat()})" for i, name, day in rows}


def sessions_of(ct_id: int) -> list[ExamSession]:
    """A contest-trade's sessions in the order they are held (the draw fills them so)."""
    return list(
        db.session.scalars(
            select(ExamSession)
            .filter_by(contest_trade_id=ct_id)
            .order_by(ExamSession.day, ExamSession.starts_at, ExamSession.id)
        )
    )


def seats_of(ct_id: int) -> list[Seat]:
    """A contest-trade's seats, session by session, workstation by workstation."""
    return list(
        db.session.scalars(
            select(Seat)
            .join(ExamSession, ExamSession.id == Seat.session_id)
            .where(ExamSession.contest_trade_id == ct_id)
            .order_by(ExamSession.day, ExamSession.starts_at, ExamSession.id, Seat.workstation)
        )
    )


def session_of(ct_id: int, session_id: int) -> ExamSession | None:
    """The contest-trade's session, or None when the session is another trade's."""
    session = db.session.get(ExamSession, session_id)
    return session if session is not None and session.contest_trade_id == ct_id else None

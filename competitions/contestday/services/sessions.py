"""Defining a contest-trade's sessions (场次)."""

from sqlalchemy import func, select

from competitions.contestday.models import ExamSession, Seat
from competitions.core.db import db
from competitions.core.words import N_, Reason

FIELDS = ("name", "day", "starts_at", "ends_at", "place", "workstations")


def save_session(session: ExamSession, values: dict) -> Reason | None:
    """Add or change a session from a form's values; a session may not have fewer workstations
    than the highest one already drawn in it."""
    if session.id is not None:
        highest = db.session.scalar(
            select(func.max(Seat.workstation)).where(Seat.session_id == session.id)
        )
        if highest and values["workstations"] < highest:
            return Reason.of(
                N_("Workstation %(n)s is already drawn in this session: keep at least %(n)s."),
                n=highest,
            )
    for field in FIELDS:
        setattr(session, field, values[field])
    db.session.add(session)
    db.session.flush()
    return None


def delete_session(session: ExamSession) -> Reason | None:
    """Remove a session nobody has been drawn into."""
    if db.session.scalar(select(func.count()).where(Seat.session_id == session.id)):
        return Reason.of(N_("People are drawn into this session: draw again without it first."))
    db.session.delete(session)
    db.session.flush()
    return None


def name_taken(ct_id: int, name: str, session_id: int | None) -> bool:
    """Whether another session of the contest-trade has this name."""
    query = select(ExamSession.id).filter_by(contest_trade_id=ct_id, name=name)
    if session_id is not None:
        query = query.where(ExamSession.id != session_id)
    return db.session.scalar(query) is not None

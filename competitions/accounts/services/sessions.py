"""Sessions kept on the server, so that they can be ended: ORM work that flushes, never commits.

The session cookie carries a random token naming a ``UserSession`` row; a request is logged in
only while that row exists, is not revoked and has not timed out (one indexed lookup,
``user_of``; the time limits are ``rules.session_end``'s). Log-out ends the browser's own
session; a password change ends the others; "log out everywhere" ends all.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from competitions.accounts import rules
from competitions.accounts.models import User, UserSession
from competitions.core.db import db

#: ``last_seen_at`` is brought up to date at most this often (not a write per request).
TOUCH_EVERY = timedelta(minutes=1)


class TimedOut(Exception):
    """The session named by the cookie has just ended: idle too long, or too old."""

    def __init__(self, why: str):
        super().__init__(why)
        #: "idle" or "expired" (rules.session_end).
        self.why = why


def limits(idle_minutes: float, max_hours: float) -> rules.SessionLimits:
    """The session limits of the settings, with this module's touch interval."""
    return rules.SessionLimits(
        idle=timedelta(minutes=idle_minutes),
        lifetime=timedelta(hours=max_hours),
        touch_every=TOUCH_EVERY,
    )


def start(user: User, now: datetime) -> str:
    """A new session of ``user``; its token, for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token=token, user_id=user.id, created_at=now, last_seen_at=now))
    db.session.flush()
    return token


def user_of(
    token: str | None, user_id: int, now: datetime, limits: rules.SessionLimits
) -> User | None:
    """The user of a live session with this token (and this user), or None.

    A session past its limits (``rules.session_end``, judged on the stored ``last_seen_at``
    before it is brought up to date) is ended at once and :class:`TimedOut` raised, so that
    the caller can say why. Brings ``last_seen_at`` up to date when it is ``TOUCH_EVERY`` old,
    and commits that (or the end) at once: it is called when a request starts (the audit hook
    asks for the user first), before the request has changed anything.
    """
    if not token:
        return None
    row = db.session.execute(
        select(UserSession, User)
        .join(User, User.id == UserSession.user_id)
        .where(UserSession.token == token, UserSession.revoked_at.is_(None))
    ).first()
    if row is None or row.User.id != user_id:
        return None
    live = row.UserSession
    if why := rules.session_end(live.created_at, live.last_seen_at, now, limits):
        live.revoked_at = now
        db.session.commit()
        raise TimedOut(why)
    if now - live.last_seen_at >= TOUCH_EVERY:
        live.last_seen_at = now
        db.session.commit()
    return row.User


def end(token: str | None, now: datetime) -> None:
    """End the session with this token (log-out)."""
    if token:
        db.session.execute(
            update(UserSession)
            .where(UserSession.token == token, UserSession.revoked_at.is_(None))
            .values(revoked_at=now)
        )


def end_all(user_id: int, now: datetime, keep: str | None = None) -> int:
    """End every live session of the user but the one with token ``keep``; how many ended."""
    statement = (
        update(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
        .values(revoked_at=now)
    )
    if keep:
        statement = statement.where(UserSession.token != keep)
    return db.session.execute(statement).rowcount


def live_count(user_id: int) -> int:
    """How many sessions of the user are live."""
    return db.session.scalar(
        select(func.count())
        .select_from(UserSession)
        .where(UserSession.user_id == user_id, UserSession.revoked_at.is_(None))
    )

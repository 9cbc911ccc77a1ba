"""Sessions kept on the server, so that they can be ended: ORM work that flushes, never commits.

The session cookie carries a random token naming a ``UserSession`` row; a request is logged in
only while that row exists and is not revoked (one indexed lookup, ``user_of``). Log-out ends
the browser's own session; a password change ends the others; "log out everywhere" ends all.
"""

import secrets
from datetime import datetime, timedelta

from sqlalchemy import func, select, update

from competitions.accounts.models import User, UserSession
from competitions.core.db import db

#: ``last_seen_at`` is brought up to date at most this often (not a write per request).
TOUCH_EVERY = timedelta(minutes=1)


def start(user: User, now: datetime) -> str:
    """A new session of ``user``; its token, for the cookie."""
    token = secrets.token_urlsafe(32)
    db.session.add(UserSession(token=token, user_id=user.id, created_at=now, last_seen_at=now))
    db.session.flush()
    return token


def user_of(token: str | None, user_id: int, now: datetime) -> User | None:
    """The user of a live session with this token (and this user), or None.

    Brings ``last_seen_at`` up to date when it is ``TOUCH_EVERY`` old, and commits that at
    once: it is called when a request starts (the audit hook asks for the user first), before
    the request has changed anything.
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
    if now - row.UserSession.last_seen_at >= TOUCH_EVERY:
        row.UserSession.last_seen_at = now
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

"""Log-in checks and password changes: ORM work that flushes, never commits."""

import functools
from datetime import datetime

from sqlalchemy import select
from werkzeug.security import check_password_hash, generate_password_hash

from competitions.accounts import rules
from competitions.accounts.models import User
from competitions.core.db import db


@functools.cache
def _decoy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return generate_password_hash("no such user: a decoy password")


def check_login(username: str, password: str, now: datetime) -> User | None:
    """The user whose username and password these are, if the account may log in at ``now``.

    Records the attempt on the account (the lockout of ``rules.after_login_attempt``); a locked
    or inactive account is refused even with the right password. Unknown usernames cost the
    same password check, so the answer and its timing do not tell whether a username exists.
    """
    user = db.session.scalar(
        select(User).where(User.username == username.strip()).with_for_update()
    )
    if user is None:
        check_password_hash(_decoy_hash(), password)
        return None
    right = user.check_password(password)
    before = rules.LoginLock(user.failed_logins or 0, user.locked_until)
    after = rules.after_login_attempt(before, right, now)
    user.failed_logins, user.locked_until = after.failed_logins, after.locked_until
    db.session.flush()
    if right and user.active and not rules.is_locked(before, now):
        return user
    return None


def change_password(user: User, new_password: str) -> None:
    """Store the user's new password (the form has checked it against the policy)."""
    user.set_password(new_password)
    db.session.flush()

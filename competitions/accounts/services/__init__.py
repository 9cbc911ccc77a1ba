"""Log-in checks and password changes: ORM work that flushes, never commits."""

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash

from competitions.accounts import rules
from competitions.accounts.models import LoginFailure, User
from competitions.core import audit_words
from competitions.core.db import db


@functools.cache
def _decoy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return generate_password_hash("no such user: a decoy password")


@dataclass(frozen=True)
class LoginAnswer:
    """The user who logged in, or None; ``wait`` > 0: refused before the password was checked."""

    user: User | None
    wait: timedelta = timedelta(0)


def _keys(username: str, address: str, device: str | None) -> dict[str, str]:
    """The keys an attempt's failures are counted under (see models.LoginFailure)."""
    source = f"device:{device}" if device else address
    return {
        "source": f"source:{username}|{source}"[:200],
        "account": f"account:{username}"[:200],
        "address": f"address:{address}"[:200],
    }


def _counted(keys: dict[str, str]) -> dict[str, rules.Failures]:
    """The failures counted under each key."""
    rows = db.session.scalars(select(LoginFailure).where(LoginFailure.key.in_(keys.values())))
    found = {row.key: rules.Failures(row.count, row.last_at) for row in rows}
    return {name: found.get(key, rules.Failures()) for name, key in keys.items()}


def _store(key: str, failures: rules.Failures) -> None:
    """Write a key's count, whether or not another request has just written it."""
    dialect = postgresql if db.session.get_bind().dialect.name == "postgresql" else sqlite
    values = {"count": failures.count, "last_at": failures.last}
    statement = dialect.insert(LoginFailure).values(key=key, **values)
    db.session.execute(statement.on_conflict_do_update(index_elements=["key"], set_=values))


def check_login(
    username: str, password: str, now: datetime, address: str, device: str | None = None
) -> LoginAnswer:
    """The user whose username and password these are, unless the attempt must wait first.

    ``device``: the browser's known-device id for this account (``accounts.devices``), if it
    has one. The waits are ``rules.wait_before_login``'s; a wrong password counts against the
    account from this source, and, from a browser that is not a known device, against the
    account and the address; a right one clears the count of this source only (a guesser
    elsewhere goes on waiting). Unknown usernames are counted and cost the same password
    check, so nothing tells whether a username exists.
    """
    name = username.strip()
    keys = _keys(name, address, device)
    counted = _counted(keys)
    context = rules.LoginContext(
        counted["source"], counted["account"], counted["address"], known_device=bool(device)
    )
    if wait := rules.wait_before_login(context, now):
        return LoginAnswer(None, wait)
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        check_password_hash(_decoy_hash(), password)
    elif user.check_password(password) and user.active:
        db.session.execute(delete(LoginFailure).where(LoginFailure.key == keys["source"]))
        return LoginAnswer(user)
    for counted_as in ("source",) if device else ("source", "account", "address"):
        _store(keys[counted_as], rules.after_failure(counted[counted_as], now))
    db.session.flush()
    return LoginAnswer(None)


def forget_old_failures(now: datetime) -> int:
    """Delete the counts no rule reads any more (``rules.FORGOTTEN_AFTER`` quiet); how many."""
    cutoff = now - rules.FORGOTTEN_AFTER
    return db.session.execute(delete(LoginFailure).where(LoginFailure.last_at <= cutoff)).rowcount


def change_password(user: User, new_password: str) -> None:
    """Store the user's new password (the form has checked it against the policy)."""
    user.set_password(new_password)
    db.session.flush()


@audit_words.names_records("user")
def user_names(ids: set[int]) -> dict[int, str]:
    """The audit log names a user by their display name."""
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {key: name for key, name in rows}

"""Log-in checks and password changes: ORM work that flushes, never commits."""

import functools
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import delete, select
from sqlalchemy.dialects import postgresql, sqlite
from werkzeug.security import check_password_hash, generate_password_hash

from competitions.accounts import rules
from competitions.accounts.models import LoginFailure, User
from competitions.accounts.services import second_factor
from competitions.core import audit_words
from competitions.core.audit import record_event
from competitions.core.db import db


@functools.cache
def _decoy_hash() -> str:
    """A hash to check unknown usernames against, so they take as long as known ones."""
    return generate_password_hash("no such user: a decoy password")


@dataclass(frozen=True)
class LoginAnswer:
    """The user who logged in, or None; ``wait`` > 0: refused before the password (or code)
    was checked. ``second_step``: the password was right and a code must follow."""

    user: User | None
    wait: timedelta = timedelta(0)
    second_step: bool = False


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

    ``device``: the browser's known-device id for this account (``services.devices``), if it
    has one. The waits are ``rules.wait_before_login``'s; a wrong password counts against the
    account from this source, and, from a browser that is not a known device, against the
    account and the address; a right one clears the count of this source only (a guesser
    elsewhere goes on waiting), and for a user with a second factor only once the code is
    right too (``second_step``, then ``check_second_step``). Unknown usernames are counted
    and cost the same password check, so nothing tells whether a username exists.
    """
    name = username.strip()
    keys = _keys(name, address, device)
    counted, wait = _waiting(keys, device, now)
    if wait:
        return LoginAnswer(None, wait)
    user = db.session.scalar(select(User).where(User.username == name))
    if user is None:
        check_password_hash(_decoy_hash(), password)
    elif user.check_password(password) and user.active:
        if second_factor.is_on(user.id):
            # The count of this source is cleared only once the code is right too.
            return LoginAnswer(user, second_step=True)
        db.session.execute(delete(LoginFailure).where(LoginFailure.key == keys["source"]))
        return LoginAnswer(user)
    _count_failure(keys, counted, device, now)
    # The audit trail keeps every failed log-in and where from. An unknown name is kept only as
    # its length: people type their password into the username field.
    typed = {"username": name} if user is not None else {"typed_characters": len(name)}
    record_event(
        "login",
        "signfail",
        user.id if user is not None else 0,
        {**typed, "address": address},
        user_id=user.id if user is not None else None,
    )
    return LoginAnswer(None)


def check_second_step(
    user: User, code: str, now: datetime, address: str, device: str | None = None
) -> LoginAnswer:
    """The user, if ``code`` is their authenticator app's code or an unused recovery code,
    unless the attempt must wait first.

    A wrong code counts as a failed log-in (``check_login``'s keys and waits) and is an audit
    row; a right one clears the count of this source and is an audit row (app or recovery
    code).
    """
    keys = _keys(user.username, address, device)
    counted, wait = _waiting(keys, device, now)
    if wait:
        return LoginAnswer(None, wait)
    kind = second_factor.check(user, code, now) if user.active else None
    if kind is None:
        _count_failure(keys, counted, device, now)
        second_factor.record(user.id, "fail", user.id)
        return LoginAnswer(None)
    db.session.execute(delete(LoginFailure).where(LoginFailure.key == keys["source"]))
    if kind == "recovery":
        second_factor.record(
            user.id, "recovery", user.id, recovery_codes_left=second_factor.codes_left(user.id)
        )
    else:
        second_factor.record(user.id, "login", user.id)
    return LoginAnswer(user)


def _waiting(
    keys: dict[str, str], device: str | None, now: datetime
) -> tuple[dict[str, rules.Failures], timedelta]:
    """The failures counted under the keys, and how long an attempt waits because of them."""
    counted = _counted(keys)
    context = rules.LoginContext(
        counted["source"], counted["account"], counted["address"], known_device=bool(device)
    )
    return counted, rules.wait_before_login(context, now)


def _count_failure(
    keys: dict[str, str], counted: dict[str, rules.Failures], device: str | None, now: datetime
) -> None:
    """One more failure: of this source only from a known device, else of all three keys."""
    for counted_as in ("source",) if device else ("source", "account", "address"):
        _store(keys[counted_as], rules.after_failure(counted[counted_as], now))
    db.session.flush()


def forget_old_failures(now: datetime) -> int:
    """Delete the counts no rule reads any more (``rules.FORGOTTEN_AFTER`` quiet); how many."""
    cutoff = now - rules.FORGOTTEN_AFTER
    return db.session.execute(delete(LoginFailure).where(LoginFailure.last_at <= cutoff)).rowcount


def change_password(user: User, new_password: str) -> None:
    """Store the user's new password (the form has checked it against the policy); one the
    system administrator gave no longer needs changing."""
    user.set_password(new_password)
    user.must_change_password = False
    db.session.flush()


@audit_words.names_records("user")
def user_names(ids: set[int]) -> dict[int, str]:
    """The audit log names a user by their display name."""
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(ids)))
    return {key: name for key, name in rows}

"""Pure rules of accounts: when a log-in locks an account, what makes a password acceptable.

No Flask, no database, no clock: the caller passes the time. Pinned by tables of cases in
``tests/accounts/test_defences.py`` and ``tests/accounts/test_password_rules.py``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from competitions.registry.rules import N_, Reason

#: Consecutive failed log-ins that lock an account, and for how long.
MAX_FAILURES = 5
LOCKOUT = timedelta(minutes=15)

#: The shortest password a person may choose.
MIN_PASSWORD_LENGTH = 10
#: Passwords every guessing list starts with (compared without case); any password made only
#: of digits is refused separately.
COMMON_PASSWORDS = frozenset(
    {
        "password",
        "password1",
        "password12",
        "password123",
        "passw0rd",
        "p@ssw0rd",
        "qwerty",
        "qwertyuiop",
        "qwerty123",
        "1q2w3e4r5t",
        "1qaz2wsx3edc",
        "abc123",
        "abcd1234",
        "abcdefghij",
        "iloveyou",
        "letmein",
        "welcome",
        "welcome123",
        "admin",
        "admin123",
        "administrator",
        "changeme",
        "changeme123",
        "woaini1314",
        "aa123456",
        "a123456789",
        "qq123456789",
        "jingsai123",
        "jingsai2026",
    }
)


@dataclass(frozen=True)
class LoginLock:
    """An account's count of consecutive failed log-ins and the end of its lock, if any."""

    failed_logins: int = 0
    locked_until: datetime | None = None


def is_locked(state: LoginLock, now: datetime) -> bool:
    """Whether the account refuses every log-in at ``now`` (its lock has not ended yet)."""
    return state.locked_until is not None and now < state.locked_until


def after_login_attempt(state: LoginLock, succeeded: bool, now: datetime) -> LoginLock:
    """The account's lock state after one log-in attempt at ``now``.

    Rule: while the account is locked, an attempt (right or wrong) is refused and changes
    nothing, so guessing on cannot extend or end the lock. Otherwise a success clears the count
    and the lock; a failure adds one to the count of consecutive failures, and the
    ``MAX_FAILURES``-th (5th) locks the account for ``LOCKOUT`` (15 minutes) from ``now`` and
    starts the count again. A lock that has ended no longer counts.
    """
    if is_locked(state, now):
        return state
    if succeeded:
        return LoginLock()
    failures = state.failed_logins + 1
    if failures >= MAX_FAILURES:
        return LoginLock(failed_logins=0, locked_until=now + LOCKOUT)
    return LoginLock(failed_logins=failures, locked_until=None)


def password_problems(password: str, username: str) -> list[Reason]:
    """Why a password a person chose is not acceptable (empty: it is).

    Rule: at least ``MIN_PASSWORD_LENGTH`` (10) characters; not only digits (a phone number or
    a birth date); not the username, nor the username backwards, ignoring case and surrounding
    spaces; not one of ``COMMON_PASSWORDS`` (ignoring case). Every problem is reported.

    It applies to passwords people set through forms. Seeded demo accounts (``seeds/``, e.g.
    ``demo1234``) and test factories set their passwords directly and are not checked.
    """
    problems = []
    if len(password) < MIN_PASSWORD_LENGTH:
        problems.append(
            Reason.of(
                N_("use at least %(n)s characters"),
                n=MIN_PASSWORD_LENGTH,
            )
        )
    if password.isdigit():
        problems.append(Reason.of(N_("do not use only digits")))
    folded, name = password.strip().casefold(), username.strip().casefold()
    if name and folded in (name, name[::-1]):
        problems.append(Reason.of(N_("do not use your username")))
    if folded in COMMON_PASSWORDS:
        problems.append(Reason.of(N_("this password is too common")))
    return problems

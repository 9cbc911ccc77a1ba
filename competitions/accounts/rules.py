"""Pure rules of accounts: how long a log-in attempt waits, what makes a password acceptable,
when a session ends, who needs a second factor and what a typed code is.

No Flask, no database, no clock: the caller passes the time. Pinned by tables of cases in
``tests/accounts/test_defences.py``, ``tests/accounts/test_password_rules.py`` and
``tests/accounts/test_second_factor_rules.py``.
"""

from dataclasses import dataclass
from datetime import datetime, timedelta

from competitions.core.words import N_, Reason

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
class Failures:
    """Failed log-ins counted under one key (an account, an account from one source, an
    address), and when the last one was."""

    count: int = 0
    last: datetime | None = None


#: Failures that cost nothing: per account and source (the address, or a known device), per
#: account from anywhere but its known devices, per address whatever the account.
FREE_PER_SOURCE = 3
FREE_PER_ACCOUNT = 10
FREE_PER_ADDRESS = 20
#: The longest wait between two attempts, and how long a quiet key keeps its count.
MAX_DELAY = timedelta(minutes=15)
FORGOTTEN_AFTER = timedelta(days=1)


def current(failures: Failures, now: datetime) -> Failures:
    """The count that still holds at ``now``: none once ``FORGOTTEN_AFTER`` (a day) has passed
    since the last failure."""
    if failures.last is None or now - failures.last >= FORGOTTEN_AFTER:
        return Failures()
    return failures


def after_failure(failures: Failures, now: datetime) -> Failures:
    """The count after one more failure at ``now`` (a forgotten count starts again at one)."""
    return Failures(current(failures, now).count + 1, now)


def delay(count: int, free: int) -> timedelta:
    """How long after the last failure the next attempt waits: nothing for the first ``free``
    failures, then 1 s, 2 s, 4 s … doubling with each further failure, at most ``MAX_DELAY``."""
    if count < free:
        return timedelta(0)
    return min(timedelta(seconds=2 ** min(count - free, 20)), MAX_DELAY)


def remaining(failures: Failures, free: int, now: datetime) -> timedelta:
    """How long an attempt at ``now`` still waits because of ``failures``."""
    failures = current(failures, now)
    if failures.last is None:
        return timedelta(0)
    return max(failures.last + delay(failures.count, free) - now, timedelta(0))


@dataclass(frozen=True)
class LoginContext:
    """What is known of a log-in attempt before its password is checked."""

    #: This account from this source: the known device it comes from, or else its address.
    source: Failures
    #: This account from anywhere but its known devices.
    account: Failures
    #: This address, whatever the account.
    address: Failures
    #: The browser holds this account's known-device cookie.
    known_device: bool


def wait_before_login(attempt: LoginContext, now: datetime) -> timedelta:
    """How long the attempt waits before its password is checked (zero: it is checked now).

    Rule: growing delays, never a lock a stranger can set. The account from this source waits
    after ``FREE_PER_SOURCE`` failures (``delay``). From a known device, that is all: what
    strangers do elsewhere never keeps the account's own browser out. From any other browser,
    the account's failures from everywhere count too (after ``FREE_PER_ACCOUNT``), and the
    address's failures (after ``FREE_PER_ADDRESS``) only once this account has itself failed
    from this address: judges of a hall behind one address are not held up by each other's
    typing mistakes, nor by a guesser among them.
    """
    waits = [remaining(attempt.source, FREE_PER_SOURCE, now)]
    if not attempt.known_device:
        waits.append(remaining(attempt.account, FREE_PER_ACCOUNT, now))
        if current(attempt.source, now).count:
            waits.append(remaining(attempt.address, FREE_PER_ADDRESS, now))
    return max(waits)


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


#: The duties the security administrator grants: the three administrators and the registrar.
DUTIES = ("system", "security", "audit", "registrar")


@dataclass(frozen=True)
class DutyHolder:
    """What the separation of duties looks at in one account."""

    user_id: int
    admin_role: str | None
    is_registrar: bool
    has_contest_roles: bool


def duty_problem(
    actor: DutyHolder, target: DutyHolder, duty: str, grant: bool, security_admins: int
) -> Reason | None:
    """Why the security administrator may not grant (or take back) ``duty`` now, or None.

    Rule (三权分立): only a security administrator changes duties, and never their own. An
    administrator's account is dedicated: it holds one administrator role, no registrar duty
    and no role in any contest (so none of the three sees contest data by that role); a
    registrar or a contest's staff member is not made an administrator. The last security
    administrator keeps the role (nobody could grant duties any more).
    """
    if actor.admin_role != "security":
        return Reason.of(N_("only the security administrator grants duties"))
    if actor.user_id == target.user_id:
        return Reason.of(N_("nobody changes their own duties"))
    if duty not in DUTIES:
        return Reason.of(N_("unknown duty"))
    held = target.is_registrar if duty == "registrar" else target.admin_role == duty
    if not grant:
        if not held:
            return Reason.of(N_("the account does not hold this duty"))
        if duty == "security" and security_admins <= 1:
            return Reason.of(N_("the last security administrator keeps the role"))
        return None
    if held:
        return Reason.of(N_("the account already holds this duty"))
    if duty == "registrar":
        if target.admin_role:
            return Reason.of(N_("an administrator's account holds no other duty"))
        return None
    if target.admin_role:
        return Reason.of(N_("an account holds one administrator role at most"))
    if target.is_registrar or target.has_contest_roles:
        return Reason.of(N_("an administrator needs an account of its own, without other roles"))
    return None


def contest_role_problem(admin_role: str | None) -> Reason | None:
    """Why a contest role may not be given to this account: administrators' accounts hold
    none (see ``duty_problem``)."""
    if admin_role:
        return Reason.of(N_("an administrator's account cannot hold a role in a contest"))


@dataclass(frozen=True)
class SessionLimits:
    """How long a session lasts (settings ``JINGSAI_SESSION_IDLE_MINUTES`` and
    ``JINGSAI_SESSION_MAX_HOURS``), and how stale its ``last_seen_at`` may be."""

    #: Without a request for this long, the session ends.
    idle: timedelta = timedelta(minutes=30)
    #: This long after log-in, the session ends whatever happens.
    lifetime: timedelta = timedelta(hours=12)
    #: ``last_seen_at`` is only brought up to date once it is this old (accounts.services.sessions).
    touch_every: timedelta = timedelta(minutes=1)


def session_end(
    created_at: datetime, last_seen_at: datetime, now: datetime, limits: SessionLimits
) -> str | None:
    """Why a session no longer lets its user in at ``now``: ``"expired"`` (the absolute
    limit), ``"idle"``, or None while it is live.

    Rule: a session ends ``limits.lifetime`` after its log-in, however busy, and once
    ``limits.idle`` has passed since its last request. Its last request is not stored exactly:
    ``last_seen_at`` is only brought up to date when it is ``touch_every`` old, so the last
    request may be up to ``touch_every`` later than ``last_seen_at``. A session therefore counts
    as idle only when ``now - last_seen_at >= idle + touch_every``: it never ends before
    ``idle`` has passed since the last request, and ends at most ``touch_every`` after.
    The check is made on the stored time, before a request brings it up to date.
    """
    if now - created_at >= limits.lifetime:
        return "expired"
    if now - last_seen_at >= limits.idle + limits.touch_every:
        return "idle"
    return None


def second_factor_required(
    is_registrar: bool, organises_a_contest: bool, admin_role: str | None = None
) -> bool:
    """Whether a user must set up a second factor before anything else.

    Rule: the three administrators (system, security, audit), registrars (who keep the shared
    registers and create contests) and organisers of any contest must; judges, clerks, chief
    judges and arbitrators may (their account page offers it), and once they have set one up
    it is asked for at every log-in like anyone's.
    """
    return bool(admin_role) or is_registrar or organises_a_contest


#: The letters of recovery codes: no 0/O, 1/I/L to mistake for each other.
RECOVERY_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
RECOVERY_LENGTH = 10


def typed_code(text: str) -> tuple[str, str] | None:
    """What a code typed at the second step of log-in is: ``("totp", "123456")`` for the six
    digits of the authenticator app, ``("recovery", "ABCDE23456")`` for a recovery code, or
    None when it can be neither.

    Rule: spaces and hyphens are ignored anywhere (the app shows "123 456", recovery codes are
    printed "ABCDE-23456"), letters count in either case; six digits are an app code; ten
    characters of ``RECOVERY_ALPHABET`` are a recovery code.
    """
    plain = "".join(c for c in text if c not in " -\t").upper()
    if len(plain) == 6 and plain.isascii() and plain.isdigit():
        return ("totp", plain)
    if len(plain) == RECOVERY_LENGTH and all(c in RECOVERY_ALPHABET for c in plain):
        return ("recovery", plain)
    return None


def account_edit_problem(
    actor_id: int, target_id: int, target_admin_role: str | None
) -> Reason | None:
    """Why the system administrator may not edit this account (its name, unit, log-in, or a new
    password), or None.

    Rule: not their own (they change their own password like anyone), and not an
    administrator's: resetting another administrator's password would let one administrator
    act as another (三权分立); the security administrator takes a role back instead.
    """
    if actor_id == target_id:
        return Reason.of(N_("change your own account on your account page"))
    if target_admin_role:
        return Reason.of(N_("an administrator's account is not changed here"))
    return None


def factor_reset_problem(
    actor_id: int,
    actor_is_registrar: bool,
    actor_admin_role: str | None,
    target_id: int,
    target_admin_role: str | None,
) -> Reason | None:
    """Why this user may not turn off the target's two-step log-in, or None.

    Rule: nobody their own; an administrator's only by the security administrator; anyone
    else's by a registrar or the security administrator.
    """
    if actor_id == target_id:
        return Reason.of(N_("nobody turns off their own two-step log-in"))
    if target_admin_role:
        if actor_admin_role != "security":
            return Reason.of(N_("only the security administrator resets an administrator's"))
        return None
    if not (actor_is_registrar or actor_admin_role == "security"):
        return Reason.of(N_("only a registrar or the security administrator resets it"))
    return None

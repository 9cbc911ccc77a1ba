"""Guessing is slowed, but nobody can keep a judge out (issue 12, finding 5).

Failed log-ins make the next attempts wait longer and longer, counted per account and source
(address or known device), per account and per address; no count ever locks an account its
owner's browser cannot open, and a hall of judges behind one address do not hold each other up.
The clock is the views' ``utcnow``, moved by the tests (no sleeps).
"""

import re
import uuid
from datetime import datetime, timedelta

import pytest

from app import create_app
from competitions.accounts import rules, services
from competitions.accounts.models import LoginFailure
from competitions.accounts.rules import Failures, LoginContext
from competitions.core.db import db
from tests import factories as f

T0 = datetime(2026, 11, 20, 8, 0)
S = timedelta(seconds=1)


@pytest.fixture
def clock(monkeypatch):
    """The time the views see; tests move ``clock["now"]``."""
    now = {"now": T0}
    monkeypatch.setattr("competitions.accounts.views.utcnow", lambda: now["now"])
    return now


def browser(app, address: str | None = None):
    """A browser of its own, at an address of its own unless given one."""
    client = app.test_client()
    client.environ_base["REMOTE_ADDR"] = address or "10." + ".".join(
        str(b) for b in uuid.uuid4().bytes[:3]
    )
    client.get("/lang/en")
    return client


def log_in(client, username: str, password: str = f.PASSWORD):
    return client.post("/login", data={"username": username, "password": password})


def error(response) -> str:
    """The message shown under the password field."""
    match = re.search(r'id="password-error">([^<]*)<', response.get_data(as_text=True))
    return match.group(1) if match else ""


# --- the rules -------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "free", "wait"),
    [
        (0, 3, 0),
        (2, 3, 0),
        (3, 3, 1),  # the first failure beyond the free ones: 1 s
        (4, 3, 2),
        (5, 3, 4),
        (12, 3, 512),
        (13, 3, 900),  # 1024 s: at most 15 minutes
        (500, 3, 900),
        (9, 10, 0),
        (10, 10, 1),
    ],
)
def test_waits_double_with_each_failure_up_to_fifteen_minutes(count, free, wait):
    assert rules.delay(count, free) == timedelta(seconds=wait)


@pytest.mark.parametrize(
    ("failures", "now", "after"),
    [
        (Failures(), T0, Failures(1, T0)),
        (Failures(4, T0), T0 + S, Failures(5, T0 + S)),
        # A day without failures forgets them.
        (Failures(40, T0), T0 + timedelta(hours=23), Failures(41, T0 + timedelta(hours=23))),
        (Failures(40, T0), T0 + timedelta(days=1), Failures(1, T0 + timedelta(days=1))),
    ],
)
def test_a_failure_counts_one_more(failures, now, after):
    assert rules.after_failure(failures, now) == after


NONE = Failures()
GUESSED = Failures(5, T0)  # waits 4 s after T0 (source), nothing (account, address)
MANY = Failures(50, T0)  # waits 15 minutes whatever the count it is free of


@pytest.mark.parametrize(
    ("source", "account", "address", "known_device", "now", "wait"),
    [
        (NONE, NONE, NONE, False, T0, 0),
        # The guesser waits for what they did: 4 s after their 5th failure.
        (GUESSED, NONE, NONE, False, T0, 4),
        (GUESSED, NONE, NONE, False, T0 + 3 * S, 1),
        (GUESSED, NONE, NONE, False, T0 + 4 * S, 0),
        # Failures from everywhere slow every browser but the account's known devices.
        (NONE, MANY, NONE, False, T0, 900),
        (NONE, MANY, NONE, True, T0, 0),
        # The address's failures count only once this account failed from it (a hall).
        (NONE, NONE, MANY, False, T0, 0),
        (Failures(1, T0), NONE, MANY, False, T0, 900),
        (Failures(1, T0), NONE, MANY, True, T0, 0),
        # A known device that guesses waits like any source.
        (MANY, NONE, NONE, True, T0, 900),
        # A day later everything is forgotten.
        (MANY, MANY, MANY, False, T0 + timedelta(days=1), 0),
    ],
)
def test_how_long_a_log_in_waits(source, account, address, known_device, now, wait):
    attempt = LoginContext(source, account, address, known_device)
    assert rules.wait_before_login(attempt, now) == timedelta(seconds=wait)


# --- the attacks -----------------------------------------------------------------------------


def test_a_stranger_failing_fifty_times_cannot_keep_the_judge_out(app, clock):
    f.user("judge1")
    db.session.commit()
    judges_phone = browser(app, "10.1.1.1")
    assert log_in(judges_phone, "judge1").status_code == 302  # the phone is known from now on
    judges_phone.post("/logout")
    stranger = browser(app, "10.9.9.9")
    for _ in range(50):  # each guess after the wait, so that every one counts
        clock["now"] += rules.MAX_DELAY
        assert log_in(stranger, "judge1", "guess-guess").status_code == 200
    assert "try again in 900 seconds" in error(log_in(stranger, "judge1"))
    # The judge's phone opens the account at once, even behind the stranger's address.
    assert log_in(judges_phone, "judge1").status_code == 302
    judges_phone.post("/logout")
    judges_phone.environ_base["REMOTE_ADDR"] = "10.9.9.9"
    assert log_in(judges_phone, "judge1").status_code == 302
    # A browser the account has never used waits (the account is being guessed).
    assert "try again in" in error(log_in(browser(app), "judge1"))


def test_failures_from_a_hall_do_not_refuse_other_judges_of_the_hall(app, clock, redis_url):
    limited = create_app(
        {**app.config, "RATELIMIT_ENABLED": True, "RATELIMIT_STORAGE_URI": redis_url}
    )
    with limited.app_context():
        _hall(limited, clock)


def _hall(app, clock):
    for n in range(12):
        f.user(f"judge{n}")
    db.session.commit()
    hall = browser(app).environ_base["REMOTE_ADDR"]  # one address, behind which 12 judges sit
    for n in range(5):  # 25 failures from the hall's address, 5 each for 5 accounts
        for _ in range(5):
            clock["now"] += 4 * S
            log_in(browser(app, hall), f"judge{n}", "mistyped-it")
    for n in range(5, 12):  # the others log in on new computers with their right passwords
        assert log_in(browser(app, hall), f"judge{n}").status_code == 302
    # The last who mistyped waits a little, from the hall's address only.
    assert "try again in" in error(log_in(browser(app, hall), "judge4"))
    assert log_in(browser(app), "judge4").status_code == 302


def test_a_guesser_waits_longer_and_longer(app, clock):
    f.user("org")
    db.session.commit()
    guesser = browser(app)
    waits = []
    for _ in range(rules.FREE_PER_SOURCE):
        assert error(log_in(guesser, "org", "guess-guess")) == "Wrong username or password."
    for _ in range(8):
        log_in(guesser, "org", "guess-guess")  # one more counted failure
        refused = error(log_in(guesser, "org"))  # even the right password waits
        waits.append(int(re.search(r"try again in (\d+) seconds", refused).group(1)))
        clock["now"] += timedelta(seconds=waits[-1])
    assert waits == [1, 2, 4, 8, 16, 32, 64, 128]
    assert log_in(guesser, "org").status_code == 302  # after the wait, the right one works


def test_unknown_usernames_are_answered_like_known_ones(app, clock):
    f.user("org")
    db.session.commit()
    known, unknown = browser(app), browser(app)
    for _ in range(rules.FREE_PER_SOURCE + 1):
        answers = error(log_in(known, "org", "guess-guess")), error(log_in(unknown, "nobody"))
        assert answers[0] == answers[1]
    assert error(log_in(known, "org", "x")) == error(log_in(unknown, "nobody", "x"))
    assert "try again in 1 seconds" in error(log_in(unknown, "nobody", "x"))


def test_a_forged_device_cookie_is_no_known_device(app, clock):
    f.user("org")
    db.session.commit()
    stranger = browser(app)
    stranger.set_cookie("jingsai_device", '{"d": "x", "u": ["org"]}')
    for _ in range(rules.FREE_PER_SOURCE + 1):
        log_in(stranger, "org", "guess-guess")
    assert "try again in" in error(log_in(stranger, "org"))


def test_counts_a_day_old_are_deleted_by_the_periodic_task(app, clock):
    from competitions.accounts.tasks import forget_old_failures

    for name in ("nobody", "org"):  # at T0: 3 keys each (account and source, address)
        log_in(browser(app), name, "guess-guess")
    clock["now"] = T0 + timedelta(hours=1)
    log_in(browser(app), "recent", "guess-guess")
    db.session.commit()
    assert services.forget_old_failures(T0 + timedelta(days=1)) == 6
    left = db.session.query(LoginFailure).all()
    assert len(left) == 3 and all(row.last_at == clock["now"] for row in left)
    assert forget_old_failures.run() == 3  # the task reads the real clock, days after T0
    assert db.session.query(LoginFailure).count() == 0

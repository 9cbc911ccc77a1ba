"""Tables of cases of the pure rules of sessions and of the second factor (accounts.rules)."""

from datetime import datetime, timedelta

import pytest

from competitions.accounts import rules

T0 = datetime(2026, 12, 4, 8, 0)
MIN = timedelta(minutes=1)
LIMITS = rules.SessionLimits(
    idle=timedelta(minutes=30), lifetime=timedelta(hours=12), touch_every=timedelta(minutes=1)
)


@pytest.mark.parametrize(
    ("created", "last_seen", "now", "ended"),
    [
        # just logged in
        (T0, T0, T0, None),
        # idle: the last request may be up to a minute after last_seen_at (TOUCH_EVERY), so
        # the session is idle only at 30 + 1 minutes after it: never before 30 minutes of quiet
        (T0, T0, T0 + 29 * MIN, None),
        (T0, T0, T0 + 30 * MIN, None),
        (T0, T0, T0 + 31 * MIN - timedelta(seconds=1), None),
        (T0, T0, T0 + 31 * MIN, "idle"),
        (T0, T0, T0 + 5 * 60 * MIN, "idle"),
        # busy all day: alive until the absolute limit, then over however recent the request
        (T0, T0 + 11 * 60 * MIN, T0 + 11 * 60 * MIN + 10 * MIN, None),
        (T0, T0 + 12 * 60 * MIN - MIN, T0 + 12 * 60 * MIN - timedelta(seconds=1), None),
        (T0, T0 + 12 * 60 * MIN - MIN, T0 + 12 * 60 * MIN, "expired"),
        # both past: the absolute limit is named
        (T0, T0, T0 + 13 * 60 * MIN, "expired"),
    ],
)
def test_when_a_session_ends(created, last_seen, now, ended):
    assert rules.session_end(created, last_seen, now, LIMITS) == ended


def test_the_limits_are_settings():
    short = rules.SessionLimits(idle=5 * MIN, lifetime=60 * MIN, touch_every=MIN)
    assert rules.session_end(T0, T0, T0 + 6 * MIN, short) == "idle"
    assert rules.session_end(T0, T0 + 58 * MIN, T0 + 60 * MIN, short) == "expired"
    assert rules.session_end(T0, T0 + 50 * MIN, T0 + 55 * MIN, short) is None


@pytest.mark.parametrize(
    ("registrar", "organiser", "required"),
    [(False, False, False), (True, False, True), (False, True, True), (True, True, True)],
)
def test_who_must_have_a_second_factor(registrar, organiser, required):
    assert rules.second_factor_required(registrar, organiser) is required


@pytest.mark.parametrize("admin_role", ["system", "security", "audit"])
def test_every_administrator_must_have_a_second_factor(admin_role):
    assert rules.second_factor_required(False, False, admin_role) is True


@pytest.mark.parametrize(
    ("typed", "kind"),
    [
        ("123456", ("totp", "123456")),
        (" 123 456 ", ("totp", "123456")),
        ("123-456", ("totp", "123456")),
        ("12345", None),
        ("1234567", None),
        ("١٢٣٤٥٦", None),  # Arabic-Indic digits are digits to Python, not to the app
        ("ABCDE-23456", ("recovery", "ABCDE23456")),
        ("abcde23456", ("recovery", "ABCDE23456")),
        ("ABCDE 23456", ("recovery", "ABCDE23456")),
        ("ABCDE-2345O", None),  # O is not in the alphabet (0/O look alike)
        ("ABCDE-2345", None),
        ("", None),
        ("      ", None),
    ],
)
def test_what_a_typed_code_is(typed, kind):
    assert rules.typed_code(typed) == kind

"""The usual web defences: security headers, cookies, a new session at log-in, login limits."""

import re
import uuid
from datetime import datetime, timedelta
from pathlib import Path

import pytest
import redis
from flask_login import login_user

from app import create_app
from competitions.accounts import rules
from competitions.accounts.models import User
from competitions.core.config import load_config
from competitions.core.db import db
from competitions.core.security import CONTENT_SECURITY_POLICY
from tests import factories as f
from tests.judging.marking_world import build, score_everyone

TEMPLATES = Path(__file__).resolve().parents[2] / "templates"
#: Script a browser would run from the page itself rather than from a file of this site.
INLINE_SCRIPT = re.compile(
    r"<script\b(?![^>]*\bsrc=)[^>]*>|\son[a-z]+\s*=|javascript:", re.IGNORECASE
)
EXPECTED_HEADERS = {
    "Content-Security-Policy": (
        "default-src 'self'; script-src 'self'; object-src 'none'; base-uri 'self'; "
        "frame-ancestors 'none'; form-action 'self'; img-src 'self' data:; "
        "style-src 'self' 'unsafe-inline'"
    ),
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}
#: Values for URL arguments the marked world does not name (unknown ones answer 404).
OTHER_ARGS = {"code": "en", "role": "zip", "number": "2019-X-1", "job_id": "nope", "action": "x"}


def _url(rule, world) -> str:
    """A URL of ``rule`` about the marked world's contest, trade, entries and panel."""
    known = {
        "contest_id": world.ct.contest_id,
        "ct_id": world.ct.id,
        "entry_id": world.entries[0].id,
        "person_id": world.entries[0].person_id,
        "member_id": world.members["judge1"].id,
        "item_id": world.items[0].id,
    }
    values = {arg: known.get(arg, OTHER_ARGS.get(arg, 1)) for arg in rule.arguments}
    return rule.build(values)[1]


def test_the_policy_is_the_documented_one():
    assert EXPECTED_HEADERS["Content-Security-Policy"] == CONTENT_SECURITY_POLICY


def test_every_page_a_browser_loads_carries_the_headers_and_no_inline_script(app, client, login):
    world = build(n_entries=2)
    score_everyone(world, (9, 7))
    users = ["org", "chief", "judge1", None]  # organiser, chief judge, judge, the public
    rules_ = [r for r in app.url_map.iter_rules() if "GET" in r.methods]
    assert len(rules_) > 60
    for username in users:
        if username:
            login(username)
        else:
            client.post("/logout")
        for rule in rules_:
            url = _url(rule, world)
            response = client.get(url)
            assert response.status_code < 500, url
            for name, value in EXPECTED_HEADERS.items():
                assert response.headers.get(name) == value, (url, name)
            if response.mimetype == "text/html":
                body = response.get_data(as_text=True)
                assert not INLINE_SCRIPT.search(body), (url, INLINE_SCRIPT.search(body))


def test_errors_and_files_carry_the_headers_too(client):
    for response in (
        client.get("/no-such-page"),
        client.get("/static/css/app.css"),
        client.post("/login", data={}),
    ):
        assert response.headers["Content-Security-Policy"] == CONTENT_SECURITY_POLICY
        assert response.headers["X-Frame-Options"] == "DENY"


def test_no_template_holds_inline_script():
    found = {
        str(path.relative_to(TEMPLATES)): match.group(0)
        for path in TEMPLATES.rglob("*.html")
        if (match := INLINE_SCRIPT.search(path.read_text(encoding="utf-8")))
    }
    assert found == {}
    assert len(list(TEMPLATES.rglob("*.html"))) > 40  # the walk found the templates


# --- cookies ---------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("environ", "secure"),
    [
        ({}, False),
        ({"BASE_URL": "http://127.0.0.1:5000"}, False),
        ({"BASE_URL": "https://jingsai.example.cn"}, True),
        ({"BASE_URL": "HTTPS://jingsai.example.cn"}, True),
        ({"BASE_URL": "https://jingsai.example.cn", "SESSION_COOKIE_SECURE": "0"}, False),
        ({"BASE_URL": "http://10.0.0.5", "SESSION_COOKIE_SECURE": "1"}, True),
    ],
)
def test_cookies_are_secure_when_the_site_is_served_over_https(environ, secure):
    config = load_config(environ)
    assert config["SESSION_COOKIE_SECURE"] is secure
    assert config["REMEMBER_COOKIE_SECURE"] is secure
    assert config["SESSION_COOKIE_HTTPONLY"] and config["REMEMBER_COOKIE_HTTPONLY"]
    assert config["SESSION_COOKIE_SAMESITE"] == config["REMEMBER_COOKIE_SAMESITE"] == "Lax"


def _cookie_attributes(response, name: str) -> set[str]:
    """The attributes of the Set-Cookie header for cookie ``name`` (lower case)."""
    header = next(h for h in response.headers.getlist("Set-Cookie") if h.startswith(name + "="))
    return {part.strip().lower() for part in header.split(";")[1:]}


@pytest.mark.parametrize("base_url", ["https://jingsai.example.cn", "http://127.0.0.1:5000"])
def test_the_session_and_remember_cookies_are_httponly_samesite_and_secure_over_https(
    app, base_url
):
    https = base_url.startswith("https")
    served = create_app({**app.config, **_cookie_settings(base_url)})
    served.add_url_rule("/test-remember", "test_remember", _remember_org)
    with served.app_context():
        f.user("org")
        db.session.commit()
        client = served.test_client()
        response = client.post("/login", data={"username": "org", "password": f.PASSWORD})
        assert response.status_code == 302
        attributes = _cookie_attributes(response, "session")
        assert {"httponly", "samesite=lax"} <= attributes
        assert ("secure" in attributes) is https
        remember = _cookie_attributes(client.get("/test-remember"), "remember_token")
        assert {"httponly", "samesite=lax"} <= remember
        assert ("secure" in remember) is https


def _cookie_settings(base_url: str) -> dict:
    config = load_config({"BASE_URL": base_url})
    return {k: v for k, v in config.items() if k.startswith(("SESSION_COOKIE", "REMEMBER_COOKIE"))}


def _remember_org():
    login_user(db.session.query(User).filter_by(username="org").one(), remember=True)
    return "ok"


# --- a new session at log-in -----------------------------------------------------------------


def test_log_in_starts_a_new_session(client):
    f.user("org")
    db.session.commit()
    client.get("/lang/en")
    with client.session_transaction() as session:
        session["lookup_person"] = 1  # left by a contestant's lookup on a shared computer
        session["csrf_token"] = "planted-by-someone-else"
    before = client.get_cookie("session").value
    response = client.post("/login", data={"username": "org", "password": f.PASSWORD})
    assert response.status_code == 302
    after = client.get_cookie("session").value
    assert after != before
    with client.session_transaction() as session:
        assert "lookup_person" not in session
        assert session.get("csrf_token") != "planted-by-someone-else"
        assert session["lang"] == "en"  # the chosen language stays
    assert client.get("/contests").status_code == 200
    # The cookie copied before the log-in does not carry it.
    stolen = client.application.test_client()
    stolen.set_cookie("session", before)
    assert stolen.get("/contests").status_code == 302


# --- rate limit and lockout ------------------------------------------------------------------


def _limited(app, redis_url, limit="20 per minute"):
    """The app with rate limits on, counted in Redis."""
    return create_app(
        {
            **app.config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": redis_url,
            "LOGIN_RATE_LIMIT": limit,
        }
    )


def _client_at(app):
    """A test client with an address of its own (counters in Redis outlive a test)."""
    client = app.test_client()
    address = "10." + ".".join(str(b) for b in uuid.uuid4().bytes[:3])
    client.environ_base["REMOTE_ADDR"] = address
    return client, address


def test_failed_log_ins_are_limited_per_client_in_redis(app, redis_url):
    limited = _limited(app, redis_url)
    with limited.app_context():
        f.user("org")
        db.session.commit()
        client, address = _client_at(limited)
        codes = [
            client.post(
                "/login", data={"username": f"guess{n}", "password": "wrong-guess"}
            ).status_code
            for n in range(30)
        ]
        assert codes[:20] == [200] * 20 and set(codes[20:]) == {429}
        # Even the right password waits now; another client is not held up.
        right = {"username": "org", "password": f.PASSWORD}
        assert client.post("/login", data=right).status_code == 429
        other, _ = _client_at(limited)
        assert other.post("/login", data=right).status_code == 302
        counters = redis.Redis.from_url(redis_url).keys(f"*/{address}/accounts.login/*")
        assert counters  # the counters live in Redis, shared by every web process


def test_a_hall_of_judges_behind_one_address_all_log_in(app, redis_url):
    limited = _limited(app, redis_url, "5 per minute")
    with limited.app_context():
        for n in range(12):
            f.user(f"judge{n}")
        db.session.commit()
        client, _ = _client_at(limited)
        for n in range(12):  # successful log-ins do not count against the address
            response = client.post("/login", data={"username": f"judge{n}", "password": f.PASSWORD})
            assert response.status_code == 302
            client.post("/logout")
        for n in range(5):
            client.post("/login", data={"username": f"judge{n}", "password": "wrong-guess"})
        response = client.post("/login", data={"username": "judge0", "password": f.PASSWORD})
        assert response.status_code == 429  # but failures do


def _error(response) -> str:
    """The message shown under the password field."""
    match = re.search(r'id="password-error">([^<]*)<', response.get_data(as_text=True))
    return match.group(1) if match else ""


def test_five_failures_lock_the_account_for_fifteen_minutes(client, monkeypatch):
    f.user("org")
    db.session.commit()
    client.get("/lang/en")
    start = datetime(2026, 11, 20, 8, 0)
    clock = {"now": start}
    monkeypatch.setattr(
        "competitions.accounts.views.utcnow", lambda: clock["now"].replace(tzinfo=None)
    )
    right = {"username": "org", "password": f.PASSWORD}
    wrong = {"username": "org", "password": "not-it-at-all"}
    unknown = {"username": "nobody", "password": "not-it-at-all"}
    for _ in range(rules.MAX_FAILURES):
        refused = client.post("/login", data=wrong)
    locked = client.post("/login", data=right)
    assert locked.status_code == 200 and client.get("/contests").status_code == 302
    user = db.session.query(User).filter_by(username="org").one()
    db.session.refresh(user)
    assert user.locked_until == start + timedelta(minutes=15)
    # Locked, wrong password, unknown user: the same words, which do not say which it is.
    stranger = client.post("/login", data=unknown)
    assert _error(locked) == _error(refused) == _error(stranger)
    assert "Wrong username or password." in _error(locked) and "locked" in _error(locked)
    clock["now"] = start + timedelta(minutes=14, seconds=59)
    assert client.post("/login", data=right).status_code == 200  # still locked
    clock["now"] = start + timedelta(minutes=15)
    assert client.post("/login", data=right).status_code == 302  # the lock has ended
    db.session.refresh(user)
    assert (user.failed_logins, user.locked_until) == (0, None)


def test_a_success_starts_the_count_again(client):
    f.user("org")
    db.session.commit()
    right = {"username": "org", "password": f.PASSWORD}
    wrong = {"username": "org", "password": "not-it-at-all"}
    for _ in range(rules.MAX_FAILURES - 1):
        client.post("/login", data=wrong)
    assert client.post("/login", data=right).status_code == 302
    client.post("/logout")
    for _ in range(rules.MAX_FAILURES - 1):
        client.post("/login", data=wrong)
    assert client.post("/login", data=right).status_code == 302


T0 = datetime(2026, 11, 20, 8, 0)
LOCKED = rules.LoginLock(0, T0 + timedelta(minutes=15))


@pytest.mark.parametrize(
    ("before", "succeeded", "now", "after"),
    [
        # A success clears the count.
        (rules.LoginLock(3, None), True, T0, rules.LoginLock(0, None)),
        # Failures count up; the fifth in a row locks for 15 minutes and restarts the count.
        (rules.LoginLock(0, None), False, T0, rules.LoginLock(1, None)),
        (rules.LoginLock(3, None), False, T0, rules.LoginLock(4, None)),
        (rules.LoginLock(4, None), False, T0, LOCKED),
        # While locked, nothing changes, not even with the right password.
        (LOCKED, True, T0 + timedelta(minutes=5), LOCKED),
        (LOCKED, False, T0 + timedelta(minutes=14, seconds=59), LOCKED),
        # Once the lock has ended: a success clears it; a failure counts from one.
        (LOCKED, True, T0 + timedelta(minutes=15), rules.LoginLock(0, None)),
        (LOCKED, False, T0 + timedelta(minutes=20), rules.LoginLock(1, None)),
    ],
)
def test_the_lockout_rule(before, succeeded, now, after):
    assert rules.after_login_attempt(before, succeeded, now) == after


@pytest.mark.parametrize(
    ("state", "now", "locked"),
    [
        (rules.LoginLock(4, None), T0, False),
        (LOCKED, T0, True),
        (LOCKED, T0 + timedelta(minutes=14, seconds=59), True),
        (LOCKED, T0 + timedelta(minutes=15), False),
    ],
)
def test_when_an_account_is_locked(state, now, locked):
    assert rules.is_locked(state, now) is locked

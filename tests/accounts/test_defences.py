"""The usual web defences: security headers, cookies, a new session at log-in (log-in waits:
test_login_throttle.py; sessions that end: test_sessions.py)."""

import re
from pathlib import Path

import pytest
from flask_login import login_user

from app import create_app
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
        response = f.log_in(client, "org", f.PASSWORD)
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
    response = f.log_in(client, "org", f.PASSWORD)
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

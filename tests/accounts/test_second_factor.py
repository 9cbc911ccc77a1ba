"""Two-step log-in (issue 18, item 3): set-up with the authenticator app, the code step after
the password, recovery codes that work once, organisers sent to set-up first, a registrar's
reset, and sessions that end when idle or too old."""

import re
from datetime import timedelta

import pyotp
import sqlalchemy as sa
from flask_babel import force_locale
from sqlalchemy import select

from competitions.accounts.models import (
    LoginFailure,
    RecoveryCode,
    SecondFactor,
    UserSession,
)
from competitions.auditlog.services import _line
from competitions.core.audit import AuditLog
from competitions.core.audit_words import referenced_names
from competitions.core.db import db
from tests import factories as f


def password_step(client, username: str):
    """The first step only: username and password."""
    return client.post("/login", data={"username": username, "password": f.PASSWORD})


def is_in(client) -> bool:
    """Whether the browser is logged in (a page for logged-in users answers it)."""
    return client.get("/contests").status_code == 200


def audit_actions(user_id: int) -> list[str]:
    """The second-factor audit rows about a user, oldest first."""
    rows = db.session.scalars(
        select(AuditLog.action)
        .where(AuditLog.entity == "second_factor", AuditLog.entity_id == user_id)
        .order_by(AuditLog.id)
    )
    return list(rows)


def organiser_world():
    """A contest and its organiser, who has no second factor yet."""
    contest = f.contest("SD-2018")
    org = f.user("org")
    f.grant(org, contest, "organiser")
    db.session.commit()
    return contest, org


def set_up(client, username: str) -> list[str]:
    """Set up two-step log-in through the set-up page; the recovery codes it shows."""
    page = client.get("/account/second-factor").get_data(as_text=True)
    shown = re.search(r'id="setup-secret">([A-Z2-7 ]+)<', page).group(1).replace(" ", "")
    code = pyotp.TOTP(shown).now()
    page = client.post("/account/second-factor", data={"code": code}).get_data(as_text=True)
    return re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", page)


def test_an_organiser_sets_up_the_second_factor_before_anything_else(app):
    contest, org = organiser_world()
    client = app.test_client()
    client.get("/lang/en")
    assert password_step(client, "org").status_code == 302
    for page in ("/", "/contests", f"/contests/{contest.id}/staff", "/account/password"):
        response = client.get(page)
        assert response.status_code == 302, page
        assert response.location.endswith("/account/second-factor"), page
    assert client.get("/static/css/app.css").status_code == 200
    page = client.get("/account/second-factor").get_data(as_text=True)
    assert "<svg" in page and "Set up two-step log-in" in page
    secret = db.session.get(SecondFactor, org.id).secret
    assert secret in page.replace(" ", "")
    wrong = client.post("/account/second-factor", data={"code": "000000"})
    assert "Wrong code" in wrong.get_data(as_text=True)
    assert db.session.get(SecondFactor, org.id).confirmed_at is None
    codes = set_up(client, "org")
    assert len(codes) == 10 and len(set(codes)) == 10
    db.session.expire_all()
    assert db.session.get(SecondFactor, org.id).confirmed_at is not None
    stored = db.session.scalars(select(RecoveryCode.code_hash)).all()
    assert len(stored) == 10
    assert not any(code.replace("-", "") in h for code in codes for h in stored)
    assert client.get(f"/contests/{contest.id}/staff").status_code == 200
    assert audit_actions(org.id) == ["enable"]


def test_log_in_asks_for_the_apps_code_before_the_session_starts(app):
    _, org = organiser_world()
    f.turn_on_second_factor(org)
    db.session.commit()
    client = app.test_client()
    response = password_step(client, "org")
    assert response.location.endswith("/login/code")
    assert not is_in(client)
    assert db.session.query(UserSession).count() == 0
    code = f.app_code("org")
    response = client.post("/login/code", data={"code": code})
    assert response.status_code == 302 and is_in(client)
    assert db.session.query(UserSession).count() == 1
    # The same code never lets anyone in twice (a code seen over a shoulder).
    other = app.test_client()
    password_step(other, "org")
    again = other.post("/login/code", data={"code": code})
    assert again.status_code == 200 and not is_in(other)
    assert audit_actions(org.id) == ["login", "fail"]


def test_the_code_step_needs_the_password_first(app):
    organiser_world()
    client = app.test_client()
    response = client.post("/login/code", data={"code": "123456"})
    assert response.status_code == 302 and response.location.endswith("/login")
    assert not is_in(client)


def test_wrong_codes_count_as_failed_log_ins(app):
    _, org = organiser_world()
    f.turn_on_second_factor(org)
    db.session.commit()
    client = app.test_client()
    client.get("/lang/en")
    password_step(client, "org")
    for _ in range(3):
        page = client.post("/login/code", data={"code": "000000"}).get_data(as_text=True)
        assert "Wrong code." in page
    page = client.post("/login/code", data={"code": f.app_code("org")}).get_data(as_text=True)
    assert "Too many failed attempts" in page and not is_in(client)
    counts = {row.key: row.count for row in db.session.scalars(select(LoginFailure))}
    assert counts["account:org"] == 3
    assert audit_actions(org.id) == ["fail"] * 3
    # The wait is over: the right code lets the organiser in, and clears this source's count.
    for row in db.session.scalars(select(LoginFailure)):
        row.last_at -= timedelta(hours=1)
    db.session.commit()
    assert client.post("/login/code", data={"code": f.app_code("org")}).status_code == 302
    assert is_in(client)


def test_a_recovery_code_works_once(app):
    organiser_world()
    client = app.test_client()
    password_step(client, "org")
    codes = set_up(client, "org")
    client.post("/logout")
    assert not is_in(client)
    password_step(client, "org")
    assert client.post("/login/code", data={"code": codes[3].lower()}).status_code == 302
    assert is_in(client)
    client.post("/logout")
    password_step(client, "org")
    again = client.post("/login/code", data={"code": codes[3]})
    assert again.status_code == 200 and not is_in(client)
    used = db.session.scalars(select(RecoveryCode).where(RecoveryCode.used_at.is_not(None)))
    assert len(used.all()) == 1
    org_id = db.session.scalar(select(SecondFactor.user_id))
    assert audit_actions(org_id) == ["enable", "recovery", "fail"]
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "recovery"))
    with app.test_request_context(), force_locale("en"):
        line = _line(row, "Org", referenced_names([row]))
    assert line.action == "Logged in with a recovery code"
    assert "User: Org" in line.changes and "Recovery codes left: 9" in line.changes


def test_new_recovery_codes_replace_the_old_ones(app):
    organiser_world()
    client = app.test_client()
    password_step(client, "org")
    old = set_up(client, "org")
    page = client.post(
        "/account/second-factor/recovery-codes", data={"code": f.app_code("org")}
    ).get_data(as_text=True)
    new = re.findall(r"<code>([A-Z0-9]{5}-[A-Z0-9]{5})</code>", page)
    assert len(new) == 10 and not set(new) & set(old)
    client.post("/logout")
    password_step(client, "org")
    assert client.post("/login/code", data={"code": old[0]}).status_code == 200
    assert client.post("/login/code", data={"code": new[0]}).status_code == 302


def test_the_second_factor_is_optional_for_judges(app):
    contest = f.contest("SD-2018")
    judge = f.user("judge1")
    f.grant(judge, contest, "judge")
    db.session.commit()
    client = app.test_client()
    password_step(client, "judge1")
    assert is_in(client)
    assert 'id="second-factor-link"' in client.get("/account/password").get_data(as_text=True)
    set_up(client, "judge1")
    client.post("/logout")
    assert password_step(client, "judge1").location.endswith("/login/code")
    assert client.post("/login/code", data={"code": f.app_code("judge1")}).status_code == 302


def test_a_registrar_resets_someones_second_factor(app):
    _, org = organiser_world()
    f.turn_on_second_factor(org)
    registrar = f.user("keeper", registrar=True)
    db.session.commit()
    lost_phone = app.test_client()
    f.log_in(lost_phone, "org")
    assert is_in(lost_phone)
    judge = f.user("judge1")
    db.session.commit()
    outsider = app.test_client()
    f.log_in(outsider, "judge1")
    data = {"username": "org", "reason": "手机丢失，本人来电确认"}
    assert outsider.post("/second-factor/reset", data=data).status_code == 403
    keeper = app.test_client()
    f.log_in(keeper, "keeper")
    assert keeper.post("/second-factor/reset", data=data).status_code == 302
    assert db.session.get(SecondFactor, org.id) is None
    assert not is_in(lost_phone)  # logged out everywhere
    row = db.session.scalar(select(AuditLog).where(AuditLog.action == "reset"))
    assert row.user_id == registrar.id and row.entity_id == org.id
    with app.test_request_context(), force_locale("en"):
        line = _line(row, "Keeper", referenced_names([row]))
    assert (line.who, line.action) == ("Keeper", "Turned off someone's two-step log-in")
    assert line.changes == ["Reason: 手机丢失，本人来电确认", "User: Org"]
    # At the next log-in the organiser sets it up again before anything else.
    again = app.test_client()
    password_step(again, "org")
    assert again.get("/contests").location.endswith("/account/second-factor")
    assert judge.id


def test_an_idle_session_ends_with_a_message(app):
    f.user("judge1")
    db.session.commit()
    client = app.test_client()
    client.get("/lang/en")
    password_step(client, "judge1")
    assert is_in(client)
    live = db.session.scalar(select(UserSession))
    live.last_seen_at -= timedelta(minutes=30)  # 30 minutes quiet, less the touch allowance
    db.session.commit()
    assert is_in(client)
    db.session.refresh(live)
    live.last_seen_at -= timedelta(minutes=31)
    db.session.commit()
    response = client.get("/contests")
    assert response.status_code == 302 and "/login" in response.location
    page = client.get(response.location).get_data(as_text=True)
    assert "Your session has timed out: please log in again." in page
    db.session.refresh(live)
    assert live.revoked_at is not None
    assert not is_in(client)


def test_a_busy_session_ends_at_the_absolute_limit(app):
    f.user("judge1")
    db.session.commit()
    client = app.test_client()
    password_step(client, "judge1")
    live = db.session.scalar(select(UserSession))
    live.created_at -= timedelta(hours=12)  # busy all along: last_seen_at is now
    db.session.commit()
    response = client.get("/contests")
    assert response.status_code == 302 and "/login" in response.location
    db.session.refresh(live)
    assert live.revoked_at is not None


def test_the_limits_come_from_the_settings(app):
    app.config["SESSION_IDLE_MINUTES"] = 5
    f.user("judge1")
    db.session.commit()
    client = app.test_client()
    password_step(client, "judge1")
    live = db.session.scalar(select(UserSession))
    live.last_seen_at -= timedelta(minutes=7)
    db.session.commit()
    assert not is_in(client)


def test_the_code_step_keeps_the_next_page_inside_the_site(app):
    _, org = organiser_world()
    f.turn_on_second_factor(org)
    db.session.commit()
    for target, lands in (
        ("/contests", "/contests"),
        ("//evil.example", "/"),
        ("https://evil.example", "/"),
        ("/\\evil.example", "/"),
    ):
        client = app.test_client()
        data = {"username": "org", "password": f.PASSWORD}
        client.post("/login", data=data, query_string={"next": target})
        response = client.post("/login/code", data={"code": f.app_code("org")})
        assert response.status_code == 302 and response.location == lands, target


def test_hostile_codes_are_refused_without_crashing(app):
    _, org = organiser_world()
    f.turn_on_second_factor(org)
    db.session.commit()
    client = app.test_client()
    password_step(client, "org")
    for code in (
        "<script>alert(1)</script>",
        "\u202e123456",
        "9" * 5000,
        "١٢٣٤٥٦",
        "' OR 1=1 --",
        "ABCDE-23456",
    ):
        response = client.post("/login/code", data={"code": code})
        assert response.status_code == 200, code
        assert "<script>alert(1)</script>" not in response.get_data(as_text=True)
    assert not is_in(client)


def test_the_apps_secret_is_kept_encrypted(app):
    """The authenticator's shared secret is stored encrypted with the data key, like ID
    numbers: the database's own bytes never hold it."""
    u = f.user("org")
    f.turn_on_second_factor(u)
    db.session.commit()
    stored = db.session.execute(sa.text("SELECT secret FROM second_factor")).scalar_one()
    assert f.TOTP_SECRET not in stored
    db.session.expire_all()
    assert db.session.get(SecondFactor, u.id).secret == f.TOTP_SECRET

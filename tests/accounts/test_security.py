"""Passwords, CSRF and per-contest permissions, checked on the server."""

import pytest
from sqlalchemy import select

from app import create_app
from competitions.accounts.models import User
from competitions.core.db import db
from tests import factories as f


def _two_contests():
    a = f.contest("A-CITY")
    b = f.contest("B-CITY")
    org_a = f.user("org_a", registrar=True)
    f.grant(org_a, a, "organiser")
    judge = f.user("judge")
    f.grant(judge, a, "judge")
    ct_b = f.contest_trade(b, f.trade())
    db.session.commit()
    return a, b, ct_b


def test_passwords_are_stored_hashed(app):
    f.user("someone")
    db.session.commit()
    stored = db.session.scalar(select(User.password_hash))
    assert f.PASSWORD not in stored and stored.startswith(("scrypt:", "pbkdf2:"))


def test_wrong_password_is_refused(client):
    f.user("someone")
    db.session.commit()
    page = client.post("/login", data={"username": "someone", "password": "nope"})
    assert page.status_code == 200
    assert client.get("/contests").status_code == 302  # still logged out


@pytest.mark.parametrize(
    "path",
    [
        "/contests/{b}",
        "/contests/{b}/edit",
        "/contests/{b}/entries",
        "/contests/{b}/entries/new",
        "/contests/{b}/trades/new",
        "/contests/{b}/trades/{ct}/edit",
        "/contests/{b}/delegations",
        "/contests/{b}/staff",
        "/contests/{b}/import",
    ],
)
def test_an_organiser_of_one_contest_cannot_touch_another(client, login, path):
    _, b, ct_b = _two_contests()
    login("org_a")
    url = path.format(b=b.id, ct=ct_b.id)
    assert client.get(url).status_code == 403
    assert client.post(url, data={}).status_code in (403, 405)


def test_a_judge_cannot_use_organiser_pages(client, login):
    a, *_ = _two_contests()
    login("judge")
    assert client.get(f"/contests/{a.id}").status_code == 200
    for path in ("entries", "entries/new", "edit", "delegations", "staff"):
        assert client.get(f"/contests/{a.id}/{path}").status_code == 403
    assert client.get("/trades/new").status_code == 403  # not a registrar


def test_forms_refuse_posts_without_a_csrf_token(tmp_path, app):
    strict = create_app({**app.config, "WTF_CSRF_ENABLED": True, "TESTING": True})
    with strict.app_context():
        f.user("someone")
        db.session.commit()
        client = strict.test_client()
        response = client.post("/login", data={"username": "someone", "password": f.PASSWORD})
        assert response.status_code == 400
        page = client.get("/login").get_data(as_text=True)
        assert 'name="csrf_token"' in page

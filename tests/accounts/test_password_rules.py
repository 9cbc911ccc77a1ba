"""The password policy: the rule as a table, and the page where people change their password."""

import pytest
from sqlalchemy import select

from competitions.accounts.models import User
from competitions.accounts.rules import password_problems
from competitions.core.db import db
from tests import factories as f

SHORT = "use at least %(n)s characters"
DIGITS = "do not use only digits"
USERNAME = "do not use your username"
COMMON = "this password is too common"


@pytest.mark.parametrize(
    ("password", "username", "problems"),
    [
        ("铁人精神-2026年", "zhao", []),
        ("correct horse battery", "zhao", []),
        ("Jinan#Fitter7", "zhao", []),
        ("0123456789a", "zhao", []),  # digits and one letter: allowed
        ("abcdefghi", "zhao", [SHORT]),  # 9 characters
        ("abcdefghik", "zhao", []),  # 10 characters
        ("", "zhao", [SHORT]),
        ("demo1234", "organiser", [SHORT]),  # the seeds' demo password: seeds are not checked
        ("13812345678", "zhao", [DIGITS]),  # a phone number
        ("19900101", "zhao", [SHORT, DIGITS]),  # a birth date
        ("zhaolixin01", "zhaolixin01", [USERNAME]),
        ("ZhaoLixin01", "zhaolixin01", [USERNAME]),  # case does not matter
        (" zhaolixin01 ", "zhaolixin01", [USERNAME]),
        ("10nixiloahz", "zhaolixin01", [USERNAME]),  # the username backwards
        ("zhaolixin01!", "zhaolixin01", []),  # more than the username
        ("qwertyuiop", "zhao", [COMMON]),
        ("Password123", "zhao", [COMMON]),
        ("1q2w3e4r5t", "zhao", [COMMON]),
        ("admin", "admin", [SHORT, USERNAME, COMMON]),  # every problem is reported
        ("a123456789", "zhao", [COMMON]),
    ],
)
def test_the_password_policy(password, username, problems):
    assert [r.msgid for r in password_problems(password, username)] == problems


def _change(client, current=f.PASSWORD, new="Jinan#Fitter7", confirm=None):
    return client.post(
        "/account/password",
        data={"current_password": current, "new_password": new, "confirm": confirm or new},
        follow_redirects=True,
    )


@pytest.mark.parametrize(
    ("new", "message"),
    [
        ("short", "use at least 10 characters"),
        ("13812345678", "do not use only digits"),
        ("zhaolixin01", "do not use your username"),
        ("qwertyuiop", "this password is too common"),
    ],
)
def test_a_password_against_the_policy_is_refused_next_to_the_field(client, login, new, message):
    f.user("zhaolixin01")
    db.session.commit()
    login("zhaolixin01")
    client.get("/lang/en")
    page = _change(client, new=new).get_data(as_text=True)
    assert 'id="new_password-error">' + message in page
    db.session.expire_all()
    assert db.session.scalar(select(User)).check_password(f.PASSWORD)  # unchanged


def test_changing_ones_password(client, login):
    f.user("zhao")
    db.session.commit()
    login("zhao")
    client.get("/lang/en")
    assert "Change password" in client.get("/").get_data(as_text=True)  # linked from every page
    page = _change(client, current="not-my-password").get_data(as_text=True)
    assert "This is not your current password." in page
    page = _change(client, confirm="Jinan#Fitter8").get_data(as_text=True)
    assert "The two new passwords differ." in page
    page = _change(client).get_data(as_text=True)
    assert "Password changed." in page
    client.post("/logout")
    old = f.log_in(client, "zhao", f.PASSWORD)
    assert old.status_code == 200
    new = f.log_in(client, "zhao", "Jinan#Fitter7")
    assert new.status_code == 302


def test_only_someone_logged_in_changes_a_password(client):
    response = client.get("/account/password")
    assert response.status_code == 302 and "/login" in response.headers["Location"]

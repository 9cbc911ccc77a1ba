"""Sessions end when they should (issue 12, finding 6): a copied session cookie stops working
after log-out, a password change, or "log out everywhere" (by the user, or by an organiser
for the contest's staff)."""

from competitions.accounts.models import UserSession
from competitions.core.db import db
from tests import factories as f


def logged_in(app, username: str):
    """A browser of its own, logged in as ``username``."""
    client = app.test_client()
    response = f.log_in(client, username)
    assert response.status_code == 302
    return client


def copy_of(client):
    """Another browser holding a copy of ``client``'s session cookie (a stolen cookie)."""
    thief = client.application.test_client()
    thief.set_cookie("session", client.get_cookie("session").value)
    return thief


def is_in(client) -> bool:
    """Whether the browser is logged in (a page for logged-in users answers it)."""
    return client.get("/contests").status_code == 200


def test_log_out_ends_the_session_for_copies_of_the_cookie_too(app):
    f.user("judge1")
    db.session.commit()
    judge = logged_in(app, "judge1")
    thief = copy_of(judge)
    assert is_in(thief)
    other = logged_in(app, "judge1")  # the judge's phone
    judge.post("/logout")
    assert not is_in(judge) and not is_in(thief)
    assert is_in(other)  # logging out ends one session, not the others
    ended = db.session.query(UserSession).filter(UserSession.revoked_at.is_not(None)).count()
    assert ended == 1


def test_a_password_change_ends_every_other_session(app):
    f.user("judge1")
    db.session.commit()
    judge = logged_in(app, "judge1")
    thief, phone = copy_of(judge), logged_in(app, "judge1")
    new = "a-new-long-passphrase"
    response = judge.post(
        "/account/password",
        data={"current_password": f.PASSWORD, "new_password": new, "confirm": new},
    )
    assert response.status_code == 302
    assert is_in(judge)  # the browser that changed it goes on
    assert not is_in(thief) and not is_in(phone)


def test_log_out_everywhere_ends_all_of_ones_sessions(app):
    f.user("judge1")
    f.user("judge2")
    db.session.commit()
    judge, other_judge = logged_in(app, "judge1"), logged_in(app, "judge2")
    thief, phone = copy_of(judge), logged_in(app, "judge1")
    assert "2" in phone.get("/account/password").get_data(as_text=True)  # 2 sessions live
    assert phone.post("/account/sessions/end").status_code == 302
    assert not any(is_in(c) for c in (judge, thief, phone))
    assert is_in(other_judge)


def test_an_organiser_logs_the_contests_staff_out_everywhere(app):
    contest = f.contest("SD-2018")
    org, judge1, outsider = f.user("org"), f.user("judge1"), f.user("outsider")
    f.grant(org, contest, "organiser")
    f.grant(judge1, contest, "judge")
    db.session.commit()
    organiser, judge, thief = logged_in(app, "org"), logged_in(app, "judge1"), None
    thief = copy_of(judge)
    page = organiser.get(f"/contests/{contest.id}/staff").get_data(as_text=True)
    action = f"/contests/{contest.id}/staff/{judge1.id}/sessions/end"
    assert action in page
    assert organiser.post(action).status_code == 302
    assert not is_in(judge) and not is_in(thief) and is_in(organiser)
    # Someone without a role in the contest is not the organiser's to log out.
    outsiders = logged_in(app, "outsider")
    assert (
        organiser.post(f"/contests/{contest.id}/staff/{outsider.id}/sessions/end").status_code
        == 404
    )
    assert is_in(outsiders)
    # Nor may a judge log the organiser out.
    assert (
        logged_in(app, "judge1")
        .post(f"/contests/{contest.id}/staff/{org.id}/sessions/end")
        .status_code
        == 403
    )
    assert is_in(organiser)

"""Separation of duties (issue 18, 三权分立): the system administrator keeps accounts, the
security administrator grants duties, the audit administrator reads the whole trail; none of
them sees contest data by that role, and nobody holds two of them."""

import pytest
from sqlalchemy import select

from competitions.accounts import rules
from competitions.accounts.models import ContestRole, User, UserSession
from competitions.accounts.rules import DutyHolder
from competitions.core.audit import AuditLog
from competitions.core.db import db
from tests import factories as f

SEC = DutyHolder(1, "security", False, False)
PLAIN = DutyHolder(2, None, False, False)
STAFF = DutyHolder(3, None, False, True)
REGISTRAR = DutyHolder(4, None, True, False)
SYSTEM = DutyHolder(5, "system", False, False)
OTHER_SEC = DutyHolder(6, "security", False, False)


@pytest.mark.parametrize(
    ("actor", "target", "duty", "grant", "security_admins", "why"),
    [
        (SEC, PLAIN, "system", True, 1, None),
        (SEC, PLAIN, "registrar", True, 1, None),
        (SEC, STAFF, "registrar", True, 1, None),  # contest staff may keep the registers
        (SEC, SYSTEM, "system", False, 1, None),
        (SEC, OTHER_SEC, "security", False, 2, None),
        (SYSTEM, PLAIN, "registrar", True, 1, "only the security administrator grants duties"),
        (PLAIN, PLAIN, "audit", True, 1, "only the security administrator grants duties"),
        (SEC, SEC, "audit", True, 1, "nobody changes their own duties"),
        (SEC, SEC, "security", False, 2, "nobody changes their own duties"),
        (SEC, PLAIN, "root", True, 1, "unknown duty"),
        (SEC, PLAIN, "system", False, 1, "the account does not hold this duty"),
        (SEC, SYSTEM, "system", True, 1, "the account already holds this duty"),
        (SEC, SYSTEM, "audit", True, 1, "an account holds one administrator role at most"),
        (SEC, SYSTEM, "registrar", True, 1, "an administrator's account holds no other duty"),
        (
            SEC,
            STAFF,
            "audit",
            True,
            1,
            "an administrator needs an account of its own, without other roles",
        ),
        (
            SEC,
            REGISTRAR,
            "system",
            True,
            1,
            "an administrator needs an account of its own, without other roles",
        ),
        (SEC, OTHER_SEC, "security", False, 1, "the last security administrator keeps the role"),
    ],
)
def test_duty_rule(actor, target, duty, grant, security_admins, why):
    problem = rules.duty_problem(actor, target, duty, grant, security_admins)
    assert (problem.msgid if problem else None) == why


@pytest.mark.parametrize(
    ("actor", "target", "target_role", "why"),
    [
        (1, 2, None, None),
        (1, 1, None, "change your own account on your account page"),
        (1, 2, "security", "an administrator's account is not changed here"),
        (1, 2, "audit", "an administrator's account is not changed here"),
    ],
)
def test_account_edit_rule(actor, target, target_role, why):
    problem = rules.account_edit_problem(actor, target, target_role)
    assert (problem.msgid if problem else None) == why


@pytest.mark.parametrize(
    ("actor", "registrar", "actor_role", "target", "target_role", "why"),
    [
        (1, True, None, 2, None, None),
        (1, False, "security", 2, None, None),
        (1, False, "security", 2, "system", None),
        (1, True, None, 1, None, "nobody turns off their own two-step log-in"),
        (1, True, None, 2, "system", "only the security administrator resets an administrator's"),
        (1, False, "system", 2, None, "only a registrar or the security administrator resets it"),
        (1, False, None, 2, None, "only a registrar or the security administrator resets it"),
    ],
)
def test_factor_reset_rule(actor, registrar, actor_role, target, target_role, why):
    problem = rules.factor_reset_problem(actor, registrar, actor_role, target, target_role)
    assert (problem.msgid if problem else None) == why


@pytest.mark.parametrize(
    ("admin_role", "why"),
    [
        (None, None),
        ("system", "an administrator's account cannot hold a role in a contest"),
        ("audit", "an administrator's account cannot hold a role in a contest"),
    ],
)
def test_contest_role_rule(admin_role, why):
    problem = rules.contest_role_problem(admin_role)
    assert (problem.msgid if problem else None) == why


def admins():
    out = {}
    for username, role in (("sysadmin", "system"), ("secadmin", "security"), ("auditor", "audit")):
        out[role] = f.user(username)
        out[role].admin_role = role
    db.session.commit()
    return out


def logged_in(app, username: str):
    client = app.test_client()
    response = f.log_in(client, username)
    assert response.status_code == 302
    return client


def test_the_system_administrator_creates_and_edits_accounts(app):
    people = admins()
    unit = f.unit("济南钢铁集团")
    db.session.commit()
    sysadmin = logged_in(app, "sysadmin")
    assert sysadmin.get("/").headers["Location"].endswith("/admin/users")
    weak = sysadmin.post(
        "/admin/users/new",
        data={"username": "judge9", "display_name": "新裁判", "unit_id": "", "password": "12345"},
    )
    assert weak.status_code == 200 and "10" in weak.get_data(as_text=True)
    assert db.session.scalar(select(User).where(User.username == "judge9")) is None
    created = sysadmin.post(
        "/admin/users/new",
        data={
            "username": "judge9",
            "display_name": "新裁判",
            "unit_id": str(unit.id),
            "password": "a-long-first-password",
            "active": "y",
        },
    )
    assert created.status_code == 302
    db.session.expire_all()
    user = db.session.scalar(select(User).where(User.username == "judge9"))
    assert (user.display_name, user.unit_id, user.active, user.admin_role) == (
        "新裁判",
        unit.id,
        True,
        None,
    )
    client = app.test_client()
    first = {"username": "judge9", "password": "a-long-first-password"}
    assert client.post("/login", data=first).status_code == 302
    # The password given is temporary: the person chooses their own before anything else.
    assert client.get("/contests").headers["Location"].endswith("/account/password")
    own = "my-own-long-password"
    changed = client.post(
        "/account/password",
        data={"current_password": first["password"], "new_password": own, "confirm": own},
    )
    assert changed.status_code == 302
    assert client.get("/contests").status_code == 200
    db.session.expire_all()
    assert db.session.get(User, user.id).must_change_password is False
    # The administrator stops the account from logging in: its session ends at once.
    edited = sysadmin.post(
        f"/admin/users/{user.id}",
        data={"display_name": "新裁判", "unit_id": str(unit.id), "password": ""},
    )
    assert edited.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, user.id).active is False
    assert client.get("/contests").headers["Location"].startswith("/login")  # log in again
    again = {"username": "judge9", "password": own}
    assert app.test_client().post("/login", data=again).status_code == 200  # refused
    logged = db.session.scalars(
        select(AuditLog).where(AuditLog.entity == "user_account", AuditLog.entity_id == user.id)
    ).all()
    assert [row.action for row in logged] == ["create", "update"]
    assert logged[1].changes == {"active": [True, False]}
    assert "password_hash" not in str([row.changes for row in logged])
    # The system administrator grants no duty, and changes neither their own account nor
    # another administrator's here (one administrator never acts as another).
    assert sysadmin.get("/admin/duties").status_code == 403
    for target in (people["system"], people["security"]):
        refused = sysadmin.post(
            f"/admin/users/{target.id}",
            data={"display_name": "x", "unit_id": "", "password": "another-long-password"},
        )
        assert refused.status_code == 200 and 'id="edit-refused"' in refused.get_data(as_text=True)
        db.session.expire_all()
        assert db.session.get(User, target.id).check_password(f.PASSWORD)


def test_the_security_administrator_grants_duties_but_not_to_themselves(app):
    people = admins()
    contest = f.contest("SD-2018")
    organiser = f.user("org")
    f.grant(organiser, contest, "organiser")
    plain = f.user("newcomer")
    db.session.commit()
    secadmin = logged_in(app, "secadmin")
    granted = secadmin.post(
        "/admin/duties", data={"username": "newcomer", "duty": "registrar", "grant": "grant"}
    )
    assert granted.status_code == 302
    db.session.expire_all()
    assert db.session.get(User, plain.id).is_registrar is True
    # An organiser's account cannot become an administrator; nor can the actor change
    # their own duties; the refusal is shown beside the field and nothing is saved.
    for data in (
        {"username": "org", "duty": "audit", "grant": "grant"},
        {"username": "secadmin", "duty": "audit", "grant": "grant"},
        {"username": "secadmin", "duty": "security", "grant": "revoke"},
    ):
        refused = secadmin.post("/admin/duties", data=data)
        assert refused.status_code == 200
        assert 'class="error"' in refused.get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(User, organiser.id).admin_role is None
    assert db.session.get(User, people["security"].id).admin_role == "security"
    assert secadmin.get("/admin/users").status_code == 403
    # A duty change ends the account's sessions (it logs in again with its new duties).
    session_of_newcomer = logged_in(app, "newcomer")
    secadmin.post(
        "/admin/duties", data={"username": "newcomer", "duty": "registrar", "grant": "revoke"}
    )
    assert session_of_newcomer.get("/contests").status_code == 302
    assert (
        db.session.scalar(
            select(UserSession).where(
                UserSession.user_id == plain.id, UserSession.revoked_at.is_(None)
            )
        )
        is None
    )


def test_an_administrator_is_given_no_role_in_a_contest(app):
    admins()
    contest = f.contest("SD-2018")
    organiser = f.user("org")
    f.grant(organiser, contest, "organiser")
    db.session.commit()
    org = logged_in(app, "org")
    refused = org.post(
        f"/contests/{contest.id}/staff", data={"username": "auditor", "role": "judge"}
    )
    assert refused.status_code == 200
    assert db.session.scalar(select(ContestRole).where(ContestRole.role == "judge")) is None


def test_the_audit_administrator_reads_the_whole_trail_and_checks_the_chain(app, runner):
    admins()
    contest = f.contest("SD-2018")
    db.session.commit()
    sysadmin = logged_in(app, "sysadmin")
    sysadmin.post(
        "/admin/users/new",
        data={
            "username": "judge9",
            "display_name": "新裁判",
            "unit_id": "",
            "password": "a-long-first-password",
            "active": "y",
        },
    )
    auditor = logged_in(app, "auditor")
    page = auditor.get("/admin/audit").get_data(as_text=True)
    assert "judge9" in page and "新裁判" in page
    assert auditor.get(f"/contests/{contest.id}/audit").status_code == 403
    assert runner.invoke(args=["audit", "seal"]).exit_code == 0
    checked = auditor.get("/admin/audit?verify=1").get_data(as_text=True)
    assert 'id="chain-verdict"' in checked and "flash success" in checked
    export = auditor.get("/admin/audit.xlsx")
    assert export.status_code == 200 and export.headers["Cache-Control"] == "no-store"
    assert auditor.get("/admin/users").status_code == 403


def test_the_first_administrators_are_made_on_the_server(app, runner):
    made = runner.invoke(
        args=["accounts", "create-admin", "root", "--role", "system"],
        input="a-long-admin-passphrase\na-long-admin-passphrase\n",
    )
    assert made.exit_code == 0, made.output
    user = db.session.scalar(select(User).where(User.username == "root"))
    assert user.admin_role == "system" and user.check_password("a-long-admin-passphrase")
    again = runner.invoke(
        args=["accounts", "create-admin", "root2", "--role", "system", "--password", "x" * 12]
    )
    assert again.exit_code != 0 and "already" in again.output
    weak = runner.invoke(
        args=["accounts", "create-admin", "sec", "--role", "security", "--password", "123"]
    )
    assert weak.exit_code != 0
    assert db.session.scalar(select(User).where(User.username == "sec")) is None
    sysadmin = logged_in_as(app, "root", "a-long-admin-passphrase")
    page = sysadmin.get("/admin/users").get_data(as_text=True)
    assert 'id="missing-admins"' in page


def logged_in_as(app, username: str, password: str):
    client = app.test_client()
    response = f.log_in(client, username, password)
    assert response.status_code == 302
    return client

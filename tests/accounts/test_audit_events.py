"""Log-ins, failed log-ins, log-outs and downloads are in the audit trail (issue 18, item 4),
in people's words on the audit administrator's page."""

from sqlalchemy import select

from competitions.core.audit import AuditLog
from competitions.core.db import db
from tests import factories as f
from tests.publication.test_publish import computed_world


def events(entity: str) -> list[AuditLog]:
    return list(
        db.session.scalars(select(AuditLog).where(AuditLog.entity == entity).order_by(AuditLog.id))
    )


def test_log_ins_failures_and_log_outs_are_kept(app):
    judge = f.user("judge1")
    db.session.commit()
    client = app.test_client()
    wrong = client.post("/login", data={"username": "judge1", "password": "not-this-one"})
    assert wrong.status_code == 200
    stranger = client.post("/login", data={"username": "nobody", "password": "guess-guess"})
    assert stranger.status_code == 200
    assert f.log_in(client, "judge1").status_code == 302
    client.post("/logout")
    db.session.expire_all()
    rows = events("login")
    assert [(r.action, r.user_id, r.entity_id) for r in rows] == [
        ("signfail", judge.id, judge.id),
        ("signfail", None, 0),
        ("signin", judge.id, judge.id),
        ("signout", judge.id, judge.id),
    ]
    assert rows[0].changes["username"] == "judge1"
    # An unknown name is kept as its length only (it may be a password typed in the wrong box).
    assert "nobody" not in str(rows[1].changes) and rows[1].changes["typed_characters"] == 6
    assert "password" not in str([r.changes for r in rows])


def test_the_audit_administrator_reads_them_in_peoples_words(app):
    f.user("judge1")
    auditor = f.user("auditor")
    auditor.admin_role = "audit"
    db.session.commit()
    app.test_client().post("/login", data={"username": "judge1", "password": "wrong-wrong"})
    client = app.test_client()
    f.log_in(client, "auditor")
    client.get("/lang/en")
    page = client.get("/admin/audit").get_data(as_text=True)
    assert "Failed to log in" in page and "Logged in" in page
    assert "signfail" not in page and "Network address" in page


def test_a_download_is_kept_with_its_contest(app, login, client):
    world = computed_world()
    login("org")
    response = client.get(f"/contest-trades/{world.ct.id}/results.xlsx")
    assert response.status_code == 200
    db.session.expire_all()
    (row,) = events("download")
    assert (row.action, row.entity_id, row.changes) == ("export", world.ct.id, {"what": "results"})
    assert row.contest_id == world.ct.contest_id
    assert row.user_id is not None

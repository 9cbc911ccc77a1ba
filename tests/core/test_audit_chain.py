"""The audit trail is tamper-evident: every record is sealed into a keyed hash chain, and a walk
of the chain names the first record that was changed, removed or put out of place."""

from datetime import UTC, datetime
from types import SimpleNamespace

import pytest
from sqlalchemy import func, select, text

from competitions.core import audit_chain
from competitions.core.audit import AuditLog, acting_as
from competitions.core.audit_chain import AuditSeal
from competitions.core.db import db
from competitions.core.tasks import seal_audit_log
from tests import factories as f

KEY = b"a test key of the audit chain"


def row(**overrides):
    """An audit row's content, as the database gives it back."""
    values = {
        "id": 7,
        "at": datetime(2026, 12, 4, 6, 30, tzinfo=UTC),
        "user_id": 3,
        "action": "update",
        "entity": "person",
        "entity_id": 12,
        "changes": {"name": ["张伟", "张玮"], "phone": [None, "13800000000"]},
        "contest_id": None,
    }
    return SimpleNamespace(**{**values, **overrides})


@pytest.mark.parametrize(
    ("other", "same"),
    [
        # SQLite gives the time back without its zone: the same instant, the same seal.
        (row(at=datetime(2026, 12, 4, 6, 30)), True),
        # The keys of the changes in another order: the same content.
        (row(changes={"phone": [None, "13800000000"], "name": ["张伟", "张玮"]}), True),
        (row(changes={"name": ["张伟", "李伟"], "phone": [None, "13800000000"]}), False),
        (row(user_id=4), False),
        (row(at=datetime(2026, 12, 4, 6, 31, tzinfo=UTC)), False),
        (row(contest_id=1), False),
        (row(id=8), False),
    ],
)
def test_the_seal_covers_every_part_of_a_record_and_nothing_else(other, same):
    assert (
        audit_chain.link_hash(KEY, "0" * 64, other) == audit_chain.link_hash(KEY, "0" * 64, row())
    ) is same


def test_the_seal_depends_on_the_key_and_on_the_previous_link():
    first = audit_chain.link_hash(KEY, "0" * 64, row())
    assert audit_chain.link_hash(b"another key", "0" * 64, row()) != first
    assert audit_chain.link_hash(KEY, "1" * 64, row()) != first


def write_some_records(n: int = 5) -> None:
    """Audited changes as the app makes them: units created, one renamed."""
    units = [f.unit(f"单位{i}") for i in range(n)]
    db.session.commit()
    units[0].name = "改名的单位"
    db.session.commit()


def audit_ids() -> list[int]:
    return db.session.scalars(select(AuditLog.id).order_by(AuditLog.id)).all()


def test_sealed_records_verify_and_later_records_extend_the_chain(app):
    write_some_records()
    first = audit_ids()
    assert len(first) >= 6
    assert audit_chain.seal_pending(db.session, KEY, batch=4) == len(first)
    verdict = audit_chain.verify(db.session, KEY, batch=3)
    assert verdict.intact and verdict.checked == len(first) and verdict.unsealed == 0
    assert audit_chain.seal_pending(db.session, KEY) == 0  # nothing sealed twice

    f.unit("后来的单位")
    db.session.commit()
    assert audit_chain.verify(db.session, KEY).unsealed == 1
    assert audit_chain.seal_pending(db.session, KEY) == 1
    verdict = audit_chain.verify(db.session, KEY)
    assert verdict.intact and verdict.checked == len(first) + 1
    seqs = db.session.scalars(select(AuditSeal.seq).order_by(AuditSeal.seq)).all()
    assert seqs == list(range(1, len(first) + 2))


def tampered(statement: str, **params) -> None:
    """Change the stored trail behind the app's back, as someone with the database would."""
    db.session.execute(text(statement), params)
    db.session.commit()


@pytest.mark.parametrize(
    ("statement", "what", "named"),
    [
        ("UPDATE audit_log SET changes = :changes WHERE id = :id", audit_chain.CHANGED, 4),
        ("UPDATE audit_log SET user_id = NULL WHERE id = :id", audit_chain.CHANGED, 4),
        ("DELETE FROM audit_log WHERE id = :id", audit_chain.MISSING, 4),
        # The 4th seal removed: the 5th is where the chain no longer follows on.
        ("DELETE FROM audit_seal WHERE audit_id = :id", audit_chain.OUT_OF_PLACE, 5),
    ],
)
def test_a_record_changed_behind_the_apps_back_is_named(app, runner, statement, what, named):
    user = f.user("organiser")
    db.session.commit()
    with acting_as(user.id):
        write_some_records()
    audit_chain.seal_pending(db.session, KEY)
    ids = audit_ids()
    tampered(statement, id=ids[3], changes='{"name": [null, "someone else"]}')

    verdict = audit_chain.verify(db.session, KEY)
    assert verdict.broken == (named, ids[named - 1], what)
    assert verdict.checked == 3  # the links before it hold

    app.config["AUDIT_KEY"] = KEY.decode()
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 1
    assert f"link {named} " in result.output and what in result.output


def test_the_app_never_changes_or_removes_an_audit_record(app):
    write_some_records(1)
    audit_chain.seal_pending(db.session, KEY)
    record = db.session.scalars(select(AuditLog)).first()
    record.changes = {"name": [None, "rewritten"]}
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    seal = db.session.scalars(select(AuditSeal)).first()
    db.session.delete(seal)
    with pytest.raises(PermissionError):
        db.session.flush()
    db.session.rollback()
    assert audit_chain.verify(db.session, KEY).intact


def test_the_workers_seal_every_minute_and_the_command_verifies(app, runner):
    assert app.config["CELERY"]["beat_schedule"]["seal-audit-log"] == {
        "task": "audit.seal",
        "schedule": 60.0,
    }
    write_some_records(3)
    written = len(audit_ids())
    assert seal_audit_log() == written  # the periodic task's body, in this process
    assert db.session.scalar(select(func.count()).select_from(AuditSeal)) == written
    result = runner.invoke(args=["audit", "verify"])
    assert result.exit_code == 0 and f"{written} sealed records checked" in result.output

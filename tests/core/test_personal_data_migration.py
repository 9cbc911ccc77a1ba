"""The migration that encrypts personal data: existing rows encrypted and found by ID number, the
audit log's copies masked with its chain still whole, and back again on downgrade."""

import pytest
import sqlalchemy as sa
from flask_migrate import downgrade, upgrade

from app import create_app
from competitions.core import audit_chain
from competitions.core.db import db
from competitions.core.jobs import JobFile
from competitions.registry import services
from tests.conftest import BACKENDS, base_config
from tests.core.test_migrations import _fresh_postgres

BEFORE = "a7c3e91f4b26"
NUMBER, PHONE = "37010219900101001X", "13912345678"
UPLOAD = f"姓名,证件号码,手机\n张三,{NUMBER},{PHONE}\n".encode()


def _plain_rows(conn) -> None:
    """A person, an import job's file and an audit row as the revision before wrote them."""
    conn.execute(
        sa.text(
            "INSERT INTO person (id, name, gender, birth_date, id_type, id_number, phone, "
            "created_at) VALUES (1, '张三', 'M', '1990-01-01', 'resident', :n, :p, "
            "'2026-01-01 00:00:00')"
        ),
        {"n": NUMBER, "p": PHONE},
    )
    conn.execute(
        sa.text(
            "INSERT INTO job (id, kind, state, done, total, message, created_at) "
            "VALUES ('j1', 'import_entries', 'succeeded', 1, 1, '', '2026-01-01 00:00:00')"
        )
    )
    conn.execute(
        sa.text(
            "INSERT INTO job_file (id, job_id, role, filename, content_type, data) "
            "VALUES (1, 'j1', 'input', 'a.csv', 'text/csv', :d)"
        ),
        {"d": UPLOAD},
    )
    for n in (1, 2):
        conn.execute(
            sa.text(
                "INSERT INTO audit_log (id, at, action, entity, entity_id, changes) VALUES "
                "(:id, '2026-01-01 00:00:00', 'create', 'person', 1, :c)"
            ),
            {"id": n, "c": f'{{"id_number": [null, "{NUMBER}"], "phone": [null, "{PHONE}"]}}'},
        )


def _raw(conn) -> str:
    rows = [
        *conn.execute(sa.text("SELECT id_number, id_number_hash, phone FROM person")),
        *conn.execute(sa.text("SELECT changes FROM audit_log")),
    ]
    data = conn.execute(sa.text("SELECT data FROM job_file")).scalar()
    return str(rows) + bytes(data).decode("latin-1")


@pytest.mark.parametrize("backend", BACKENDS)
def test_existing_rows_are_encrypted_masked_and_still_found(backend, tmp_path):
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'migrated.sqlite'}"
    else:
        url = _fresh_postgres("jingsai_pii_migration_test")
    app = create_app(base_config(tmp_path, url))
    with app.app_context():
        upgrade(revision=BEFORE)
        with db.engine.begin() as conn:
            _plain_rows(conn)
        key = app.config["AUDIT_KEY"].encode()
        audit_chain.seal_pending(db.session, key)
        db.session.remove()
        upgrade()
        with db.engine.connect() as conn:
            raw = _raw(conn)
        assert NUMBER not in raw and PHONE not in raw
        assert "3701**********001X" in raw and "139****5678" in raw  # the audit log, masked
        person = services.find_person("resident", NUMBER.lower())
        assert (person.id_number, person.phone) == (NUMBER, PHONE)
        assert db.session.scalar(sa.select(JobFile.data)) == UPLOAD
        verdict = audit_chain.verify(db.session, key)
        assert verdict.intact and verdict.checked == 2
        db.session.remove()
        downgrade(revision=BEFORE)
        with db.engine.connect() as conn:
            assert conn.execute(sa.text("SELECT id_number, phone FROM person")).one() == (
                NUMBER,
                PHONE,
            )
        downgrade(revision="base")
        db.engine.dispose()

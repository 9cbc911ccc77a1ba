"""ID numbers and phones at rest: never in plain text in the database, a dump, the audit log or a
backup; still found by ID number; re-encrypted by a key rotation."""

import subprocess
from datetime import date
from pathlib import Path

import pytest
import sqlalchemy as sa
from sqlalchemy import select

from competitions.backup.services import export_archive
from competitions.core import key_rotation
from competitions.core.audit import AuditLog
from competitions.core.crypto import UnreadableValue, id_number_hash
from competitions.core.db import db
from competitions.core.tasks import rotate_data
from competitions.imports.services import jobs as import_jobs
from competitions.imports.tasks import import_entries
from competitions.publication.services.lookup import find_person as lookup_person
from competitions.registry import services
from competitions.registry.models import Contest, Person
from competitions.registry.rules import resident_id_check_char
from seeds.files import read_csv, read_json
from seeds.loader import load_demo
from tests import factories
from tests.imports.sheets import csv_bytes, person_row

#: Contestants the import brings (new to the demo data), with their phones.
IMPORTED = [
    ("林海", factories.resident_id(date(1991, 4, 2), serial=401), "13905310001"),
    ("刘静", factories.resident_id(date(1993, 8, 9), serial=402, male=False), "15805310002"),
    ("许强", factories.resident_id(date(1987, 1, 5), serial=400), "17705310003"),  # ends in X
]


def _import_rows(bad: bool = False) -> list[list]:
    rows = [
        person_row(name, number, "钳工", unit="济钢炼钢厂", phone=phone)
        for name, number, phone in IMPORTED
        if not (bad and number.endswith("X"))
    ]
    if bad:  # a wrong check digit: the import fails and keeps an error report
        name, number, phone = IMPORTED[2]
        rows.append(person_row(name, number[:17] + "0", "钳工", phone=phone))
    return rows


def _demo_and_an_import() -> list[str]:
    """Load the demo data, import a good CSV (and a refused one) through the import job; return
    every ID number and phone that went in."""
    load_demo(db.session)
    db.session.commit()
    contest = db.session.scalar(select(Contest).filter_by(code="JN-2018"))
    organiser = factories.user("importer")
    factories.grant(organiser, contest, "organiser")
    db.session.commit()
    for bad in (False, True):
        job = import_jobs.create_import_job(
            contest.id, organiser.id, "名单.csv", "text/csv", csv_bytes(_import_rows(bad))
        )
        db.session.commit()
        import_entries(job.id)
    db.session.remove()
    seeded = read_csv("contestants.csv")
    secrets = [row["id_number"] for row in seeded] + [row["phone"] for row in seeded]
    secrets += innovation_members()
    secrets += [number for _, number, _ in IMPORTED] + [phone for _, _, phone in IMPORTED]
    return [s for s in secrets if s]


def innovation_members() -> list[str]:
    """The ID numbers of the demo innovation contest's team members (seeds/data/innovation.json
    keeps their first 17 characters)."""
    data = read_json("innovation.json")
    return [
        first17 + resident_id_check_char(first17)
        for row in data["submissions"]
        for _, first17 in row["members"]
    ]


def _raw_database() -> bytes:
    """Every byte the database keeps: the SQLite files, or a pg_dump of the PostgreSQL one."""
    url = db.engine.url
    if url.get_backend_name() == "sqlite":
        db.engine.dispose()  # nothing held open; the write-ahead log is read as it is
        path = Path(url.database)
        return b"".join(p.read_bytes() for p in path.parent.glob(path.name + "*"))
    plain = url.set(drivername="postgresql").render_as_string(hide_password=False)
    return subprocess.run(["pg_dump", plain], capture_output=True, check=True).stdout


def test_no_id_number_or_phone_is_in_plain_text_after_the_demo_data_and_an_import(app):
    secrets = _demo_and_an_import()
    people = db.session.scalar(select(sa.func.count()).select_from(Person))
    known = {row["id_number"] for row in read_csv("contestants.csv")}
    members = set(innovation_members()) - known
    assert people == len(known) + len(members) + len(IMPORTED)
    raw = _raw_database()
    assert "宋燕".encode() in raw and "林海".encode() in raw  # the rows are there, names plain
    found = [s for s in secrets if s.encode() in raw]
    assert found == []
    # and the ORM reads them back whole
    assert {p.phone for p in db.session.scalars(select(Person))} >= {
        phone for _, _, phone in IMPORTED
    }


def test_the_audit_log_and_a_backup_hold_masked_or_encrypted_values_only(app, tmp_path):
    secrets = _demo_and_an_import()
    logged = str(db.session.scalars(select(AuditLog.changes)).all())
    assert [s for s in secrets if s in logged] == []
    assert "3701**********6445" in logged  # 宋燕's ID number, masked
    archive = tmp_path / "all.zip"
    export_archive(archive)
    import zipfile

    with zipfile.ZipFile(archive) as z:
        text = b"".join(z.read(name) for name in z.namelist())
    assert [s for s in secrets if s.encode() in text] == []


def test_a_person_is_found_by_id_number_however_it_is_typed(app):
    number = factories.resident_id(date(1990, 1, 1), serial=7)[:17] + "X"
    person = Person(
        name="王五", gender="M", birth_date=date(1990, 1, 1), id_type="resident", id_number=number
    )
    db.session.add(person)
    db.session.commit()
    typed = " " + number[:6] + " " + number[6:].lower()
    assert services.find_person("resident", typed) == person
    assert lookup_person(typed, "王五") == person
    assert lookup_person(typed, "王六") is None
    assert person.id_number_hash == id_number_hash(typed)


def test_the_same_id_number_twice_is_refused_by_the_database(app):
    number = factories.resident_id(date(1990, 1, 1), serial=8)
    for name in ("甲", "乙"):
        db.session.add(Person(name=name, gender="M", birth_date=date(1990, 1, 1), id_number=number))
    with pytest.raises(sa.exc.IntegrityError):
        db.session.commit()
    db.session.rollback()


def _stored(column: str) -> list[str]:
    return list(db.session.execute(sa.text(f"SELECT {column} FROM person ORDER BY id")).scalars())


def test_a_rotation_re_encrypts_every_row_and_the_old_key_can_go(app):
    _demo_and_an_import()
    before = _stored("id_number")
    numbers = [p.id_number for p in db.session.scalars(select(Person).order_by(Person.id))]
    db.session.remove()
    app.config["DATA_KEY"] = "the-new-data-key," + app.config["DATA_KEY"]
    app.config["INDEX_KEY"] = "the-new-index-key"
    app.extensions.pop("jingsai_keyring")
    done = {r.table: r for r in key_rotation.rotate_all(size=50)}
    assert done["person"].rewritten == done["person"].checked == len(numbers)
    assert done["job_file"].rewritten == done["job_file"].checked == 3  # 2 uploads, 1 report
    assert not set(before) & set(_stored("id_number"))
    # a second run (as the workers run it: keys.rotate_data) has nothing to do
    assert all(r["rewritten"] == 0 for r in rotate_data(50))
    db.session.remove()
    app.config["DATA_KEY"] = "the-new-data-key"  # the old key dropped
    app.extensions.pop("jingsai_keyring")
    assert [p.id_number for p in db.session.scalars(select(Person).order_by(Person.id))] == numbers
    assert services.find_person("resident", numbers[0]).id_number == numbers[0]
    job_files = db.session.scalars(select(import_jobs.JobFile)).all()
    assert all(f.data for f in job_files)


def test_a_value_under_a_dropped_key_is_refused_not_read_wrong(app):
    db.session.add(
        Person(
            name="王五",
            gender="M",
            birth_date=date(1990, 1, 1),
            id_number=factories.resident_id(date(1990, 1, 1)),
        )
    )
    db.session.commit()
    db.session.remove()
    app.config["DATA_KEY"] = "another-key"
    app.extensions.pop("jingsai_keyring")
    with pytest.raises(UnreadableValue):
        db.session.scalars(select(Person)).all()
    db.session.rollback()


def test_the_rotate_data_command_reports_each_table(app, runner):
    db.session.add(
        Person(
            name="王五",
            gender="M",
            birth_date=date(1990, 1, 1),
            id_number=factories.resident_id(date(1990, 1, 1)),
            phone="13800000009",
        )
    )
    db.session.commit()
    db.session.remove()
    app.config["DATA_KEY"] = "the-new-data-key," + app.config["DATA_KEY"]
    app.extensions.pop("jingsai_keyring")
    result = runner.invoke(args=["keys", "rotate-data", "--batch", "10"])
    assert result.exit_code == 0, result.output
    assert "person: 1 rows, 1 rewritten." in result.output
    assert "older keys may be dropped" in result.output


def test_an_encrypted_column_cannot_be_compared_in_sql(app):
    with pytest.raises(TypeError, match="id_number_hash"):
        select(Person).where(Person.id_number == "37010219900101001X")


def test_an_appeals_contact_phone_is_kept_encrypted_and_logged_masked(app):
    from competitions.publication.models import Appeal
    from tests.publication.test_publish import computed_world

    world = computed_world()
    entry = world.entries[0]
    appeal = Appeal(
        assessment_id=world.ct.id,
        subject_id=entry.id,
        real_name=entry.person.name,
        contact="13912340000",
        reason="第二项评分与现场记录不符",
    )
    db.session.add(appeal)
    db.session.commit()
    stored = db.session.execute(sa.text("SELECT contact FROM appeal")).scalar()
    assert "13912340000" not in stored
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).contact == "13912340000"
    logged = db.session.scalars(select(AuditLog.changes).filter_by(entity="appeal")).one()
    assert logged["contact"] == [None, "139****0000"]

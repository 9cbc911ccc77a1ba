"""The import end to end: the service on both backends, the task, and the real worker."""

import io
from datetime import date

import pytest
from sqlalchemy import select

from competitions.core.audit import AuditLog, acting_as
from competitions.core.crypto import id_number_hash
from competitions.core.db import db
from competitions.imports import services
from competitions.imports.services import jobs as import_jobs
from competitions.imports.tasks import import_entries
from competitions.registry.models import Entry, Person
from tests import factories
from tests.conftest import wait_for_job
from tests.imports.sheets import csv_bytes, person_row, xlsx_bytes, xlsx_rows
from tests.imports.world import (
    BAD_CHECK,
    KNOWN,
    NEW_MAN,
    NEW_WOMAN,
    counts,
    in_english,
    rows,
    setup_contest,
)

# --- the service, synchronously, on SQLite and PostgreSQL -----------------------------------


def test_one_bad_row_saves_nothing(app):
    world = setup_contest()
    before = counts()
    outcome = services.import_file(world["contest"].id, "名单.xlsx", xlsx_bytes(rows(bad=True)))
    db.session.commit()
    assert not outcome.ok
    assert [(e["row"], e["column"], e["msgid"]) for e in outcome.errors] == [
        (3, "证件号码", "check digit is wrong (expected %(c)s)")
    ]
    assert counts() == before


def test_a_sound_file_saves_every_row_and_reuses_a_known_person(app):
    world = setup_contest()
    persons, entries, audits = counts()
    with acting_as(world["organiser"].id):
        outcome = services.import_file(world["contest"].id, "名单.csv", csv_bytes(rows(bad=False)))
        db.session.commit()
    assert outcome.ok, outcome.errors
    assert outcome.counts() == {
        "rows": 4,
        "entries_created": 4,
        "persons_created": 2,
        "persons_found": 1,
    }
    assert counts() == (persons + 2, entries + 4, audits + 6)
    man = db.session.scalar(select(Person).filter_by(id_number_hash=id_number_hash(NEW_MAN)))
    assert (man.name, man.gender, man.birth_date, man.unit_id, man.skill_level, man.phone) == (
        "张伟",
        "M",
        date(1990, 3, 15),
        world["unit"].id,
        3,
        "13800001111",
    )
    assert sorted(e.contest_trade.trade.code for e in man.entries) == ["6-20-01", "6-20-02"]
    known_entries = db.session.scalars(select(Entry).filter_by(person_id=world["known"].id)).all()
    assert [e.contest_trade_id for e in known_entries] == [world["fitter"].id]
    woman = db.session.scalar(select(Person).filter_by(id_number_hash=id_number_hash(NEW_WOMAN)))
    assert woman.entries[0].status == "approved"
    trail = db.session.scalars(select(AuditLog).filter_by(entity="person", entity_id=man.id)).all()
    assert [(a.action, a.user_id, a.changes["name"]) for a in trail] == [
        ("create", world["organiser"].id, [None, "张伟"])
    ]


def test_importing_the_same_file_twice_is_refused_the_second_time(app):
    world = setup_contest()
    data = xlsx_bytes(rows(bad=False))
    assert services.import_file(world["contest"].id, "a.xlsx", data).ok
    db.session.commit()
    before = counts()
    outcome = services.import_file(world["contest"].id, "a.xlsx", data)
    assert {e["msgid"] for e in outcome.errors} == {"this person is already entered in this trade"}
    assert len(outcome.errors) == 4
    assert counts() == before


def test_a_file_that_is_not_a_workbook_is_one_error_on_the_whole_file(app):
    world = setup_contest()
    outcome = services.import_file(world["contest"].id, "a.xlsx", b"junk" * 1000)
    assert outcome.errors == [
        {
            "row": 0,
            "column": "",
            "value": "",
            "msgid": "this file is not an .xlsx spreadsheet",
            "params": {},
        }
    ]


def test_the_task_run_in_process_saves_and_is_idempotent(app):
    world = setup_contest()
    job = import_jobs.create_import_job(
        world["contest"].id, world["organiser"].id, "a.xlsx", "", xlsx_bytes(rows(bad=False))
    )
    db.session.commit()
    import_entries(job.id)  # with SQLite this also proves progress does not fight the import
    assert counts()[:2] == (3, 4)
    job = wait_for_job(job.id, timeout=1)
    assert (job.state, job.done, job.total, job.result["entries_created"]) == ("succeeded", 4, 4, 4)
    import_entries(job.id)  # a re-delivered message changes nothing
    assert counts()[:2] == (3, 4)


def test_an_unexpected_error_fails_the_job_and_is_raised(app, monkeypatch):
    world = setup_contest()
    job = import_jobs.create_import_job(
        world["contest"].id, world["organiser"].id, "a.xlsx", "", xlsx_bytes(rows(bad=False))
    )
    db.session.commit()

    def broken(*args, **kwargs):
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(services, "import_file", broken)
    with pytest.raises(RuntimeError):
        import_entries(job.id)
    job = wait_for_job(job.id, timeout=1)
    assert job.state == "failed"
    assert job.message == "The import stopped on an unexpected error; nothing was saved."
    assert counts()[:2] == (1, 0)


# --- through the web and the real worker (Redis + PostgreSQL) ----------------------------------


def _upload(client, contest_id: int, filename: str, data: bytes) -> str:
    """Upload a file as the logged-in user; return the job id the page redirects to."""
    response = client.post(
        f"/contests/{contest_id}/import", data={"file": (io.BytesIO(data), filename)}
    )
    assert response.status_code == 303, response.get_data(as_text=True)
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    assert response.headers["Location"].endswith(f"/contests/{contest_id}/import/{job_id}")
    return job_id


@pytest.mark.worker
def test_a_bad_row_fails_the_upload_then_the_corrected_file_imports(worker_app):
    world = setup_contest()
    contest_id = world["contest"].id
    client = worker_app.test_client()
    factories.log_in(client, "organiser", factories.PASSWORD)
    in_english(client)
    before = counts()

    job_id = _upload(client, contest_id, "名单.xlsx", xlsx_bytes(rows(bad=True)))
    job = wait_for_job(job_id)
    assert job.state == "failed"
    assert job.file("input").filename == "名单.xlsx"  # the upload is kept with its job
    page = client.get(f"/contests/{contest_id}/import/{job_id}").get_data(as_text=True)
    assert "Nothing was saved: the file has problems." in page
    assert "<td>3</td><td>证件号码</td><td>" + BAD_CHECK + "</td>" in page
    assert "check digit is wrong (expected " + NEW_WOMAN[17] + ")" in page
    assert counts() == before  # nothing was saved
    report = client.get(f"/contests/{contest_id}/import/{job_id}/errors.xlsx")
    assert report.status_code == 200
    assert xlsx_rows(report.get_data())[1][:3] == (3, "证件号码", BAD_CHECK)
    assert xlsx_rows(report.get_data())[1][4] == f"check digit is wrong (expected {NEW_WOMAN[17]})"
    before = counts()  # the download of the report is itself in the audit trail

    job_id = _upload(client, contest_id, "名单.xlsx", xlsx_bytes(rows(bad=False)))
    assert wait_for_job(job_id).state == "succeeded"
    page = client.get(f"/contests/{contest_id}/import/{job_id}").get_data(as_text=True)
    assert "The import succeeded" in page
    assert "<th>Entries created</th><td>4</td>" in page
    assert "<th>New contestants</th><td>2</td>" in page
    assert counts()[:2] == (before[0] + 2, before[1] + 4)
    found = select(Person.id).filter_by(id_number_hash=id_number_hash(KNOWN))
    assert db.session.scalars(found).all() == [world["known"].id]
    listing = client.get(f"/contests/{contest_id}/import").get_data(as_text=True)
    assert listing.count("名单.xlsx") == 2 and "Failed" in listing and "Succeeded" in listing


@pytest.mark.worker
def test_ten_thousand_rows_import_through_the_worker(worker_app):
    world = setup_contest()
    client = worker_app.test_client()
    factories.log_in(client, "organiser", factories.PASSWORD)
    people = [
        person_row(
            f"选手{i}",
            factories.resident_id(date(1970 + i % 30, 1 + i % 12, 1 + i % 28), serial=i // 360),
            "钳工" if i % 2 else "焊工",
        )
        for i in range(10_000)
    ]
    assert len({row[2] for row in people}) == 10_000
    job = wait_for_job(_upload(client, world["contest"].id, "big.xlsx", xlsx_bytes(people)))
    assert (job.state, job.result and job.result.get("entries_created")) == ("succeeded", 10_000)
    assert counts()[:2] == (10_001, 10_000)

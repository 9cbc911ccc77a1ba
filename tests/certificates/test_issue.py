"""Issuing in the app's process (the tasks' code without Celery): numbers, files, re-runs,
revocation after a result change, and a chunk that dies half-way."""

import pytest
from sqlalchemy import select

from competitions.certificates import services
from competitions.certificates.models import Certificate
from competitions.certificates.services import issue
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.results.models import Result
from tests.certificates import world as certificate_world
from tests.certificates.pdf_tools import text_of


def valid() -> dict[str, Certificate]:
    db.session.expire_all()
    rows = db.session.scalars(select(Certificate).filter_by(state="valid"))
    return {c.subject: c for c in rows}


def test_issue_then_run_again_issues_nothing(app):
    world = certificate_world.build()
    job = certificate_world.issue_all(world)
    first = valid()
    e = [entry.id for entry in world.entries]
    assert set(first) == {
        f"entry:{e[0]}",
        f"entry:{e[1]}",
        f"entry:{e[2]}",
        f"team:{world.delegation.id}",
        f"honour:{e[0]}:technical_expert",
    }
    assert job.result["issued"] == 5 and job.total == 5
    numbers = sorted(c.number for c in first.values())
    ct = f"{world.ct.id:04d}"
    assert [n.rsplit("-", 1)[0] for n in numbers] == [f"SD19-{ct}-000{s}" for s in range(1, 6)]
    assert len(set(numbers)) == 5
    winner = first[f"entry:{e[0]}"]
    assert (winner.name, winner.unit, winner.award, winner.rank) == (
        "张伟",
        "济南第二机床厂",
        "first",
        1,
    )
    assert winner.id_masked == "3701**********001X"
    pdf = issue.storage_dir() / winner.file_path
    assert "张伟" in text_of(pdf) and "一等奖" in text_of(pdf)

    again = certificate_world.issue_all(world)
    assert again.total == 0 and again.result["issued"] == 0 and again.result["kept"] == 5
    assert {s: c.number for s, c in valid().items()} == {s: c.number for s, c in first.items()}
    assert db.session.query(Certificate).count() == 5


def test_a_changed_result_revokes_and_issues_a_new_number(app):
    world = certificate_world.build()
    certificate_world.issue_all(world)
    before = valid()
    e = [entry.id for entry in world.entries]
    unchanged = before[f"entry:{e[0]}"]
    stamp = (issue.storage_dir() / unchanged.file_path).stat().st_mtime_ns
    # an upheld appeal: the second place is now a first prize; the third lost the award
    db.session.get(Result, e[1]).award = "first"
    db.session.get(Result, e[2]).award = None
    db.session.commit()

    job = certificate_world.issue_all(world)
    after = valid()
    assert job.result["issued"] == 1 and job.result["revoked"] == 2 and job.result["kept"] == 3
    assert after[f"entry:{e[0]}"].number == unchanged.number
    assert (issue.storage_dir() / unchanged.file_path).stat().st_mtime_ns == stamp
    old, new = before[f"entry:{e[1]}"], after[f"entry:{e[1]}"]
    assert new.number != old.number and new.award == "first"
    db.session.refresh(old)
    assert old.state == "revoked" and old.revoked_at and old.replaced_by_id == new.id
    lost = db.session.get(Certificate, before[f"entry:{e[2]}"].id)
    assert lost.state == "revoked" and lost.replaced_by_id is None
    assert f"entry:{e[2]}" not in after


def test_a_chunk_that_dies_keeps_what_it_committed(app, monkeypatch):
    world = certificate_world.build()
    services.design_of(world.contest)
    job, chunks = services.start_issue(world.contest.id, [world.ct.id], None)
    db.session.commit()
    monkeypatch.setattr(issue, "COMMIT_EVERY", 2)
    real_write, writes = issue.write_file, []

    def dies_on_the_fourth(relative, data):
        writes.append(relative)
        if len(writes) == 4:
            raise OSError("the worker was killed")
        real_write(relative, data)

    monkeypatch.setattr(issue, "write_file", dies_on_the_fourth)
    with pytest.raises(OSError):
        issue.issue_chunk(job.id, chunks[0], db.session.commit)
    db.session.rollback()
    assert len(valid()) == 2  # the first two were committed with their files
    kept = {c.number for c in valid().values()}

    monkeypatch.setattr(issue, "write_file", real_write)
    assert issue.issue_chunk(job.id, chunks[0], db.session.commit) == 3  # the redelivery
    assert len(valid()) == 5 and kept <= {c.number for c in valid().values()}
    assert db.session.query(Certificate).count() == 5
    assert db.session.get(Job, job.id).done == 5


def test_the_zip_and_the_register(app):
    import io
    import zipfile

    from openpyxl import load_workbook

    world = certificate_world.build()
    job = certificate_world.issue_all(world)
    from competitions.certificates.services.issue import storage_dir

    archive = zipfile.ZipFile(storage_dir() / job.file("zip").data.decode())
    names = archive.namelist()
    assert len(names) == 5 and all(n.startswith("钳工/SD19-") for n in names)
    assert any(n.endswith("-张伟.pdf") for n in names)
    assert all(archive.read(n).startswith(b"%PDF") for n in names)
    sheet = load_workbook(io.BytesIO(job.file("register").data)).active
    rows = list(sheet.iter_rows(values_only=True))
    assert len(rows) == 6
    by_name = {r[1]: r for r in rows[1:]}
    assert by_name["张伟"][5] in ("一等奖", "技术能手") and by_name["济南代表队"][5] == "一等奖"
    assert {r[0] for r in rows[1:]} == {c.number for c in valid().values()}


def test_zip_entries_are_safe_whatever_a_name_holds(app):
    import zipfile

    from competitions.certificates.services.issue import storage_dir

    names = ("王\u202egpj.exe", "../../李娜", "王\x1b芳", "CON", "陈静")
    world = certificate_world.build(names=names)
    job = certificate_world.issue_all(world)
    entries = zipfile.ZipFile(storage_dir() / job.file("zip").data.decode()).namelist()
    shown = sorted(entry.split("-", 4)[-1] for entry in entries)
    assert shown == sorted(
        ["王_gpj.exe.pdf", "李娜.pdf", "王_芳.pdf", "济南代表队.pdf", "王_gpj.exe.pdf"]
    )
    for entry in entries:
        folder, file_name = entry.split("/")
        assert folder == "钳工" and not file_name.startswith(".")
        assert not any(ord(c) < 32 or 0x202A <= ord(c) <= 0x202E for c in entry)

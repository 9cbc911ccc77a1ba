"""Backup and restore: a contest (or everything) exported with ``flask backup export`` and
restored with ``flask backup restore`` into an empty database of the other backend gives the
same results, the same certificates (numbers, states, PDF files) and the same verification
answers; a restore that cannot be done whole changes nothing."""

import json
import os
import zipfile
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path

import pytest
import sqlalchemy as sa
from flask_migrate import stamp

from app import create_app
from competitions import models  # noqa: F401  (every table on the metadata)
from competitions.accounts.models import User
from competitions.accounts.services import sessions
from competitions.backup.services import scope as backup_scope
from competitions.certificates import services as certificates
from competitions.certificates.models import Certificate, CertificateImage
from competitions.certificates.services import issue
from competitions.core.db import db
from competitions.judging.models import DeclaredRelation, MarkingLock, ScoreSheet
from competitions.publication.models import Appeal
from competitions.registry.models import Contest, Entry, Person, Trade
from competitions.results.models import Result, ResultSet
from competitions.results.services import compute
from tests import factories as f
from tests.conftest import POSTGRES_ADMIN_URL, base_config, postgres_url
from tests.judging.marking_world import build, score_everyone

SEAL = (Path(__file__).parents[1] / "certificates" / "seal.png").read_bytes()
RESTORE_DB = f"jingsai_backup_{os.getpid()}"


def contest_world() -> int:
    """SD-2018 with a team, marks, a score sheet, computed and final results, an appeal, a
    seal and certificates (one revoked and replaced); the city contest JN-2018 feeding it, with
    a contestant of its own and the entry SD-2018's winner advanced from. Returns SD's id."""
    world = build(n_entries=3)
    contest = world.ct.contest
    world.ct.award_mode, world.ct.award_numbers = "fixed", "1,1,1"
    unions = f.unit("山东省总工会", f.unit("中华全国总工会"))
    unit = world.entries[0].person.unit
    unit.parent_id = unions.id
    team = f.delegation(contest, "济南代表队", unit)
    for entry in world.entries:
        entry.delegation_id = team.id
    clerk = f.user("clerk")
    f.grant(clerk, contest, "clerk")
    db.session.add_all(
        [
            ScoreSheet(
                subject_id=world.entries[0].id,
                judge_id=world.judges[0].id,
                first_clerk_id=clerk.id,
                first_values={"1": "9", "2": "3.00"},
            ),
            DeclaredRelation(
                user_id=world.judges[0].id, person_id=world.entries[2].person_id, relation="同事"
            ),
        ]
    )
    _city_contest(contest, world.entries[0])
    score_everyone(world, (10, 9, 8), measured=5)
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    compute.recompute([world.ct.id])
    result_set = db.session.get(ResultSet, world.ct.id)
    result_set.state = "final"
    result_set.finalised_at = datetime(2018, 6, 1, 9, 30, 15, 123456)
    db.session.add(
        Appeal(
            assessment_id=world.ct.id,
            subject_id=world.entries[1].id,
            real_name="选手1号",
            reason="请复核",
            state="rejected",
            result_before={"total": "75.50", "rank": 2, "award": "second"},
        )
    )
    design = certificates.design_of(contest)
    db.session.flush()
    db.session.add(
        CertificateImage(
            design_id=design.id, role="seal_1", format="png", width=300, height=300, data=SEAL
        )
    )
    db.session.commit()
    _issue(contest.id, world.ct.id)
    db.session.get(Result, world.entries[1].id).award = "first"  # an upheld appeal
    db.session.commit()
    _issue(contest.id, world.ct.id)
    return contest.id


def _city_contest(province, winner) -> None:
    city = f.contest("JN-2018", tier="city", parent=province)
    ct = f.contest_trade(city, db.session.get(Trade, winner.contest_trade.trade_id))
    earlier = Entry(person_id=winner.person_id, contest_trade_id=ct.id, status="approved")
    local = Person(
        name="仅市赛选手",
        gender="F",
        birth_date=date(1995, 3, 3),
        id_number=f.resident_id(date(1995, 3, 3), 9, male=False),
        unit_id=f.unit("青岛港").id,
    )
    db.session.add_all([earlier, local])
    db.session.flush()
    db.session.add(Entry(person_id=local.id, contest_trade_id=ct.id, status="approved"))
    f.grant(f.user("jn_org"), city, "organiser")
    db.session.flush()
    winner.source_entry_id = earlier.id


def _issue(contest_id: int, ct_id: int) -> None:
    """Issue the contest-trade's certificates as the tasks do."""
    job, chunks = certificates.start_issue(contest_id, [ct_id], None)
    db.session.commit()
    for chunk in chunks:
        issue.issue_chunk(job.id, chunk, db.session.commit)
    issue.attach_outputs(job, [ct_id])
    db.session.commit()


def rows(table_name: str) -> list[dict]:
    """Every row of a table, in primary key order, as read back."""
    table = db.metadata.tables[table_name]
    query = sa.select(table).order_by(*table.primary_key)
    return [dict(r) for r in db.session.execute(query).mappings()]


def pdfs() -> dict[str, bytes]:
    """Each certificate's number and the bytes of its PDF in the certificate folder."""
    found = db.session.scalars(sa.select(Certificate).order_by(Certificate.id))
    return {c.number: (issue.storage_dir() / c.file_path).read_bytes() for c in found}


def verify_pages(app) -> dict[str, tuple]:
    """The verification page's answer for every certificate number, and for a made-up one."""
    numbers = db.session.scalars(sa.select(Certificate.number)).all()
    client = app.test_client()
    answers = {}
    for number in [*numbers, "SD18-0099-0099-ABCDE"]:
        response = client.get(f"/verify/{number}")
        answers[number] = (response.status_code, response.get_data(as_text=True))
    return answers


def cli(app, *args):
    """Run a ``flask`` command against ``app`` (its own context, not the current one)."""
    with app.app_context():
        return app.test_cli_runner().invoke(args=list(args))


def counts() -> dict[str, int]:
    """How many rows each table has."""
    return {
        t.name: db.session.scalar(sa.select(sa.func.count()).select_from(t))
        for t in db.metadata.sorted_tables
    }


@pytest.fixture
def other(app, tmp_path):
    """An app with an empty schema on the other backend: a SQLite file when the test runs on
    PostgreSQL, a database of its own on the PostgreSQL server when it runs on SQLite."""
    on_postgres = db.engine.dialect.name == "postgresql"
    if on_postgres:
        url = f"sqlite:///{tmp_path / 'restored.sqlite'}"
    else:
        admin = sa.create_engine(POSTGRES_ADMIN_URL, isolation_level="AUTOCOMMIT")
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)"))
            conn.execute(sa.text(f"CREATE DATABASE {RESTORE_DB}"))
        url = postgres_url(RESTORE_DB)
    target = create_app(base_config(tmp_path / "restored", url))
    with target.app_context():
        db.create_all()
    yield target
    with target.app_context():
        db.engine.dispose()
    if not on_postgres:
        with admin.connect() as conn:
            conn.execute(sa.text(f"DROP DATABASE IF EXISTS {RESTORE_DB} WITH (FORCE)"))
        admin.dispose()


def test_a_contest_restored_on_the_other_backend_has_the_same_results_and_certificates(
    app, runner, other, tmp_path
):
    contest_id = contest_world()
    archive = tmp_path / "sd-2018.zip"
    result = runner.invoke(args=["backup", "export", "--contest", "SD-2018", str(archive)])
    assert result.exit_code == 0, result.output
    # the entry the winner advanced from is in JN-2018; jobs are the site's records
    assert "entry.source_entry_id: 1 references to rows outside the contest" in result.output
    assert "certificate.job_id: 14 references to rows outside the contest" in result.output
    owned = {name: rows_of_sd_2018(name, contest_id) for name in backup_scope.CONTEST_PATH}
    assert owned["audit_log"]  # the contest's trail goes with it
    for row in owned["entry"]:
        row["source_entry_id"] = None
    for row in owned["certificate"]:
        row["job_id"] = None
    expected_pdfs = pdfs()
    expected_pages = verify_pages(app)
    assert [status for status, _ in expected_pages.values()] == [200] * 14 + [404]
    people = {p["name"] for p in rows("person")} - {"仅市赛选手"}

    result = cli(other, "backup", "restore", str(archive))
    assert result.exit_code == 0, result.output
    with other.app_context():
        for name, expected in owned.items():
            assert rows(name) == expected, name
        assert [(r["rank"], r["total"], r["award"]) for r in rows("result")] == [
            (1, Decimal("70.00"), "first"),
            (2, Decimal("65.33"), "first"),
            (3, Decimal("60.67"), "third"),
        ]
        assert {c.number: c.state for c in db.session.scalars(sa.select(Certificate))} == {
            c["number"]: c["state"] for c in owned["certificate"]
        }
        assert "revoked" in {c["state"] for c in owned["certificate"]}
        assert pdfs() == expected_pdfs
        assert verify_pages(other) == expected_pages
        assert {p["name"] for p in rows("person")} == people
        assert {u["name"] for u in rows("unit")} == {"济钢", "山东省总工会", "中华全国总工会"}
        assert "jn_org" not in {u["username"] for u in rows("user_account")}
        assert rows("declared_relation") and not rows("job")
        _new_rows_get_new_ids()


def rows_of_sd_2018(name: str, contest_id: int) -> list[dict]:
    """The rows of a contest's table, less those of JN-2018 (the only other contest); of the
    audit log, those of SD-2018 (not those of JN-2018 or of the shared registers)."""
    if name == "audit_log":
        return [row for row in rows(name) if row["contest_id"] == contest_id]
    city = db.session.scalar(sa.select(Contest).filter_by(code="JN-2018"))
    city_rows = {
        "contest": ("id", city.id),
        "contest_trade": ("contest_id", city.id),
        "assessment": ("contest_id", city.id),
        "contest_role": ("contest_id", city.id),
        "entry": ("contest_trade_id", city.contest_trades[0].id),
        "subject": ("assessment_id", city.contest_trades[0].id),
    }
    column, value = city_rows.get(name, (None, None))
    return [row for row in rows(name) if column is None or row[column] != value]


def _new_rows_get_new_ids() -> None:
    """A row added after the restore does not collide with a restored one."""
    largest = db.session.scalar(sa.select(sa.func.max(Trade.id)))
    trade = f.trade("9-99-99", "新工种", "New trade")
    db.session.commit()
    assert trade.id > largest


def test_everything_restored_on_the_other_backend_is_row_for_row_the_same(
    app, runner, other, tmp_path
):
    contest_world()
    someone = db.session.scalars(sa.select(User)).first()
    sessions.start(someone, datetime(2026, 11, 20, 8, 0))  # a live session: never archived
    db.session.commit()
    archive = tmp_path / "all.zip"
    result = runner.invoke(args=["backup", "export", "--all", str(archive)])
    assert result.exit_code == 0, result.output
    before = {t.name: rows(t.name) for t in db.metadata.sorted_tables}
    assert before.pop("user_session") and not before.pop("login_failure")
    folder = sorted(p.relative_to(issue.storage_dir()) for p in issue.storage_dir().rglob("*"))
    expected_pdfs = pdfs()

    result = cli(other, "backup", "restore", str(archive))
    assert result.exit_code == 0, result.output
    assert "Restored" in result.output
    with other.app_context():
        for name, expected in before.items():
            assert rows(name) == expected, name  # decimals, dates, JSON, bytes: all equal
        assert before["certificate_image"][0]["data"] == SEAL
        assert before["audit_log"] and before["job_file"]
        restored = issue.storage_dir()
        assert sorted(p.relative_to(restored) for p in restored.rglob("*")) == folder
        assert pdfs() == expected_pdfs
        _new_rows_get_new_ids()
        assert rows("user_session") == []


def test_a_restore_into_a_database_with_data_is_refused_and_changes_nothing(app, runner, tmp_path):
    contest_world()
    archive = tmp_path / "sd-2018.zip"
    runner.invoke(args=["backup", "export", "--contest", "SD-2018", str(archive)])
    before = {t.name: rows(t.name) for t in db.metadata.sorted_tables}
    result = runner.invoke(args=["backup", "restore", str(archive)])
    assert result.exit_code == 1
    assert "The database is not empty" in result.output
    assert "restore only into an empty database" in result.output
    db.session.expire_all()
    assert {t.name: rows(t.name) for t in db.metadata.sorted_tables} == before


def negative_mark(name: str, data: bytes) -> bytes:
    """A mark below zero, against the table's check constraint."""
    if name != "tables/mark.jsonl":
        return data
    first, *rest = data.splitlines()
    first = json.dumps({**json.loads(first), "value": "-1.0000"}).encode()
    return b"\n".join([first, *rest]) + b"\n"


def file_outside_the_folder(name: str, data: bytes) -> bytes:
    """A certificate file the manifest places outside the certificate folder."""
    if name != "manifest.json":
        return data
    manifest = json.loads(data)
    manifest["files"] = {"../../outside.pdf": "0" * 64}
    return json.dumps(manifest).encode()


@pytest.mark.parametrize(
    ("tamper", "message"),
    [
        (negative_mark, "The archive could not be restored; nothing was written."),
        (file_outside_the_folder, "The archive names a file outside the folder: ../../outside"),
    ],
)
def test_a_tampered_archive_leaves_the_target_empty(app, runner, other, tmp_path, tamper, message):
    contest_world()
    archive = tmp_path / "all.zip"
    runner.invoke(args=["backup", "export", "--all", str(archive)])
    tampered = tmp_path / "tampered.zip"
    rewrite(archive, tampered, tamper)
    result = cli(other, "backup", "restore", str(tampered))
    assert result.exit_code == 1
    assert message in result.output
    with other.app_context():
        assert set(counts().values()) == {0}
        folder = issue.storage_dir()
        assert not folder.exists() or not any(p.is_file() for p in folder.rglob("*"))
    assert not (tmp_path / "restored" / "outside.pdf").exists()


def test_an_archive_of_another_schema_revision_is_refused(app, runner, other, tmp_path):
    contest_world()
    archive = tmp_path / "all.zip"
    runner.invoke(args=["backup", "export", "--all", str(archive)])
    head = json.loads(zipfile.ZipFile(archive).read("manifest.json"))["schema_revision"]
    older = tmp_path / "older.zip"

    def older_revision(name: str, data: bytes) -> bytes:
        if name != "manifest.json":
            return data
        return json.dumps({**json.loads(data), "schema_revision": "2042ccf8da5c"}).encode()

    rewrite(archive, older, older_revision)
    result = cli(other, "backup", "restore", str(older))
    assert result.exit_code == 1
    assert f"The archive is of schema revision 2042ccf8da5c, the database is at {head}" in (
        result.output
    )
    with other.app_context():
        stamp(revision="2042ccf8da5c")  # Alembic's record says the database is older
    result = cli(other, "backup", "restore", str(archive))
    assert result.exit_code == 1
    assert f"The archive is of schema revision {head}, the database is at 2042ccf8da5c" in (
        result.output
    )
    with other.app_context():
        assert set(counts().values()) == {0}


def test_export_needs_a_known_contest_or_all(app, runner, tmp_path):
    out = tmp_path / "x.zip"
    result = runner.invoke(args=["backup", "export", "--contest", "NOPE", str(out)])
    assert result.exit_code == 1 and "No contest has the code NOPE." in result.output
    result = runner.invoke(args=["backup", "export", str(out)])
    assert result.exit_code == 2 and "Give either --contest CODE or --all." in result.output
    assert not out.exists() and not list(tmp_path.glob("*.part"))


def test_every_table_says_how_it_relates_to_a_contest():
    placed = [
        *backup_scope.CONTEST_PATH,
        *backup_scope.SHARED,
        *backup_scope.LINKS,
        *backup_scope.SITE_WIDE,
        *backup_scope.NEVER,
    ]
    assert sorted(placed) == sorted(db.metadata.tables)


def rewrite(source: Path, target: Path, change) -> None:
    """Copy an archive, passing each member through ``change(name, data)``."""
    with zipfile.ZipFile(source) as old, zipfile.ZipFile(target, "w") as new:
        for name in old.namelist():
            new.writestr(name, change(name, old.read(name)))


def test_a_restore_with_another_data_key_is_refused_and_says_which_key(
    app, runner, other, tmp_path
):
    contest_world()
    archive = tmp_path / "all.zip"
    runner.invoke(args=["backup", "export", "--all", str(archive)])
    other.config["DATA_KEY"] = "not-the-key-that-made-it"
    result = cli(other, "backup", "restore", str(archive))
    assert result.exit_code == 1
    assert "JINGSAI_DATA_KEY" in result.output
    with other.app_context():
        assert set(counts().values()) == {0}


def test_a_contest_whose_id_differs_from_its_trades_ids_goes_whole(app, runner, other, tmp_path):
    """A contest-trade keeps its contest's id in the assessment table too, and an entry its
    contest-trade's in the subject table: those copies are no references to other rows, so a
    contest numbered apart from its trades exports, and restores with every row."""
    f.contest("GY-2017", year=2017)  # takes a contest's number, no contest-trade's
    contest_id = contest_world()
    ct_ids = [ct.id for ct in db.session.get(Contest, contest_id).contest_trades]
    assert contest_id not in ct_ids
    archive = tmp_path / "sd-2018.zip"
    result = runner.invoke(args=["backup", "export", "--contest", "SD-2018", str(archive)])
    assert result.exit_code == 0, result.output
    tables = ("assessment", "contest_trade", "subject", "entry", "mark", "result", "certificate")
    owned = {name: rows_of_sd_2018(name, contest_id) for name in tables}
    for row in owned["entry"]:
        row["source_entry_id"] = None  # the entry it advanced from stays behind, as above
    for row in owned["certificate"]:
        row["job_id"] = None
    restored = cli(other, "backup", "restore", str(archive))
    assert restored.exit_code == 0, restored.output
    with other.app_context():
        for name in tables:
            assert rows(name) == owned[name], name

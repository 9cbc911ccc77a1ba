"""Hostile files refused: zip bombs, a million rows, formulas, 50 MB uploads, files that are no
spreadsheet, and random bytes, thrown at the contestants' import and the scheme import.

Each ends with a clear refusal, nothing saved, in little memory: the reader looks at what the
zip declares before unpacking anything, and stops at the row limit. (Memory is the outcome that
shows it; how long a refusal takes depends on how busy the machine is and is not asserted.)
"""

import io
import tracemalloc
import zipfile

from hypothesis import given
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from sqlalchemy import func, select

from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.imports import services
from competitions.imports.services import parsing
from competitions.imports.tasks import import_entries, import_marks
from competitions.judging.models import Mark, SchemeItem
from competitions.judging.services.scheme_import import SchemeFileError, parse_scheme
from tests.imports.sheets import ZH, csv_bytes, person_row, xlsx_bytes
from tests.imports.world import NEW_MAN, counts, in_english, setup_contest
from tests.judging import marking_world
from tests.security import files
from tests.security.hostile import FEW, hostile

TOO_BIG = "the spreadsheet unpacks to more than 40 MB; split it"
TOO_LONG = "the file has more than 20000 rows; split it"
NOT_XLSX = "this file is not an .xlsx spreadsheet"
#: What a refusal may cost at most: tens of MB (a bomb would take GBs).
PEAK_MB = 60


def not_spreadsheets() -> dict[str, bytes]:
    """Files named .xlsx that are no spreadsheet."""
    empty_zip = io.BytesIO()
    with zipfile.ZipFile(empty_zip, "w") as archive:
        archive.writestr("readme.txt", "not a workbook")
    return {
        "random bytes": bytes(range(256)) * 64,
        "a PNG": b"\x89PNG\r\n\x1a\n" + b"\x00" * 100,
        "a zip without a workbook": empty_zip.getvalue(),
        "a truncated workbook": xlsx_bytes([])[:2000],
        "entity expansion": files.entity_expansion(),
    }


def measured(call):
    """Run ``call``; return its result with the peak MB of memory it took."""
    tracemalloc.start()
    try:
        result = call()
    finally:
        peak = tracemalloc.get_traced_memory()[1] / 2**20
        tracemalloc.stop()
    return result, peak


def upload(client, contest_id: int, name: str, data: bytes):
    """Upload as the organiser does; run the queued import here; the finished job."""
    response = client.post(
        f"/contests/{contest_id}/import", data={"file": (io.BytesIO(data), name)}
    )
    assert response.status_code == 303, response.get_data(as_text=True)[:500]
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    _, peak = measured(lambda: import_entries(job_id))
    assert peak < PEAK_MB, (name, peak)
    db.session.expire_all()
    return db.session.get(Job, job_id), response.headers["Location"]


def test_hostile_spreadsheets_are_refused_quickly_and_nothing_is_saved(app, login):
    world = setup_contest()
    client = in_english(login("organiser"))
    contest_id = world["contest"].id
    before = counts()
    cases = {
        "bomb.xlsx": (files.zip_bomb(), TOO_BIG),
        "million.xlsx": (files.million_rows(), TOO_LONG),
        "last-row.xlsx": (files.last_row_only(), TOO_LONG),
        "blank-lines.csv": ("姓名,证件号码,工种\n".encode() + b"\n" * 7_000_000, TOO_LONG),
        **{f"{what}.xlsx": (data, NOT_XLSX) for what, data in not_spreadsheets().items()},
    }
    for name, (data, message) in cases.items():
        job, page = upload(client, contest_id, name, data)
        assert job.state == "failed", name
        assert message in client.get(page).get_data(as_text=True), name
    assert counts()[:2] == before[:2]  # no person, no entry


def test_hostile_marks_files_are_refused_quickly_and_no_mark_is_saved(app, login):
    world = marking_world.build()
    client = in_english(login("org"))
    cases = {
        "bomb.xlsx": (files.zip_bomb(), TOO_BIG),
        "million.xlsx": (files.million_rows(), TOO_LONG),
        **{f"{what}.xlsx": (data, NOT_XLSX) for what, data in not_spreadsheets().items()},
        "formula.xlsx": (
            xlsx_bytes(
                [[world.codes[0], '=HYPERLINK("http://evil.example","9")']], ["加密号", "J1"]
            ),
            "formulas are not accepted",
        ),
    }
    for name, (data, message) in cases.items():
        response = client.post(
            f"/contest-trades/{world.ct.id}/import/practical",
            data={"file": (io.BytesIO(data), name)},
        )
        assert response.status_code == 303, name
        job_id = response.headers["Location"].rsplit("/", 1)[1]
        _, peak = measured(lambda job_id=job_id: import_marks(job_id))
        assert peak < PEAK_MB, (name, peak)
        db.session.expire_all()
        assert db.session.get(Job, job_id).state == "failed", name
        assert message in client.get(response.headers["Location"]).get_data(as_text=True), name
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0


def test_formulas_are_refused_and_the_error_report_does_not_run_them(app, login):
    world = setup_contest()
    client = in_english(login("organiser"))
    rows = [
        person_row('=HYPERLINK("http://evil.example","点我")', NEW_MAN, "钳工"),
        person_row("张伟", "=1+1", "=cmd|' /C calc'!A0"),
    ]
    before = counts()
    for name, data in (("f.xlsx", xlsx_bytes(rows)), ("f.csv", csv_bytes(rows))):
        job, page = upload(client, world["contest"].id, name, data)
        assert job.state == "failed"
        assert "formulas are not accepted" in client.get(page).get_data(as_text=True)
        report = client.get(f"{page}/errors.xlsx").get_data()
        cells = [c for row in load_workbook(io.BytesIO(report)).active.iter_rows() for c in row]
        assert any(str(c.value).endswith('"点我")') for c in cells)  # shown...
        assert not [c.coordinate for c in cells if c.data_type == "f"]  # ...never as formulas
    assert counts()[:2] == before[:2]


def test_a_50_mb_upload_is_refused_with_a_clear_message_and_nothing_saved(app, login):
    world = setup_contest()
    client = in_english(login("organiser"))
    pages = (
        (f"/contests/{world['contest'].id}/import", "file"),
        (f"/contest-trades/{world['fitter'].id}/scheme/import", "file"),
        (f"/contests/{world['contest'].id}/certificates/design", "background"),
    )
    big = b"PK\x03\x04" + b"\x00" * (50 * 2**20)
    for page, field in pages:
        response = client.post(
            page,
            data={field: (io.BytesIO(big), "big.xlsx")},
            headers={"Referer": "http://localhost" + page},
            follow_redirects=True,
        )
        assert response.request.path == page, page
        assert "The file is too large: the limit is 8 MB." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0
    assert db.session.scalar(select(func.count()).select_from(SchemeItem)) == 0
    # Sent from another site's page, the refusal does not lead back there.
    response = client.post(
        pages[0][0],
        data={"file": (io.BytesIO(big), "big.xlsx")},
        headers={"Referer": "http://evil.example/phish"},
    )
    assert response.status_code == 303 and "evil.example" not in response.headers["Location"]


def test_the_scheme_import_refuses_hostile_spreadsheets_and_keeps_the_scheme(app, login):
    world = marking_world.build(n_entries=1)
    client = in_english(login("org"))
    page = f"/contest-trades/{world.ct.id}/scheme/import"
    cases = {
        "bomb": (files.zip_bomb(), TOO_BIG),
        "million rows": (files.million_rows(), "more than 5000 rows"),
        **{what: (data, NOT_XLSX) for what, data in not_spreadsheets().items()},
    }
    for what, (data, message) in cases.items():
        form = {"file": (io.BytesIO(data), "scheme.xlsx"), "replace": "y"}
        response, peak = measured(lambda form=form: client.post(page, data=form))
        assert peak < PEAK_MB, (what, peak)
        assert response.status_code == 200 and message in response.get_data(as_text=True), what
        db.session.rollback()
        assert [i.code for i in db.session.scalars(select(SchemeItem))] == ["J1", "M1"], what


# --- random bytes and random cells -----------------------------------------------------------


def read_or_refuse(name: str, data: bytes) -> None:
    """Both readers read the file or refuse it with a reason; nothing else escapes them."""
    try:
        parsing.read_upload(name, data)
    except parsing.FileProblem as problem:
        assert str(problem.reason)
    try:
        parse_scheme(data)
    except SchemeFileError as problem:
        assert problem.problems


@FEW
@given(st.binary(max_size=5000), st.sampled_from(["a.xlsx", "a.csv", "a.txt", "a"]))
def test_random_bytes_are_read_or_refused_never_crash_the_readers(data, name):
    read_or_refuse(name, data)


@FEW
@given(st.integers(0, 19), st.binary(min_size=1, max_size=200))
def test_a_damaged_workbook_is_read_or_refused(position, garbage):
    """A real workbook with bytes overwritten somewhere."""
    data = bytearray(xlsx_bytes([person_row("张伟", NEW_MAN, "钳工")]))
    start = len(data) * position // 20
    data[start : start + len(garbage)] = garbage
    read_or_refuse("a.xlsx", bytes(data))


def test_hostile_cells_are_imported_whole_or_not_at_all(app):
    world = setup_contest()
    contest_id = world["contest"].id
    # What a spreadsheet can hold (XML has no NUL nor most control characters).
    cell = hostile.map(lambda v: ILLEGAL_CHARACTERS_RE.sub("", v))
    row = st.lists(st.one_of(st.none(), cell), min_size=len(ZH), max_size=len(ZH))
    valid = person_row("张伟", NEW_MAN, "钳工")

    @FEW
    @given(st.lists(row | st.just(valid), min_size=1, max_size=4), st.booleans())
    def run(rows, as_xlsx):
        data = xlsx_bytes(rows) if as_xlsx else csv_bytes(rows)
        before = counts()[:2]
        try:
            outcome = services.import_file(contest_id, "a.xlsx" if as_xlsx else "a.csv", data)
            assert outcome.ok or counts()[:2] == before  # errors: nothing added
        finally:
            db.session.rollback()

    run()

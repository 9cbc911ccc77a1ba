"""Reading uploads: .xlsx and CSV, Chinese and English headers, and files that cannot be read."""

import io
import zipfile
from datetime import datetime

import pytest

from competitions.imports.rules import check_row
from competitions.imports.services.parsing import MAX_ROWS, FileProblem, read_upload
from competitions.registry.rules import cell_is_formula
from tests.imports.sheets import EN, ZH, csv_bytes, person_row, xlsx_bytes
from tests.imports.test_rules import LOOKUPS, MAN

ROWS = [
    person_row("张伟", MAN, "钳工", gender="男", status="已报名"),
    [None] * len(ZH),
    person_row("王芳", "E1234567", "焊工", id_type="护照", gender="女", birth_date="1985-11-02"),
]


def _problem(filename: str, data: bytes) -> str:
    with pytest.raises(FileProblem) as caught:
        read_upload(filename, data)
    return caught.value.reason


def test_xlsx_with_chinese_headers_keeps_excel_row_numbers():
    sheet = read_upload("名单.xlsx", xlsx_bytes(ROWS))
    assert sheet.headers["id_number"] == "证件号码"
    assert [number for number, _ in sheet.rows] == [2, 4]  # the empty row 3 is skipped
    _, cells = sheet.rows[0]
    assert cells["name"] == "张伟"
    assert cells["id_number"] == MAN
    assert cells["trade"] == "钳工"


def test_xlsx_with_english_headers_in_any_case():
    headers = [
        "Name",
        "ID type",
        "ID_Number",
        "gender",
        "birth_date",
        "unit",
        "skill_level",
        "phone",
        "Trade",
        "delegation",
        "status",
    ]
    sheet = read_upload("list.XLSX", xlsx_bytes(ROWS, headers))
    assert sheet.headers["id_number"] == "ID_Number"
    assert sheet.rows[1][1]["id_type"] == "护照"


def test_xlsx_date_cells_arrive_as_dates():
    row = person_row("张伟", MAN, "钳工", birth_date=datetime(1990, 3, 15))
    sheet = read_upload("a.xlsx", xlsx_bytes([row]))
    assert sheet.rows[0][1]["birth_date"] == datetime(1990, 3, 15)


def test_a_formula_cell_is_read_as_its_formula_and_refused():
    row = person_row('=B7&"x"', MAN, "=VLOOKUP(A2,Sheet2!A:B,2,0)")
    sheet = read_upload("a.xlsx", xlsx_bytes([row]))
    number, cells = sheet.rows[0]
    assert cell_is_formula(cells["name"]) and cell_is_formula(cells["trade"])
    _, errors = check_row(number, cells, LOOKUPS)
    assert {e.column for e in errors} == {"name", "trade"}
    assert {e.reason.msgid for e in errors} == {
        "formulas are not accepted; paste the values instead"
    }


@pytest.mark.parametrize("encoding", ["utf-8-sig", "utf-8", "gb18030"])
def test_csv_in_utf8_with_or_without_bom_and_in_gb18030(encoding):
    sheet = read_upload("名单.csv", csv_bytes(ROWS, ZH, encoding))
    assert sheet.headers["name"] == "姓名"
    assert [(n, c["name"], c["trade"]) for n, c in sheet.rows] == [
        (2, "张伟", "钳工"),
        (4, "王芳", "焊工"),
    ]


def test_csv_with_english_headers():
    sheet = read_upload("list.csv", csv_bytes(ROWS, EN, "utf-8"))
    assert sheet.rows[0][1]["gender"] == "男"


@pytest.mark.parametrize(
    "data",
    [
        b"\x00\x01junk bytes that are not a zip" * 100,
        b"PK\x03\x04 a broken zip",
        # A real zip that is not a workbook.
        (lambda out: (zipfile.ZipFile(out, "w").writestr("a.txt", "hello"), out.getvalue())[1])(
            io.BytesIO()
        ),
    ],
)
def test_a_file_that_is_not_a_workbook_is_refused_clearly(data):
    assert _problem("名单.xlsx", data).msgid == "this file is not an .xlsx spreadsheet"


def test_a_missing_required_column_is_named():
    headers = [h for h in ZH if h != "工种"]
    rows = [row[: ZH.index("工种")] + row[ZH.index("工种") + 1 :] for row in ROWS]
    reason = _problem("a.xlsx", xlsx_bytes(rows, headers))
    assert reason.msgid == "required columns are missing: %(columns)s"
    assert dict(reason.params)["columns"] == "工种 (trade)"


def test_a_repeated_column_is_refused():
    reason = _problem(
        "a.csv", csv_bytes([["张伟", MAN, "钳工", "李"]], ["姓名", "证件号码", "工种", "name"])
    )
    assert reason.msgid == "the column %(column)s appears twice"


@pytest.mark.parametrize(
    ("filename", "data", "msgid"),
    [
        ("a.xlsx", b"", "the file is empty"),
        ("a.csv", b"", "the file is empty"),
        ("a.csv", "\ufeff\n\n".encode(), "the file is empty"),
        ("a.xlsx", xlsx_bytes([]), "the file has no rows below the header"),
        ("a.csv", csv_bytes([[None] * len(ZH)]), "the file has no rows below the header"),
        ("a.xls", b"\xd0\xcf\x11\xe0", "only .xlsx and .csv files can be imported"),
        ("a.csv", b"\xff\xfe\x00\x00\x81\x30", "this CSV file is neither UTF-8 nor GB18030 text"),
    ],
)
def test_files_without_rows_or_of_another_kind_are_refused(filename, data, msgid):
    assert _problem(filename, data).msgid == msgid


def test_more_than_the_row_limit_is_refused():
    rows = [person_row(f"人{i}", MAN, "钳工") for i in range(MAX_ROWS + 1)]
    reason = _problem("a.csv", csv_bytes(rows))
    assert reason.msgid == "the file has more than %(max)s rows; split it"
    assert len(read_upload("a.csv", csv_bytes(rows[:MAX_ROWS])).rows) == MAX_ROWS

"""The error report and the template: what a user opens in Excel."""

from io import BytesIO

from openpyxl import load_workbook

from competitions.core import sheets
from competitions.imports.services import report
from tests.imports.sheets import xlsx_rows

ERRORS = [
    {
        "row": 0,
        "column": "",
        "value": "",
        "msgid": "this file is not an .xlsx spreadsheet",
        "params": {},
    },
    {
        "row": 5,
        "column": "工种",
        "value": "=cmd|'/C calc'!A0",
        "msgid": "%(value)s is not a trade of this contest",
        "params": {"value": "=cmd|'/C calc'!A0"},
    },
    {"row": 6, "column": "+姓名", "value": "@SUM(1)", "msgid": "a name is required", "params": {}},
]


def test_the_report_lists_every_error_with_its_message_in_both_languages(app):
    rows = xlsx_rows(sheets.error_report(ERRORS))
    assert len(rows) == 1 + len(ERRORS)
    assert rows[1][0] is None  # a whole-file problem has no row number
    assert rows[1][4] == "this file is not an .xlsx spreadsheet"
    assert rows[2][0] == 5 and rows[2][4].endswith(" is not a trade of this contest")
    assert rows[1][3] and rows[2][3]  # the Chinese column is filled too


def test_cells_from_users_cannot_run_as_formulas_in_the_report(app):
    rows = xlsx_rows(sheets.error_report(ERRORS))
    assert rows[2][2] == "'=cmd|'/C calc'!A0"
    assert rows[2][4] == "'=cmd|'/C calc'!A0 is not a trade of this contest"
    assert (rows[3][1], rows[3][2]) == ("'+姓名", "'@SUM(1)")
    assert report.safe_cell("-1") == "'-1" and report.safe_cell(-1) == -1


def test_the_template_keeps_id_numbers_and_phones_as_text(app):
    with app.test_request_context():
        data = report.template_workbook([("6-20-01", "钳工")], [])
    sheet = load_workbook(BytesIO(data)).worksheets[0]
    formats = {
        sheet.cell(1, c).value: sheet.column_dimensions[
            sheet.cell(1, c).column_letter
        ].number_format
        for c in range(1, sheet.max_column + 1)
    }
    assert formats["证件号码"] == "@" and formats["手机"] == "@"

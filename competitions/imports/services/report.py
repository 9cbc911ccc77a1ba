"""The spreadsheets of an import: the blank template users fill in, and the error report."""

import csv
import io

from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.datavalidation import DataValidation

#: Every cell written from user data goes through the one rule of the exports.
from competitions.core.sheet_rules import neutralise_cell as safe_cell
from competitions.imports.rules import CHOICES
from competitions.imports.services.parsing import (
    COLUMNS,
    MAX_ROWS,
    PRACTICAL_COLUMNS,
    THEORY_COLUMNS,
)

#: Columns typed as text so that Excel keeps every digit of an ID number or phone.
_TEXT_COLUMNS = ("id_number", "phone")


def _column_notes() -> dict[str, str]:
    """What to type in each column, in the current language."""
    return {
        "name": _("Required."),
        "id_type": _(
            "Empty means 居民身份证 (resident ID card). One of: %(c)s", c=CHOICES["id_type"]
        ),
        "id_number": _("Required. Resident ID numbers are checked (18 characters, check digit)."),
        "gender": _("男 or 女. May be empty for a resident ID card: taken from the number."),
        "birth_date": _("A date, or text YYYY-MM-DD. May be empty for a resident ID card."),
        "unit": _("Optional. The exact name of a registered unit."),
        "skill_level": _("Optional. One of: %(c)s (or just 五级 … 一级)", c=CHOICES["skill_level"]),
        "phone": _("Optional."),
        "trade": _("Required. The trade's code or Chinese name; see the list below."),
        "delegation": _("Optional. The exact name of one of this contest's delegations."),
        "status": _("Empty means 已报名 (registered). One of: %(c)s", c=CHOICES["status"]),
        "out_of_competition": _(
            "Empty means 否 (ranked as usual). 是: marked and shown but not ranked, awarded or "
            "advanced (不计名次, e.g. a WorldSkills selection entrant)."
        ),
    }


def template_workbook(trades: list[tuple[str, str]], delegations: list[str]) -> bytes:
    """The import template: sheet 1 with the headers only, sheet 2 "说明" with the instructions."""
    book = Workbook()
    sheet = book.active
    sheet.title = "报名表"
    sheet.append([c.zh for c in COLUMNS])
    for index, column in enumerate(COLUMNS, start=1):
        letter = get_column_letter(index)
        sheet.cell(1, index).font = Font(bold=True)
        sheet.column_dimensions[letter].width = 22 if column.key in ("id_number", "unit") else 14
        if column.key in _TEXT_COLUMNS:
            sheet.column_dimensions[letter].number_format = "@"
        if column.key == "birth_date":
            sheet.column_dimensions[letter].number_format = "yyyy-mm-dd"
        words = CHOICES.get(column.key)
        if column.key == "trade":
            words = " / ".join(name for _code, name in trades)
        if words and len(words) < 250:
            _dropdown(sheet, letter, words.split(" / "))
    sheet.freeze_panes = "A2"
    _instructions(book.create_sheet("说明"), trades, delegations)
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _dropdown(sheet, letter: str, words: list[str]) -> None:
    """A drop-down list of the words on a column (typing other words is still allowed)."""
    if any("," in w or '"' in w for w in words):
        return
    check = DataValidation(
        type="list", formula1='"' + ",".join(words) + '"', allow_blank=True, showErrorMessage=False
    )
    check.add(f"{letter}2:{letter}{MAX_ROWS + 1}")
    sheet.add_data_validation(check)


def _instructions(sheet, trades: list[tuple[str, str]], delegations: list[str]) -> None:
    """The instruction sheet: each column's rule, then this contest's trades and delegations."""
    notes = _column_notes()
    sheet.append(
        [
            _(
                "How to fill in sheet 1 (报名表): one row per contestant and trade. "
                "Row 1 holds the headers; do not change them. Type values, not formulas. "
                "At most %(n)s rows.",
                n=MAX_ROWS,
            )
        ]
    )
    sheet.append([])
    sheet.append([_("Column"), _("English header"), _("Notes")])
    for column in COLUMNS:
        sheet.append([column.zh, column.en, notes[column.key]])
    sheet.append([])
    sheet.append([_("Trades of this contest"), _("Code")])
    for code, name in trades:
        sheet.append([safe_cell(name), safe_cell(code)])
    sheet.append([])
    sheet.append([_("Delegations of this contest")])
    for name in delegations:
        sheet.append([safe_cell(name)])
    sheet.column_dimensions["A"].width = 24
    sheet.column_dimensions["B"].width = 16
    sheet.column_dimensions["C"].width = 80


def template_csv() -> bytes:
    """The import template as CSV: the Chinese header row, UTF-8 with a BOM so Excel reads it."""
    out = io.StringIO()
    csv.writer(out).writerow([c.zh for c in COLUMNS])
    return out.getvalue().encode("utf-8-sig")


def marks_template(
    part: str, items: list[tuple[str, str, str]], rows: list[tuple[str, ...]]
) -> bytes:
    """A marks import template: sheet 1 the headers (ID number and name, or code; one column
    per item (code); time used for practical) with this trade's ``rows`` filled in; sheet 2
    "说明" the items (code, criterion, max mark) and what to type."""
    fixed = THEORY_COLUMNS if part == "theory" else PRACTICAL_COLUMNS
    keys = [c.zh for c in fixed if c.key not in ("part_score", "time_used")]
    headers = [*keys, *(code for code, _c, _m in items)]
    if part == "practical":
        headers.append("用时")
    book = Workbook()
    sheet = book.active
    sheet.title = "理论成绩" if part == "theory" else "技能操作成绩"
    sheet.append(headers)
    for index in range(1, len(headers) + 1):
        sheet.cell(1, index).font = Font(bold=True)
        sheet.column_dimensions[get_column_letter(index)].width = 22 if index == 1 else 12
    sheet.column_dimensions["A"].number_format = "@"
    for row in rows:
        sheet.append([safe_cell(v) for v in row])
    sheet.freeze_panes = "A2"
    notes = book.create_sheet("说明")
    notes.append(
        [
            _(
                "One row per contestant. Fill in a mark for every item column; remove the "
                "columns of items that are not imported. Nothing is saved if any row has a "
                "problem."
            )
        ]
    )
    if part == "theory":
        notes.append(
            [_("A theory part of one item may instead have a column 理论知识成绩 (its score).")]
        )
    else:
        notes.append([_("用时 (time used) is optional: minutes:seconds, e.g. 52:30.")])
    notes.append([])
    notes.append([_("Item"), _("Criterion"), _("Max mark")])
    for code, criterion, max_mark in items:
        notes.append([safe_cell(code), safe_cell(criterion), max_mark])
    notes.column_dimensions["A"].width = 16
    notes.column_dimensions["B"].width = 40
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

"""Pure rules of the spreadsheets every area writes (exports, reports, templates): no Flask, no
database, no clock.

``tests/results/test_exports.py`` pins them with a table of cases.
"""

from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE

#: The media type of an .xlsx workbook.
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"

#: Text starting with one of these runs as a formula (or DDE) in spreadsheet programs.
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
#: Control characters a workbook cannot hold (the XML 1.0 ones; tab, LF and CR are allowed).
_UNWRITABLE = ILLEGAL_CHARACTERS_RE


def neutralise_cell(value):
    """A value safe to write into a spreadsheet cell.

    Rule: numbers, dates, booleans and empty cells pass unchanged (a negative number stays a
    number). Text first loses the control characters a workbook cannot hold; then text starting
    with ``=``, ``+``, ``-``, ``@``, a tab or a carriage return gets a leading apostrophe, so a
    spreadsheet program shows it as inert text and never runs it as a formula.
    """
    if not isinstance(value, str):
        return value
    value = _UNWRITABLE.sub("", value)
    return "'" + value if value.startswith(FORMULA_STARTS) else value


def neutralise_row(values) -> list:
    """Every cell of a row made safe by ``neutralise_cell``."""
    return [neutralise_cell(value) for value in values]

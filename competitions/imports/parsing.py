"""Read an uploaded .xlsx or .csv into rows of {column key: cell value}; no database, no Flask.

Row 1 holds the headers (Chinese or English, see :data:`COLUMNS`); data starts on row 2, and
row numbers are kept as Excel shows them. File-level problems raise :class:`FileProblem`.
"""

import csv
import io
import zipfile
import zlib
from dataclasses import dataclass, field
from xml.etree.ElementTree import ParseError

from openpyxl import load_workbook
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from competitions.registry.rules import N_, Reason

#: Above this many data rows a file is refused (split it).
MAX_ROWS = 20_000


@dataclass(frozen=True)
class Column:
    """One column of the import: its key, the Chinese header of the template, the English one."""

    key: str
    zh: str
    en: str
    required: bool = False


COLUMNS = (
    Column("name", "姓名", "name", required=True),
    Column("id_type", "证件类型", "id_type"),
    Column("id_number", "证件号码", "id_number", required=True),
    Column("gender", "性别", "gender"),
    Column("birth_date", "出生日期", "birth_date"),
    Column("unit", "工作单位", "unit"),
    Column("skill_level", "技能等级", "skill_level"),
    Column("phone", "手机", "phone"),
    Column("trade", "工种", "trade", required=True),
    Column("delegation", "代表队", "delegation"),
    Column("status", "状态", "status"),
)
#: Other spellings people type for the same headers.
_ALIASES = {
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "手机号": "phone",
    "手机号码": "phone",
    "单位": "unit",
    "出生年月": "birth_date",
}
_HEADERS = {
    **{c.zh: c.key for c in COLUMNS},
    **{c.en: c.key for c in COLUMNS},
    **_ALIASES,
}
#: What a damaged or foreign file raises inside openpyxl's reader.
_NOT_XLSX = (
    zipfile.BadZipFile,
    InvalidFileException,
    KeyError,
    ValueError,
    TypeError,
    ParseError,
    EOFError,
    IndexError,
    zlib.error,
)


class FileProblem(Exception):
    """The file as a whole cannot be imported; ``reason`` says why."""

    def __init__(self, reason: Reason):
        super().__init__(str(reason))
        self.reason = reason


@dataclass
class Sheet:
    """The rows of an upload: ``headers`` maps each recognised column key to its header text."""

    headers: dict[str, str]
    rows: list[tuple[int, dict[str, object]]] = field(default_factory=list)


def column_key(header) -> str | None:
    """The column key of a header cell ("姓名", "Name ", "ID number" → "id_number"), or None."""
    if not isinstance(header, str):
        return None
    text = header.strip().strip("*＊").strip()
    return _HEADERS.get(text) or _HEADERS.get(text.lower().replace(" ", "_"))


def read_upload(filename: str, data: bytes) -> Sheet:
    """Read an upload by its extension: .xlsx with openpyxl, .csv as UTF-8 or GB18030 text."""
    if not data:
        raise FileProblem(Reason.of(N_("the file is empty")))
    name = (filename or "").lower()
    if name.endswith(".csv"):
        return _sheet(_csv_rows(data))
    if name.endswith(".xlsx"):
        return _read_xlsx(data)
    raise FileProblem(Reason.of(N_("only .xlsx and .csv files can be imported")))


def _read_xlsx(data: bytes) -> Sheet:
    """The first worksheet of a workbook; formulas stay formulas (text starting with "=")."""
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = book.worksheets[0]
            return _sheet(tuple(_cell(v) for v in row) for row in sheet.iter_rows(values_only=True))
        finally:
            book.close()
    except FileProblem:
        raise
    except _NOT_XLSX:
        raise FileProblem(Reason.of(N_("this file is not an .xlsx spreadsheet"))) from None


def _cell(value):
    """A cell's value, with array and data-table formulas turned into their "=…" text."""
    if isinstance(value, ArrayFormula | DataTableFormula):
        text = getattr(value, "text", None) or ""
        return text if text.startswith("=") else "=" + text
    return value


def _decode(data: bytes) -> str:
    """CSV bytes as text: UTF-8 (with or without a BOM), else GB18030 (Excel's Chinese CSV)."""
    for encoding in ("utf-8-sig", "gb18030"):
        try:
            return data.decode(encoding)
        except UnicodeDecodeError:
            continue
    raise FileProblem(Reason.of(N_("this CSV file is neither UTF-8 nor GB18030 text")))


def _csv_rows(data: bytes):
    """The rows of a CSV file, each a tuple of text cells (empty cells as None)."""
    text = _decode(data)
    if "\x00" in text:
        raise FileProblem(Reason.of(N_("this file is not a CSV text file")))
    try:
        rows = list(csv.reader(io.StringIO(text, newline="")))
    except csv.Error:
        raise FileProblem(Reason.of(N_("this file is not a CSV text file"))) from None
    return (tuple(cell if cell.strip() else None for cell in row) for row in rows)


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(rows) -> Sheet:
    """Map the header row to column keys and collect the non-empty data rows."""
    rows = iter(rows)
    header_row = next(rows, None)
    if header_row is None or all(_blank(v) for v in header_row):
        raise FileProblem(Reason.of(N_("the file is empty")))
    positions = _header_positions(header_row)
    sheet = Sheet(headers={key: str(header_row[i]).strip() for key, i in positions.items()})
    for number, row in enumerate(rows, start=2):
        if all(_blank(v) for v in row):
            continue
        if len(sheet.rows) >= MAX_ROWS:
            raise FileProblem(
                Reason.of(N_("the file has more than %(max)s rows; split it"), max=MAX_ROWS)
            )
        cells = {key: row[i] if i < len(row) else None for key, i in positions.items()}
        sheet.rows.append((number, cells))
    if not sheet.rows:
        raise FileProblem(Reason.of(N_("the file has no rows below the header")))
    return sheet


def _header_positions(header_row) -> dict[str, int]:
    """{column key: index} of the header row; refuses repeated and missing required columns."""
    positions: dict[str, int] = {}
    for index, header in enumerate(header_row):
        key = column_key(header)
        if key is None:
            continue
        if key in positions:
            raise FileProblem(
                Reason.of(N_("the column %(column)s appears twice"), column=str(header).strip())
            )
        positions[key] = index
    missing = [f"{c.zh} ({c.en})" for c in COLUMNS if c.required and c.key not in positions]
    if missing:
        raise FileProblem(
            Reason.of(N_("required columns are missing: %(columns)s"), columns=", ".join(missing))
        )
    return positions

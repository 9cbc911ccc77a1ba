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

from competitions.core.sheets import unpacked_problem
from competitions.core.words import N_, Reason

#: Above this many data rows a file is refused (split it).
MAX_ROWS = 20_000
#: Rows are read no further than this row number, blank rows included (a sheet can hold a
#: million empty rows in a few bytes).
LAST_ROW = 2 * MAX_ROWS + 1


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
    Column("out_of_competition", "不计名次", "out_of_competition"),
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
#: The columns of a marks import, beside one column per marking-scheme item (its code).
THEORY_COLUMNS = (
    Column("id_number", "证件号码", "id_number", required=True),
    Column("name", "姓名", "name", required=True),
    Column("part_score", "理论知识成绩", "theory_score"),
)
PRACTICAL_COLUMNS = (
    Column("code", "加密号", "code", required=True),
    Column("time_used", "用时", "time_used"),
)
_MARKS_ALIASES = {
    "身份证号": "id_number",
    "身份证号码": "id_number",
    "理论成绩": "part_score",
    "理论考试成绩": "part_score",
    "用时（分:秒）": "time_used",
}
#: Item columns are keyed by this prefix and the item's code ("item:T1").
ITEM = "item:"


@dataclass(frozen=True)
class Layout:
    """The columns one kind of import reads: fixed columns (Chinese or English headers), other
    spellings of them, and columns named by their exact header (a scheme's item codes)."""

    columns: tuple[Column, ...]
    aliases: dict[str, str] = field(default_factory=dict)
    items: tuple[str, ...] = ()

    def key_of(self, header) -> str | None:
        """The column key of a header cell ("姓名", "Name ", "T1" → "item:T1"), or None."""
        if not isinstance(header, str):
            return None
        text = header.strip().strip("*＊").strip()
        if text in self.items:
            return ITEM + text
        headers = {
            **{c.zh: c.key for c in self.columns},
            **{c.en: c.key for c in self.columns},
            **self.aliases,
        }
        return headers.get(text) or headers.get(text.lower().replace(" ", "_"))


#: The contestants-and-entries import.
ENTRIES = Layout(COLUMNS, _ALIASES)


def theory_layout(item_codes: tuple[str, ...]) -> Layout:
    """Theory marks by ID number: the theory part score, or one column per theory item."""
    return Layout(THEORY_COLUMNS, _MARKS_ALIASES, item_codes)


def practical_layout(item_codes: tuple[str, ...]) -> Layout:
    """Practical marks by anonymous code: one column per item, time used optional."""
    return Layout(PRACTICAL_COLUMNS, _MARKS_ALIASES, item_codes)


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


def read_upload(filename: str, data: bytes, layout: Layout = ENTRIES) -> Sheet:
    """Read an upload by its extension: .xlsx with openpyxl, .csv as UTF-8 or GB18030 text;
    its header row is read by ``layout``."""
    if not data:
        raise FileProblem(Reason.of(N_("the file is empty")))
    name = (filename or "").lower()
    if name.endswith(".csv"):
        return _sheet(_csv_rows(data), layout)
    if name.endswith(".xlsx"):
        return _read_xlsx(data, layout)
    raise FileProblem(Reason.of(N_("only .xlsx and .csv files can be imported")))


def _too_many_rows() -> FileProblem:
    return FileProblem(Reason.of(N_("the file has more than %(max)s rows; split it"), max=MAX_ROWS))


def _read_xlsx(data: bytes, layout: Layout) -> Sheet:
    """The first worksheet of a workbook; formulas stay formulas (text starting with "=")."""
    if problem := unpacked_problem(data):
        raise FileProblem(problem)
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
        try:
            sheet = book.worksheets[0]
            if (sheet.max_row or 0) > LAST_ROW:  # as the sheet declares it: stop before reading
                raise _too_many_rows()
            rows = sheet.iter_rows(max_row=LAST_ROW + 1, values_only=True)
            return _sheet((tuple(_cell(v) for v in row) for row in rows), layout)
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
    """The rows of a CSV file, each a tuple of text cells (empty cells as None), read one by
    one (millions of empty lines are no list in memory)."""
    text = _decode(data)
    if "\x00" in text:
        raise FileProblem(Reason.of(N_("this file is not a CSV text file")))
    try:
        for row in csv.reader(io.StringIO(text, newline="")):
            yield tuple(cell if cell.strip() else None for cell in row)
    except csv.Error:
        raise FileProblem(Reason.of(N_("this file is not a CSV text file"))) from None


def _blank(value) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _sheet(rows, layout: Layout) -> Sheet:
    """Map the header row to column keys and collect the non-empty data rows."""
    rows = iter(rows)
    header_row = next(rows, None)
    if header_row is None or all(_blank(v) for v in header_row):
        raise FileProblem(Reason.of(N_("the file is empty")))
    positions = _header_positions(header_row, layout)
    sheet = Sheet(headers={key: str(header_row[i]).strip() for key, i in positions.items()})
    for number, row in enumerate(rows, start=2):
        if number > LAST_ROW:
            raise _too_many_rows()
        if all(_blank(v) for v in row):
            continue
        if len(sheet.rows) >= MAX_ROWS:
            raise _too_many_rows()
        cells = {key: row[i] if i < len(row) else None for key, i in positions.items()}
        sheet.rows.append((number, cells))
    if not sheet.rows:
        raise FileProblem(Reason.of(N_("the file has no rows below the header")))
    return sheet


def _header_positions(header_row, layout: Layout) -> dict[str, int]:
    """{column key: index} of the header row; refuses repeated and missing required columns."""
    positions: dict[str, int] = {}
    for index, header in enumerate(header_row):
        key = layout.key_of(header)
        if key is None:
            continue
        if key in positions:
            raise FileProblem(
                Reason.of(N_("the column %(column)s appears twice"), column=str(header).strip())
            )
        positions[key] = index
    missing = [f"{c.zh} ({c.en})" for c in layout.columns if c.required and c.key not in positions]
    if missing:
        raise FileProblem(
            Reason.of(N_("required columns are missing: %(columns)s"), columns=", ".join(missing))
        )
    return positions

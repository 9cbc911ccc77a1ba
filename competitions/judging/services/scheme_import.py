"""Marking schemes as plain data, and their spreadsheets: no Flask, no database.

Two layouts are read, told apart by their content: the generic one (a header row of 部分/part,
编号/code, …; the same as the download) and the WorldSkills CIS "Marking Scheme Import" sheet.
:func:`item_problems` is the one check of an item; the form and the import both call it.
"""

import io
import re
import zipfile
import zlib
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from xml.etree.ElementTree import ParseError

from openpyxl import Workbook, load_workbook
from openpyxl.cell.cell import ILLEGAL_CHARACTERS_RE
from openpyxl.utils import get_column_letter
from openpyxl.utils.exceptions import InvalidFileException
from openpyxl.worksheet.formula import ArrayFormula, DataTableFormula

from competitions.core.sheets import unpacked_problem
from competitions.core.words import N_, Reason
from competitions.judging.rules import AGGREGATIONS

#: The same as in models.py (this module stays free of the database; a test pins them equal).
PART_KINDS = ("theory", "practical")
ITEM_KINDS = ("measurement", "judgement")
SCALES = ("marks", "ws3")
#: Numeric(8, 4) columns hold at most 4 decimals, below 10,000.
LARGEST = Decimal("9999.9999")
MAX_ROWS = 5_000
MAX_COLUMNS = 40
#: Text starting with these runs as a formula in spreadsheet programs; the download guards it.
_FORMULA_STARTS = ("=", "+", "-", "@")
#: What a damaged or foreign file raises inside openpyxl's reader.
_NOT_XLSX = (zipfile.BadZipFile, InvalidFileException, KeyError, ValueError, TypeError)
_NOT_XLSX += (ParseError, EOFError, IndexError, zlib.error)


@dataclass(frozen=True)
class ItemSpec:
    """One item of a scheme as plain data: its part and every setting of a SchemeItem."""

    part: str
    code: str
    criterion: str
    description: str
    kind: str
    max_mark: Decimal
    scale: str = "marks"
    step: Decimal = Decimal("0.01")
    judges: int = 1
    aggregation: str = "mean"
    tolerance: Decimal | None = None


@dataclass(frozen=True)
class CriterionTotal:
    """A WorldSkills criterion: the mark its table declares (if any) and its aspects' sum."""

    id: str
    name: str
    declared: Decimal | None
    found: Decimal


@dataclass(frozen=True)
class ParsedScheme:
    """A spreadsheet's scheme: its layout ("generic" or "cis"), items, and criteria (CIS)."""

    layout: str
    items: tuple[ItemSpec, ...]
    criteria: tuple[CriterionTotal, ...] = ()


@dataclass(frozen=True)
class SheetProblem:
    """A problem at a row (None: the whole file) and a column ("K Max Mark"; "" for none)."""

    row: int | None
    column: str
    reason: Reason


class SchemeFileError(Exception):
    """The file cannot be imported; ``problems`` says why, every one of them."""

    def __init__(self, problems: list[SheetProblem]):
        super().__init__("; ".join(str(p.reason) for p in problems[:5]))
        self.problems = problems


def plain(value: Decimal) -> str:
    """A decimal without trailing zeros ("0.2500" → "0.25", "100.00" → "100")."""
    return format(value.normalize(), "f")


def decimal_places(value: Decimal) -> int:
    """How many decimals a number needs ("0.250" → 2, "30" → 0)."""
    if not value.is_finite():
        return 0
    return max(0, -value.normalize().as_tuple().exponent)


def default_step(max_mark: Decimal | None, scale: str) -> Decimal:
    """An item's step: 1 on the 0-3 scale; else 0.01, or finer when the max mark needs it."""
    if scale == "ws3":
        return Decimal(1)
    places = max(2, decimal_places(max_mark)) if max_mark is not None else 2
    return Decimal(1).scaleb(-min(places, 4))


def default_judges(kind: str) -> int:
    """How many judges score an item by default: 1 for a measurement, 3 for a judgement."""
    return 3 if kind == "judgement" else 1


def _amount_problem(value: Decimal, positive: bool = True) -> Reason | None:
    if not value.is_finite():
        return Reason.of(N_("not a number"))
    if positive and value <= 0:
        return Reason.of(N_("must be greater than 0"))
    if value < 0:
        return Reason.of(N_("cannot be negative"))
    if decimal_places(value) > 4:
        return Reason.of(N_("at most 4 decimals"))
    if value > LARGEST:
        return Reason.of(N_("must be below 10000"))
    return None


def _text_problems(spec: ItemSpec) -> dict[str, Reason]:
    problems = {}
    if not spec.code.strip():
        problems["code"] = Reason.of(N_("a code is required"))
    for name, limit in (("code", 30), ("criterion", 200)):
        if len(getattr(spec, name)) > limit:
            problems[name] = Reason.of(N_("at most %(n)s characters"), n=limit)
    if spec.part not in PART_KINDS:
        problems["part"] = Reason.of(N_("must be theory or practical"))
    if spec.kind not in ITEM_KINDS:
        problems["kind"] = Reason.of(N_("must be measurement or judgement"))
    return problems


def item_problems(spec: ItemSpec) -> dict[str, Reason]:
    """The problems of an item, by field; empty when it is sound.

    Rule: a code of at most 30 characters; max mark and step > 0 with at most 4 decimals; the
    WorldSkills 0-3 scale (ws3) only for judgement items; the top score (3 on ws3, else the max
    mark) a whole number of steps; 1-20 judges; the trimmed mean needs at least 3 judges and the
    closest pair exactly 3; a tolerance, when given, not negative.
    """
    problems = _text_problems(spec)
    for name in ("max_mark", "step"):
        if reason := _amount_problem(getattr(spec, name)):
            problems[name] = reason
    if spec.scale not in SCALES:
        problems["scale"] = Reason.of(N_("must be marks or ws3"))
    elif spec.scale == "ws3" and spec.kind != "judgement":
        problems["scale"] = Reason.of(N_("the 0-3 scale is only for judgement items"))
    top = Decimal(3) if spec.scale == "ws3" else spec.max_mark
    if not problems.keys() & {"max_mark", "step", "scale"} and top % spec.step:
        problems["step"] = Reason.of(
            N_("%(top)s is not a whole number of steps of %(step)s"),
            top=plain(top),
            step=plain(spec.step),
        )
    if not 1 <= spec.judges <= 20:
        problems["judges"] = Reason.of(N_("from 1 to 20 judges"))
    if spec.aggregation not in AGGREGATIONS:
        problems["aggregation"] = Reason.of(N_("unknown aggregation %(a)s"), a=spec.aggregation)
    elif spec.aggregation == "trimmed_mean" and spec.judges < 3:
        problems["aggregation"] = Reason.of(N_("the trimmed mean needs at least 3 judges"))
    elif spec.aggregation == "closest_pair" and spec.judges != 3:
        problems["aggregation"] = Reason.of(N_("the closest pair needs exactly 3 judges"))
    if spec.tolerance is not None and (reason := _amount_problem(spec.tolerance, False)):
        problems["tolerance"] = reason
    return problems


# --- cells -------------------------------------------------------------------------------------


def _at(row: tuple, index: int):
    return row[index] if index < len(row) else None


def _norm(value) -> str:
    """A header as compared: words separated by single spaces, lower case."""
    return " ".join(str(value).split()).lower() if value is not None else ""


def number_in(value) -> tuple[Decimal | None, Reason | None]:
    """A cell as a number: (number, None); (None, None) when empty; (None, why) otherwise."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None, None
    if isinstance(value, Unsaved):
        return None, Reason.of(
            N_(
                "the formula %(formula)s has no saved value: open the file in Excel or WPS, "
                "save it and import it again"
            ),
            formula=value.formula[:60],
        )
    if isinstance(value, str) and value.startswith("="):
        return None, Reason.of(N_("a formula where a number is expected"))
    try:
        number = Decimal(str(value).strip()) if not isinstance(value, bool) else None
    except InvalidOperation:
        number = None
    if number is None or not number.is_finite():
        return None, Reason.of(N_("not a number"))
    return number, None


def text_in(value) -> str:
    """A cell as text: stripped, whole numbers as digits, the download's "'" guard removed."""
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    text = str(value).strip()
    return text[1:] if text.startswith("'") and text[1:2] in _FORMULA_STARTS else text


def guarded(value):
    """A value safe to write into a cell: text that would run as a formula gets a leading "'"."""
    if not isinstance(value, str):
        return value
    value = ILLEGAL_CHARACTERS_RE.sub("", value)
    return "'" + value if value.startswith(_FORMULA_STARTS) else value


def header_key(value) -> str:
    """A header as matched: lower case, without spaces, line breaks, "_", "-", ":" or brackets."""
    return re.sub(r"[\s_\-–:：()（）]+", "", str(value).lower()) if value is not None else ""


def heads(value, names: tuple[str, ...]) -> bool:
    """Whether a header cell is one of ``names`` (or starts with one of four letters or more:
    CIS adds notes under its headers, "Aspect Type M = Measurement …")."""
    key = header_key(value)
    wanted = [header_key(name) for name in names]
    return bool(key) and any(key == w or (len(w) >= 4 and key.startswith(w)) for w in wanted)


def columns_in(row: tuple, columns) -> dict[str, int]:
    """{key: index} of the ``columns`` (each with ``key`` and ``names``) found in a header row;
    the first cell that matches wins."""
    found: dict[str, int] = {}
    for index, value in enumerate(row):
        for column in columns:
            if column.key not in found and heads(value, column.names):
                found[column.key] = index
                break
    return found


def missing_columns(row_number: int, row: tuple, columns, found: dict) -> SheetProblem | None:
    """One problem naming every required column not found, and where they were looked for."""
    missing = [c.label for c in columns if c.required and c.key not in found]
    if not missing:
        return None
    last = max((i for i, v in enumerate(row) if text_in(v)), default=0)
    span = f"{get_column_letter(1)}-{get_column_letter(last + 1)}"
    reason = Reason.of(
        N_("no column headed %(name)s: looked for in row %(row)s, columns %(columns)s"),
        name="; ".join(missing),
        row=row_number,
        columns=span,
    )
    return SheetProblem(row_number, span, reason)


def column_name(index: int, header=None) -> str:
    """A column as the file shows it: its letter and header ("F 分值"), one line."""
    return f"{get_column_letter(index + 1)} {' '.join(str(header or '').split())}".strip()


@dataclass(frozen=True)
class Unsaved:
    """A formula cell without a saved value (written by a program that does not compute)."""

    formula: str

    def __str__(self) -> str:
        return self.formula


def read_rows(data: bytes) -> tuple[str, list[tuple[int, tuple]]]:
    """The numbered rows of the scheme's sheet: "CIS Marking Scheme Import" if any, else the first.

    A formula counts as the value the spreadsheet program saved with it (Excel and WPS save one);
    a formula without a saved value is kept as :class:`Unsaved`, and refused where a number
    is needed.
    """
    if not data:
        raise SchemeFileError([SheetProblem(None, "", Reason.of(N_("the file is empty")))])
    if too_big := unpacked_problem(data):  # a zip bomb is refused before it is opened
        raise SchemeFileError([SheetProblem(None, "", too_big)])
    try:
        title, written = _sheet_rows(data, data_only=False)
        if len(written) > MAX_ROWS:
            reason = Reason.of(N_("more than %(n)s rows"), n=MAX_ROWS)
            raise SchemeFileError([SheetProblem(None, "", reason)])
        # The saved values are read only when there are formulas (the file is read twice).
        saved = _sheet_rows(data, data_only=True)[1] if _has_formulas(written) else written
    except _NOT_XLSX:
        reason = Reason.of(N_("this file is not an .xlsx spreadsheet"))
        raise SchemeFileError([SheetProblem(None, "", reason)]) from None
    rows = zip(written, saved, strict=True)
    return title, [(n, tuple(map(_cell, w, v))) for n, (w, v) in enumerate(rows, start=1)]


def _has_formulas(rows: list[tuple]) -> bool:
    return any(_is_formula(value) for row in rows for value in row)


def _is_formula(value) -> bool:
    return isinstance(value, ArrayFormula | DataTableFormula) or (
        isinstance(value, str) and value.startswith("=")
    )


def _sheet_rows(data: bytes, data_only: bool) -> tuple[str, list[tuple]]:
    """The scheme sheet's title and rows (as written, or with formulas' saved values)."""
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=data_only)
    try:
        cis = [n for n in book.sheetnames if _norm(n) == "cis marking scheme import"]
        sheet = book[cis[0]] if cis else book.worksheets[0]
        rows = []
        for row in sheet.iter_rows(max_col=MAX_COLUMNS, values_only=True):
            rows.append(row)
            if len(rows) > MAX_ROWS:
                break
        return sheet.title, rows
    finally:
        book.close()


def _cell(written, saved):
    """A cell's value: a formula's saved value, or :class:`Unsaved` when it has none."""
    if isinstance(written, ArrayFormula | DataTableFormula):
        written = "=" + (getattr(written, "text", None) or "").lstrip("=")
    if _is_formula(written) and saved != written:
        return Unsaved(written) if saved is None else saved
    return written


@dataclass(frozen=True)
class Located:
    """An item read from a sheet, with its row and the columns its fields came from."""

    row: int
    spec: ItemSpec
    columns: dict


def _finish(layout: str, items: list[Located], problems: list, criteria=()) -> ParsedScheme:
    """The scheme read, or SchemeFileError with every problem (item checks, repeated codes)."""
    first_row: dict[tuple, int] = {}
    for item in items:
        for name, reason in item_problems(item.spec).items():
            problems.append(SheetProblem(item.row, item.columns.get(name, name), reason))
        key = (item.spec.part, item.spec.code)
        if key in first_row:
            reason = Reason.of(
                N_("the code %(code)s is already used in row %(row)s"),
                code=item.spec.code,
                row=first_row[key],
            )
            problems.append(SheetProblem(item.row, item.columns.get("code", ""), reason))
        first_row.setdefault(key, item.row)
    if not items and not problems:
        problems.append(SheetProblem(None, "", Reason.of(N_("the file has no items"))))
    if problems:
        raise SchemeFileError(sorted(problems, key=lambda p: p.row or 0))
    return ParsedScheme(layout, tuple(item.spec for item in items), tuple(criteria))


def parse_scheme(data: bytes) -> ParsedScheme:
    """Read a scheme from .xlsx bytes, all or nothing; SchemeFileError lists every problem.

    Rule: the CIS layout when the sheet is named "CIS Marking Scheme Import" or has a block
    header "Sub Criterion ID" in column A, else the generic layout. Codes are unique within a
    part, every item passes :func:`item_problems`, and there is at least one item.
    """
    title, rows = read_rows(data)
    if _norm(title) == "cis marking scheme import" or any(_is_block(row) for _, row in rows):
        return parse_cis(rows)
    return parse_generic(rows)


# --- the generic layout (also the download's) --------------------------------------------------


@dataclass(frozen=True)
class Column:
    """A column found by its header: its key, its Chinese header (the download's), and other
    headers that name it (English, the words of the screen, older files)."""

    key: str
    zh: str
    required: bool = False
    also: tuple[str, ...] = ()

    @property
    def names(self) -> tuple[str, ...]:
        return (self.zh, self.key, *self.also)

    @property
    def label(self) -> str:
        return f"{self.zh} / {self.key}" if self.zh else self.also[0]


GENERIC_COLUMNS = (
    Column("part", "部分", True, ("考核部分", "part")),
    Column("code", "编号", True, ("代码", "评分项编号", "item code", "code")),
    Column("criterion", "评分标准", False, ("评分模块", "criterion")),
    Column("description", "评分项", False, ("评分内容", "description")),
    Column("kind", "类型", True, ("评分类型", "评分方式", "kind", "type", "aspect type")),
    Column("max_mark", "分值", True, ("配分", "满分", "max mark", "maxmark")),
    Column("scale", "评分尺度", False, ("scale",)),
    Column("step", "步长", False, ("评分精度", "step")),
    Column("judges", "裁判人数", False, ("裁判员人数", "judges")),
    Column("aggregation", "汇总方式", False, ("aggregation",)),
    Column("tolerance", "容差", False, ("允许误差", "tolerance")),
)
#: The generic layout's header row is looked for in this many rows at the top.
HEADER_ROWS = 30
PART_ZH = {"theory": "理论知识", "practical": "技能操作"}
KIND_ZH = {"measurement": "客观", "judgement": "主观"}
#: The words a cell may hold (lower case), and the key each stands for.
_WORDS = {
    "part": {"theory": "theory", "理论知识": "theory", "理论": "theory"}
    | {"practical": "practical", "技能操作": "practical", "实操": "practical"},
    "kind": {"measurement": "measurement", "客观": "measurement", "m": "measurement"}
    | {"judgement": "judgement", "judgment": "judgement", "主观": "judgement", "j": "judgement"},
    "scale": {"marks": "marks", "ws3": "ws3"},
    "aggregation": {a: a for a in AGGREGATIONS},
}


def scheme_workbook(items: list[ItemSpec]) -> bytes:
    """The generic layout of a scheme as .xlsx: Chinese headers, text guarded against formulas."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("评分方案")
    sheet.append([c.zh for c in GENERIC_COLUMNS])
    for s in items:
        first = [PART_ZH[s.part], s.code, s.criterion, s.description, KIND_ZH[s.kind]]
        rest = [s.max_mark, s.scale, s.step, s.judges, s.aggregation, s.tolerance]
        sheet.append([guarded(value) for value in first + rest])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _word(cells: dict, key: str, problems: dict, default: str | None = None) -> str | None:
    """A cell holding one of a few words, as its key; a problem when unknown or missing."""
    text = text_in(cells.get(key))
    if not text:
        if default is None:
            problems[key] = Reason.of(N_("required"))
        return default
    value = _WORDS[key].get(text.lower())
    if value is None and key == "kind":  # an aspect type as CIS writes it: M1, J3
        value = {"M": "measurement", "J": "judgement"}.get(aspect_type(text)[0])
    if value is None:
        words = ", ".join(_WORDS[key])
        problems[key] = Reason.of(N_("%(v)s is not one of: %(words)s"), v=text, words=words)
    return value


def _generic_item(cells: dict) -> tuple[ItemSpec | None, dict[str, Reason]]:
    """One row of the generic layout as an item, or the problems of its cells."""
    problems: dict[str, Reason] = {}
    part, kind = _word(cells, "part", problems), _word(cells, "kind", problems)
    scale = _word(cells, "scale", problems, "marks")
    aggregation = _word(cells, "aggregation", problems, "mean")
    numbers = {}
    for key in ("max_mark", "step", "judges", "tolerance"):
        numbers[key], reason = number_in(cells.get(key))
        if reason:
            problems[key] = reason
    if numbers["max_mark"] is None and "max_mark" not in problems:
        problems["max_mark"] = Reason.of(N_("required"))
    judges, step = numbers["judges"], numbers["step"]
    if judges is not None and judges != judges.to_integral_value():
        problems["judges"] = Reason.of(N_("a whole number"))
    if problems:
        return None, problems
    spec = ItemSpec(
        part=part,
        code=text_in(cells.get("code")),
        criterion=text_in(cells.get("criterion")),
        description=text_in(cells.get("description")),
        kind=kind,
        max_mark=numbers["max_mark"],
        scale=scale,
        step=default_step(numbers["max_mark"], scale) if step is None else step,
        judges=int(judges) if judges is not None else default_judges(kind),
        aggregation=aggregation,
        tolerance=numbers["tolerance"],
    )
    return spec, {}


def _generic_header(rows: list[tuple[int, tuple]]) -> tuple[int, tuple, dict[str, int]]:
    """The generic layout's header row: the first near the top naming two required columns;
    SchemeFileError (one problem, saying where it looked) when there is none or one is missing."""
    required = [c for c in GENERIC_COLUMNS if c.required]
    for number, row in rows[:HEADER_ROWS]:
        found = columns_in(row, GENERIC_COLUMNS)
        if sum(c.key in found for c in required) >= 2:
            if problem := missing_columns(number, row, GENERIC_COLUMNS, found):
                raise SchemeFileError([problem])
            return number, row, found
    if not any(text_in(v) for _, row in rows[:HEADER_ROWS] for v in row):
        raise SchemeFileError([SheetProblem(None, "", Reason.of(N_("the file has no items")))])
    reason = Reason.of(
        N_("no header row: looked for %(names)s in rows 1 to %(last)s"),
        names="; ".join(c.label for c in required),
        last=min(len(rows), HEADER_ROWS),
    )
    raise SchemeFileError([SheetProblem(None, "", reason)])


def parse_generic(rows: list[tuple[int, tuple]]) -> ParsedScheme:
    """The generic layout: a header row near the top (its columns in any order, found by their
    Chinese or English headers), then one item per row."""
    header_row, header, indexes = _generic_header(rows)
    names = {key: column_name(i, header[i]) for key, i in indexes.items()}
    problems, items = [], []
    for number, row in rows:
        if number <= header_row:
            continue
        cells = {key: _at(row, i) for key, i in indexes.items()}
        if any(text_in(v) for v in cells.values()):
            spec, cell_problems = _generic_item(cells)
            problems += [SheetProblem(number, names[k], r) for k, r in cell_problems.items()]
            if spec:
                items.append(Located(number, spec, names))
    return _finish("generic", items, problems)


# --- the WorldSkills CIS import layout ---------------------------------------------------------

#: The columns of a CIS block, found by their headers in each block's header row.
CIS_COLUMNS = (
    Column("sub_id", "", True, ("Sub Criterion ID",)),
    Column("sub_name", "", False, ("Sub Criterion Name",)),
    Column("kind", "", True, ("Aspect Type",)),
    Column("description", "", True, ("Aspect - Description", "Aspect Description")),
    Column("score", "", True, ("Judg Score", "Judgement Score", "Judgment Score")),
    Column("extra", "", False, ("Extra Aspect Description",)),
    Column("requirement", "", False, ("Requirement",)),
    Column("max_mark", "", True, ("Max Mark",)),
)
#: An item's fields and the CIS columns they come from, for messages.
_CIS_FIELDS = {"code": "sub_id", "criterion": "sub_name", "kind": "kind"}
_CIS_FIELDS |= {"description": "description", "max_mark": "max_mark"}


def aspect_type(text: str) -> tuple[str | None, int | None]:
    """An aspect type cell as ("M" or "J", its number or None); (None, None) when unknown.

    Rule: "M", "J", numbered "M1", "J3" (case and spaces ignored), or the words of the kind
    column (measurement, judgement, 客观, 主观 …).
    """
    key = header_key(text)
    if match := re.fullmatch(r"([mj])(\d{1,3})", key):
        return match.group(1).upper(), int(match.group(2))
    kind = _WORDS["kind"].get(key) or _WORDS["kind"].get(" ".join(str(text).split()).lower())
    return ({"measurement": "M", "judgement": "J"}.get(kind), None)


def _is_block(row: tuple) -> bool:
    """A CIS block header: a cell headed "Sub Criterion ID", in any column."""
    return any(heads(value, CIS_COLUMNS[0].names) for value in row)


@dataclass
class _Aspect:
    row: int
    block: str
    sub: tuple[str, str]
    kind: str
    number: int
    max_mark: Decimal | None
    lines: list[str]
    #: The column letters its fields came from, for messages.
    fields: dict[str, str]

    def spec(self) -> ItemSpec:
        """The aspect as an item: J on the 0-3 scale with 3 judges, M as marks by 1 judge."""
        kind = "judgement" if self.kind == "J" else "measurement"
        scale = "ws3" if self.kind == "J" else "marks"
        return ItemSpec(
            part="practical",
            code=f"{self.sub[0]}.{self.kind}{self.number}",
            criterion=" ".join(self.sub).strip()[:200],
            description="\n".join(line for line in self.lines if line),
            kind=kind,
            max_mark=self.max_mark,
            scale=scale,
            step=default_step(self.max_mark, scale),
            judges=default_judges(kind),
        )


#: The columns of the "Criteria" table at the top of a CIS sheet.
CRITERIA_COLUMNS = (
    Column("id", "", True, ("ID",)),
    Column("name", "", False, ("Name",)),
    Column("mark", "", True, ("Mark",)),
)


def _criteria_table(rows, problems: list) -> dict[str, tuple[int, str, str, Decimal]]:
    """The "Criteria" table near the top: {id: (row, mark column, name, declared mark)}; its
    columns found by the headers of the row under its title."""
    start = next(
        (i for i, (_, row) in enumerate(rows) if any(_norm(v) == "criteria" for v in row)), None
    )
    if start is None or start + 1 >= len(rows):
        return {}
    header_row, header = rows[start + 1]
    columns = columns_in(header, CRITERIA_COLUMNS)
    if problem := missing_columns(header_row, header, CRITERIA_COLUMNS, columns):
        raise SchemeFileError([problem])
    mark_column = column_name(columns["mark"], "Mark")
    declared = {}
    for number, row in rows[start + 2 :]:
        criterion = text_in(_at(row, columns["id"]))
        if not criterion or _is_block(row):
            break
        mark, reason = number_in(_at(row, columns["mark"]))
        name = text_in(_at(row, columns["name"])) if "name" in columns else ""
        if mark is None:
            problems.append(SheetProblem(number, mark_column, reason or Reason.of(N_("required"))))
        else:
            declared[criterion] = (number, mark_column, name, mark)
    return declared


class _CisReader:
    """Reads a CIS sheet row by row: block headers, sub-criteria, aspects, 0-3 descriptors.

    Each block's columns are found by the headers of its header row. A block header without a
    required column stops the reading at once: its rows would only repeat the problem.
    """

    def __init__(self):
        self.problems: list[SheetProblem] = []
        self.aspects: list[_Aspect] = []
        self.block: str | None = None
        self.columns: dict[str, int] = {}
        self.sub: tuple[str, str] | None = None
        self.current: _Aspect | None = None
        self.counts: dict[str, int] = {}
        #: Criteria with an aspect that could not be read: their sums would be noise.
        self.unreadable: set[str] = set()

    def problem(self, row: int, column: str, msgid: str, **params) -> None:
        self.problems.append(SheetProblem(row, column, Reason.of(msgid, **params)))

    def cell(self, row: tuple, key: str):
        return _at(row, self.columns[key]) if key in self.columns else None

    def letter(self, key: str) -> str:
        return get_column_letter(self.columns[key] + 1) if key in self.columns else ""

    def read(self, number: int, row: tuple) -> None:
        """Take one row; rows before the first block (the tables at the top) are skipped."""
        if _is_block(row):
            self.block, self.sub, self.current = self._block(number, row), None, None
            return
        if self.block is None:
            return
        if sub_id := text_in(self.cell(row, "sub_id")):
            self.sub, self.current = (sub_id, text_in(self.cell(row, "sub_name"))), None
            self.counts = {}
        kind, score = text_in(self.cell(row, "kind")), text_in(self.cell(row, "score"))
        if kind:
            self._aspect(number, row, kind)
        elif score:
            self._descriptor(number, row, score)
        elif number_in(self.cell(row, "max_mark")) != (None, None):
            self.problem(
                number, self.letter("max_mark"), N_("a max mark on a row that is not an aspect")
            )

    def _block(self, number: int, row: tuple) -> str:
        self.columns = columns_in(row, CIS_COLUMNS)
        if problem := missing_columns(number, row, CIS_COLUMNS, self.columns):
            raise SchemeFileError([*self.problems, problem])
        labels = [text_in(v).split() for v in row]
        label = next((w for w in labels if len(w) == 2 and w[0].lower() == "criterion"), None)
        if label is None:
            self.problem(number, "", N_('expected "Criterion" and its letter'))
            raise SchemeFileError(self.problems)
        return label[1]

    def _aspect(self, number: int, row: tuple, text: str) -> None:
        kind, given = aspect_type(text)
        if kind is None:
            self.problem(number, self.letter("kind"), N_("the aspect type must be M or J"))
        elif self.sub is None:
            self.problem(
                number, self.letter("sub_id"), N_("an aspect comes before its sub-criterion")
            )
        if kind is None or self.sub is None:
            self.current = None  # its descriptors are not problems of their own
            self.unreadable.add(self.block)
            return
        mark, reason = number_in(self.cell(row, "max_mark"))
        if reason or mark is None:
            reason = reason or Reason.of(N_("required"))
            self.problems.append(SheetProblem(number, self.letter("max_mark"), reason))
        self.counts[kind] = given or self.counts.get(kind, 0) + 1
        lines = [text_in(self.cell(row, key)) for key in ("description", "extra", "requirement")]
        self.current = _Aspect(
            number, self.block, self.sub, kind, self.counts[kind], mark, lines, self.fields()
        )
        self.aspects.append(self.current)

    def _descriptor(self, number: int, row: tuple, score: str) -> None:
        if self.block in self.unreadable and self.current is None:
            return  # under an aspect already reported
        if self.current is None or self.current.kind != "J":
            self.problem(
                number, self.letter("score"), N_("a judgement score outside a judgement aspect")
            )
        elif score not in ("0", "1", "2", "3"):
            self.problem(number, self.letter("score"), N_("a judgement score must be 0, 1, 2 or 3"))
        else:
            self.current.lines.append(f"{score}: {text_in(self.cell(row, 'extra'))}")

    def fields(self) -> dict[str, str]:
        """The current block's column letters of an item's fields, for messages."""
        return {field: self.letter(key) for field, key in _CIS_FIELDS.items()}


def parse_cis(rows: list[tuple[int, tuple]]) -> ParsedScheme:
    """The WorldSkills CIS import sheet: every aspect becomes a practical item.

    Rule: codes are "{sub-criterion}.{M|J}{n}", numbered per type within each sub-criterion;
    a judgement aspect keeps its 0-3 descriptors in its description; each criterion that the
    Criteria table declares must have aspects whose max marks add up to its mark exactly.
    """
    reader = _CisReader()
    declared = _criteria_table(rows, reader.problems)
    for number, row in rows:
        reader.read(number, row)
    items, found, unreadable = [], {}, set(reader.unreadable)
    for aspect in reader.aspects:
        if aspect.max_mark is None:
            unreadable.add(aspect.block)
            continue
        items.append(Located(aspect.row, aspect.spec(), aspect.fields))
        found[aspect.block] = found.get(aspect.block, Decimal(0)) + aspect.max_mark
    criteria = []
    for criterion, (row, column, name, mark) in declared.items():
        total = found.get(criterion, Decimal(0))
        criteria.append(CriterionTotal(criterion, name, mark, total))
        # An unreadable max mark is reported at its cell; its criterion's sum would be noise.
        if total != mark and criterion not in unreadable:
            reader.problem(
                row,
                column,
                N_("criterion %(id)s: declared %(declared)s, but its aspects add up to %(found)s"),
                id=criterion,
                declared=plain(mark),
                found=plain(total),
            )
    criteria += [CriterionTotal(c, "", None, t) for c, t in found.items() if c not in declared]
    return _finish("cis", items, reader.problems, criteria)

"""Pure rules of an import: one row's cells into typed values or errors, then the rows together.

No Flask, no database: the lookups (units, trades, delegations, persons already known) come in
as plain dicts, so ``tests/imports/test_rules.py`` pins every rule with a table of cases.
"""

import re
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

from competitions.core import identity_rules
from competitions.core.words import N_, Reason
from competitions.judging import rules as marking
from competitions.registry import rules
from competitions.registry.rules import Eligibility, PersonFacts

ID_TYPE_WORDS = {
    **dict.fromkeys(("居民身份证", "身份证", "resident"), "resident"),
    **dict.fromkeys(("护照", "passport"), "passport"),
    **dict.fromkeys(("港澳通行证", "hkmo"), "hkmo"),
    **dict.fromkeys(("台湾通行证", "taiwan"), "taiwan"),
    **dict.fromkeys(("其他", "other"), "other"),
}
GENDER_WORDS = {
    **dict.fromkeys(("男", "m", "male"), "M"),
    **dict.fromkeys(("女", "f", "female"), "F"),
}
SKILL_WORDS = {
    **dict.fromkeys(("五级/初级工", "五级", "初级工", "5"), 5),
    **dict.fromkeys(("四级/中级工", "四级", "中级工", "4"), 4),
    **dict.fromkeys(("三级/高级工", "三级", "高级工", "3"), 3),
    **dict.fromkeys(("二级/技师", "二级", "技师", "2"), 2),
    **dict.fromkeys(("一级/高级技师", "一级", "高级技师", "1"), 1),
}
_STATUSES = ("registered", "approved", "withdrawn", "disqualified", "absent")
STATUS_WORDS = {
    **dict(zip(("已报名", "已审核", "已退赛", "取消资格", "缺考"), _STATUSES, strict=True)),
    **{status: status for status in _STATUSES},
}
#: 不计名次: an empty cell means no (the entry competes).
YES_NO_WORDS = {
    **dict.fromkeys(("是", "y", "yes", "true", "1"), True),
    **dict.fromkeys(("否", "n", "no", "false", "0"), False),
}
#: The words each vocabulary column lists in messages and in the template.
CHOICES = {
    "out_of_competition": "是 / 否",
    "id_type": "居民身份证 / 护照 / 港澳通行证 / 台湾通行证 / 其他",
    "gender": "男 / 女",
    "skill_level": "五级/初级工 / 四级/中级工 / 三级/高级工 / 二级/技师 / 一级/高级技师",
    "status": "已报名 / 已审核 / 已退赛 / 取消资格 / 缺考",
}
#: Longest text the database keeps for these columns.
MAX_LENGTH = {"name": 100, "id_number": 40, "phone": 30}
_DATE = re.compile(r"^(\d{4})[-/.](\d{1,2})[-/.](\d{1,2})$")
#: Excel keeps 15 significant digits: a longer number typed into a General cell has lost some.
_EXACT_DIGITS = 10**15


@dataclass(frozen=True)
class RowError:
    """One problem of one cell: the row as Excel numbers it, the column key, the cell's text."""

    row: int
    column: str
    value: str
    reason: Reason


@dataclass(frozen=True)
class Lookups:
    """What a row may name, as plain data: exact names (trades also by code) → ids."""

    units: dict[str, int]
    trades: dict[str, int]
    delegations: dict[str, int]
    eligibility: dict[int, Eligibility]


@dataclass(frozen=True)
class ImportRow:
    """A row that passed its own checks, with every value typed and the person completed."""

    row: int
    person: PersonFacts
    unit_id: int | None
    skill_level: int | None
    phone: str
    contest_trade_id: int
    delegation_id: int | None
    status: str
    #: 不计名次: marked and shown, not ranked.
    out_of_competition: bool = False

    @property
    def person_key(self) -> tuple[str, str]:
        """Who the row is about: (document type, normalised number)."""
        return (self.person.id_type, self.person.id_number)


@dataclass(frozen=True)
class KnownPerson:
    """A person already in the database with the same document."""

    id: int
    name: str
    birth_date: date


def cell_text(value) -> str:
    """A cell as text: stripped; whole numbers without ".0"; dates as YYYY-MM-DD; empty as ""."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else str(value)
    if isinstance(value, date):
        return value.isoformat()
    return str(value).strip()


def parse_date(value) -> date:
    """A date cell or text YYYY-MM-DD (also / or . between); ValueError if it is neither."""
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    match = _DATE.match(cell_text(value))
    if not match:
        raise ValueError(value)
    return date(*(int(part) for part in match.groups()))


class Row:
    """The errors of one row so far: the first problem of a cell wins."""

    def __init__(self, number: int, cells: dict[str, object]):
        self.number = number
        self.cells = cells
        self.errors: dict[str, RowError] = {}

    def fail(self, column: str, reason: Reason) -> None:
        if column not in self.errors:
            text = cell_text(self.cells.get(column))[:100]
            self.errors[column] = RowError(self.number, column, text, reason)

    def text(self, column: str) -> str:
        return "" if column in self.errors else cell_text(self.cells.get(column))

    def word(self, column: str, words: dict, default=None, lower: bool = False):
        """The value a vocabulary cell names; refuses a word outside it."""
        text = self.text(column)
        if not text:
            return default
        value = words.get(text.lower() if lower else text)
        if value is None:
            self.fail(
                column,
                Reason.of(
                    N_("%(value)s is not one of: %(choices)s"), value=text, choices=CHOICES[column]
                ),
            )
        return value


def check_row(number: int, cells: dict[str, object], lookups: Lookups):
    """One row's own problems, and its typed values when it has none: (ImportRow | None, errors).

    Rule: no cell may be a formula; name, ID number and trade are required; vocabulary cells
    (ID type, gender, skill level, status, out of competition) take their listed words, empty
    ID type meaning a resident ID, empty status "registered" and empty 不计名次 "no"; unit,
    trade and delegation must name one the lookups know; the person passes
    ``person_problems`` (check digit, birth date, gender).
    """
    row = Row(number, cells)
    for column, value in cells.items():
        if rules.cell_is_formula(value):
            row.fail(column, Reason.of(N_("formulas are not accepted; paste the values instead")))
    facts = person_facts_of(row)
    for column, reason in rules.person_problems(facts).items():
        row.fail(column, reason)
    unit_id = _lookup(row, "unit", lookups.units, N_("no unit is named %(value)s"))
    ct_id = _lookup(row, "trade", lookups.trades, N_("%(value)s is not a trade of this contest"))
    if not row.text("trade") and "trade" not in row.errors:
        row.fail("trade", Reason.of(N_("a trade is required")))
    delegation_id = _lookup(
        row, "delegation", lookups.delegations, N_("this contest has no delegation named %(value)s")
    )
    skill = row.word("skill_level", SKILL_WORDS)
    status = row.word("status", STATUS_WORDS, default="registered", lower=True)
    apart = row.word("out_of_competition", YES_NO_WORDS, default=False, lower=True)
    phone = row.text("phone")
    for column, limit in MAX_LENGTH.items():
        if len(row.text(column)) > limit:
            row.fail(column, Reason.of(N_("too long: at most %(n)s characters"), n=limit))
    if row.errors:
        return None, list(row.errors.values())
    person = rules.complete_person(facts)
    return ImportRow(number, person, unit_id, skill, phone, ct_id, delegation_id, status, apart), []


def person_facts_of(row: Row) -> PersonFacts:
    """The person cells parsed into facts; a cell that cannot be parsed gets its error."""
    id_type = row.word("id_type", ID_TYPE_WORDS, default="resident", lower=True)
    raw_number = row.cells.get("id_number")
    if isinstance(raw_number, float) and abs(raw_number) >= _EXACT_DIGITS:
        row.fail(
            "id_number",
            Reason.of(
                N_(
                    "the ID number was stored as a number and has lost "
                    "digits; format the column as text and type it again"
                )
            ),
        )
    gender = row.word("gender", GENDER_WORDS, lower=True)
    birth = None
    if row.text("birth_date"):
        try:
            birth = parse_date(row.cells["birth_date"])
        except ValueError:
            row.fail("birth_date", Reason.of(N_("not a date; write it as YYYY-MM-DD")))
    return PersonFacts(
        name=row.text("name"),
        gender=gender,
        birth_date=birth,
        id_type=id_type or "resident",
        id_number=identity_rules.normalise_id_number(row.text("id_number")),
    )


def _lookup(row: Row, column: str, names: dict[str, int], msgid: str) -> int | None:
    """The id a cell names, or None when empty; an unknown name is an error."""
    text = row.text(column)
    if not text:
        return None
    found = names.get(text)
    if found is None:
        found = names.get(text.lower())
    if found is None:
        row.fail(column, Reason.of(msgid, value=text))
    return found


def check_together(
    rows: list[ImportRow],
    known: dict[tuple[str, str], KnownPerson],
    entered: set[tuple[int, int]],
    eligibility: dict[int, Eligibility],
) -> list[RowError]:
    """The problems that need the other rows and the database, by row.

    Rule: one document number has one name, in the file (the first row's) and in the database
    (the known person's); a person enters a trade once, in the file and in the database; the
    age rule of the trade holds, counted from the known person's birth date when there is one.
    """
    errors: list[RowError] = []
    first: dict[tuple[str, str], ImportRow] = {}
    seen_entries: dict[tuple, int] = {}
    for row in rows:
        key = row.person_key
        earlier = first.setdefault(key, row)
        person = known.get(key)
        number = row.person.id_number
        if person and person.name != row.person.name:
            errors.append(
                RowError(
                    row.row,
                    "id_number",
                    number,
                    Reason.of(N_("this ID number is registered to %(name)s"), name=person.name),
                )
            )
            continue
        if earlier.person.name != row.person.name:
            errors.append(
                RowError(
                    row.row,
                    "name",
                    row.person.name,
                    Reason.of(
                        N_("row %(row)s has this ID number with the name %(name)s"),
                        row=earlier.row,
                        name=earlier.person.name,
                    ),
                )
            )
            continue
        twice = seen_entries.setdefault((key, row.contest_trade_id), row.row)
        if twice != row.row:
            errors.append(
                RowError(
                    row.row,
                    "trade",
                    "",
                    Reason.of(
                        N_("this person is already in row %(row)s for this trade"), row=twice
                    ),
                )
            )
        elif person and (person.id, row.contest_trade_id) in entered:
            errors.append(
                RowError(
                    row.row,
                    "trade",
                    "",
                    Reason.of(N_("this person is already entered in this trade")),
                )
            )
        birth = person.birth_date if person else row.person.birth_date
        problem = rules.eligibility_problem(eligibility[row.contest_trade_id], birth)
        if problem:
            errors.append(RowError(row.row, "birth_date", birth.isoformat(), problem))
    return errors


# Marks imports: theory marks by ID number, practical marks by anonymous code.

#: Item columns are keyed "item:" + the item's code (see ``parsing.Layout``).
ITEM = "item:"


@dataclass(frozen=True)
class MarkTarget:
    """An item a marks file may fill: its id, code and marking rule."""

    id: int
    code: str
    rule: marking.ItemRule


@dataclass(frozen=True)
class MarkRow:
    """A marks row that passed its checks: the entry, its item marks and time used."""

    row: int
    entry_id: int
    marks: tuple[tuple[int, Decimal], ...]
    time_used: int | None = None


def check_theory_row(
    number: int,
    cells: dict[str, object],
    people: dict[str, tuple[int, str]],
    items: list[MarkTarget],
):
    """One theory row: (MarkRow | None, errors).

    Rule: no formulas; the ID number is one of this trade's contestants (``people``: normalised
    number → (entry id, name)) and the name is theirs; every item column present holds a mark
    the item allows (``judging.rules.score_problem``).
    """
    row = Row(number, cells)
    _no_formulas(row)
    number_text = identity_rules.normalise_id_number(row.text("id_number"))
    found = people.get(number_text)
    if not number_text:
        row.fail("id_number", Reason.of(N_("an ID number is required")))
    elif found is None:
        row.fail("id_number", Reason.of(N_("no contestant of this trade has this ID number")))
    elif row.text("name") != found[1]:
        row.fail("name", Reason.of(N_("this ID number is registered to %(name)s"), name=found[1]))
    marks = _marks(row, items)
    if row.errors:
        return None, list(row.errors.values())
    return MarkRow(number, found[0], marks), []


def check_practical_row(
    number: int, cells: dict[str, object], codes: dict[str, int], items: list[MarkTarget]
):
    """One practical row: (MarkRow | None, errors).

    Rule: no formulas; the anonymous code is one of this trade's (``codes``: code → entry id);
    every item column present holds a mark the item allows; time used, when given, reads as
    ``judging.rules.time_used_problem`` says.
    """
    row = Row(number, cells)
    _no_formulas(row)
    code = row.text("code")
    entry_id = codes.get(code)
    if not code:
        row.fail("code", Reason.of(N_("an anonymous code is required")))
    elif entry_id is None:
        row.fail("code", Reason.of(N_("no entry has the code %(code)s"), code=code))
    marks = _marks(row, items)
    time_used = None
    if row.text("time_used"):
        problem = marking.time_used_problem(row.text("time_used"))
        if problem:
            row.fail("time_used", problem)
        else:
            time_used = marking.parse_time_used(row.text("time_used"))
    if row.errors:
        return None, list(row.errors.values())
    return MarkRow(number, entry_id, marks, time_used), []


def _no_formulas(row: Row) -> None:
    for column, value in row.cells.items():
        if rules.cell_is_formula(value):
            row.fail(column, Reason.of(N_("formulas are not accepted; paste the values instead")))


def _marks(row: Row, items: list[MarkTarget]) -> tuple[tuple[int, Decimal], ...]:
    """The row's marks of the item columns the file has; an empty or refused cell is an error."""
    marks = []
    for item in items:
        column = ITEM + item.code
        if column not in row.cells:
            continue
        text = row.text(column)
        if column in row.errors:
            continue
        if not text:
            row.fail(column, Reason.of(N_("a mark is required")))
            continue
        problem = marking.score_problem(text, item.rule)
        if problem:
            row.fail(column, problem)
        else:
            marks.append((item.id, marking.parse_score(text)))
    return tuple(marks)


def check_marks_together(rows: list[MarkRow], column: str) -> list[RowError]:
    """Rule: one row per entry (``column`` names the ID number or code column of the file)."""
    first: dict[int, int] = {}
    errors = []
    for row in rows:
        earlier = first.setdefault(row.entry_id, row.row)
        if earlier != row.row:
            errors.append(
                RowError(
                    row.row,
                    column,
                    "",
                    Reason.of(N_("this contestant is already in row %(row)s"), row=earlier),
                )
            )
    return errors

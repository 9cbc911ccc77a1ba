"""The import's row rules, as tables of cases: no database, no app."""

from datetime import date, datetime

import pytest

from competitions.imports.rules import KnownPerson, Lookups, check_row, check_together
from competitions.registry.rules import Eligibility
from tests.factories import resident_id

MAN = resident_id(date(1990, 3, 15), serial=7, male=True)
WOMAN = resident_id(date(1985, 11, 2), serial=8, male=False)
CHILD = resident_id(date(2005, 1, 1), serial=9)
FITTER, WELDER = 10, 11
LOOKUPS = Lookups(
    units={"济南第二机床厂": 1},
    trades={"6-20-01": FITTER, "钳工": FITTER, "fitter": FITTER, "6-20-02": WELDER, "焊工": WELDER},
    delegations={"济南市代表队": 5},
    eligibility={
        FITTER: Eligibility(16, 60, date(2019, 5, 10)),
        WELDER: Eligibility(16, 60, date(2019, 5, 10)),
    },
)


def cells(**given) -> dict:
    """A sound row (a man with a resident ID entering the fitter trade), changed by ``given``."""
    return {"name": "张伟", "id_number": MAN, "trade": "钳工", **given}


BAD_ROWS = [
    # (cells, column, msgid)
    (cells(name=""), "name", "a name is required"),
    (cells(id_number=None), "id_number", "an ID number is required"),
    (cells(trade=None), "trade", "a trade is required"),
    (cells(name='=HYPERLINK("x")'), "name", "formulas are not accepted; paste the values instead"),
    (cells(trade="=A1"), "trade", "formulas are not accepted; paste the values instead"),
    (
        cells(name="@王芳"),
        "name",
        "must not begin with %(char)s: a spreadsheet would run it as a formula",
    ),
    (
        cells(name="+王芳"),
        "name",
        "must not begin with %(char)s: a spreadsheet would run it as a formula",
    ),
    (
        cells(name="王芳\u202e"),
        "name",
        "must not contain characters that turn the direction of the text",
    ),
    (
        cells(name="王\t芳"),
        "name",
        "must not contain control characters such as tabs or line breaks",
    ),
    (
        cells(id_number=MAN[:17] + ("0" if MAN[17] != "0" else "1")),
        "id_number",
        "check digit is wrong (expected %(c)s)",
    ),
    (cells(id_number="37010219900315"), "id_number", "must be 18 characters, got %(n)s"),
    (
        cells(id_number=3.70102199003150e17),
        "id_number",
        "the ID number was stored as a number and has lost digits; format the column as text and "
        "type it again",
    ),
    (
        cells(birth_date="1990-03-16"),
        "birth_date",
        "does not match the ID number, which says %(d)s",
    ),
    (cells(gender="女"), "gender", "does not match the ID number"),
    (cells(birth_date="1990年3月15日"), "birth_date", "not a date; write it as YYYY-MM-DD"),
    (cells(id_type="驾驶证"), "id_type", "%(value)s is not one of: %(choices)s"),
    (cells(gender="未知"), "gender", "%(value)s is not one of: %(choices)s"),
    (cells(skill_level="六级"), "skill_level", "%(value)s is not one of: %(choices)s"),
    (cells(status="通过"), "status", "%(value)s is not one of: %(choices)s"),
    (cells(trade="木工"), "trade", "%(value)s is not a trade of this contest"),
    (cells(unit="不存在的公司"), "unit", "no unit is named %(value)s"),
    (
        cells(delegation="青岛市代表队"),
        "delegation",
        "this contest has no delegation named %(value)s",
    ),
    (cells(name="张" * 101), "name", "too long: at most %(n)s characters"),
    (cells(phone="1" * 31), "phone", "too long: at most %(n)s characters"),
    (
        cells(id_type="护照", id_number="E12345678", gender="男"),
        "birth_date",
        "a birth date is required",
    ),
    (
        cells(id_type="护照", id_number="E12345678", birth_date="1990-01-01"),
        "gender",
        "a gender is required",
    ),
]


@pytest.mark.parametrize(("given", "column", "msgid"), BAD_ROWS)
def test_a_bad_cell_is_reported_in_its_column(given, column, msgid):
    row, errors = check_row(7, given, LOOKUPS)
    assert row is None
    assert [(e.row, e.column, e.reason.msgid) for e in errors] == [(7, column, msgid)]


def test_an_error_carries_the_cell_text_and_parameters():
    _, errors = check_row(2, cells(trade="木工"), LOOKUPS)
    assert errors[0].value == "木工"
    assert dict(errors[0].reason.params) == {"value": "木工"}


def test_every_bad_cell_of_a_row_is_reported_once():
    _, errors = check_row(3, cells(name="", trade="=A1", gender="X", status="?"), LOOKUPS)
    assert sorted(e.column for e in errors) == ["gender", "name", "status", "trade"]


GOOD_ROWS = [
    # (cells, expected attributes of the typed row)
    (
        cells(),
        {
            "contest_trade_id": FITTER,
            "status": "registered",
            "unit_id": None,
            "person.gender": "M",
            "person.birth_date": date(1990, 3, 15),
            "person.id_type": "resident",
        },
    ),
    (cells(id_number=" " + MAN[:6] + " " + MAN[6:].lower() + " "), {"person.id_number": MAN}),
    (
        cells(name="王芳", id_number=WOMAN, gender="女", birth_date=datetime(1985, 11, 2)),
        {"person.gender": "F", "person.birth_date": date(1985, 11, 2)},
    ),
    (cells(birth_date="1990/3/15"), {"person.birth_date": date(1990, 3, 15)}),
    (cells(trade="6-20-02"), {"contest_trade_id": WELDER}),
    (cells(trade="Fitter"), {"contest_trade_id": FITTER}),
    (cells(unit="济南第二机床厂", delegation="济南市代表队"), {"unit_id": 1, "delegation_id": 5}),
    (cells(skill_level="三级/高级工"), {"skill_level": 3}),
    (cells(skill_level="一级"), {"skill_level": 1}),
    (cells(skill_level=4), {"skill_level": 4}),
    (cells(status="已审核"), {"status": "approved"}),
    (cells(status="Withdrawn"), {"status": "withdrawn"}),
    (cells(id_type="resident", gender="M"), {"person.id_type": "resident"}),
    (cells(phone=13800001111.0), {"phone": "13800001111"}),
    (
        cells(id_type="护照", id_number="e 1234567", gender="男", birth_date="1979-02-03"),
        {
            "person.id_type": "passport",
            "person.id_number": "E1234567",
            "person.birth_date": date(1979, 2, 3),
        },
    ),
]


def _attribute(row, dotted: str):
    for part in dotted.split("."):
        row = getattr(row, part)
    return row


@pytest.mark.parametrize(("given", "expected"), GOOD_ROWS)
def test_a_sound_row_is_typed(given, expected):
    row, errors = check_row(2, given, LOOKUPS)
    assert errors == []
    assert {key: _attribute(row, key) for key in expected} == expected


def _rows(*given: dict):
    rows = []
    for number, values in enumerate(given, start=2):
        row, errors = check_row(number, values, LOOKUPS)
        assert errors == []
        rows.append(row)
    return rows


TOGETHER = [
    # (rows, known persons, existing entries, expected (row, column, msgid))
    ([cells(), cells(trade="焊工")], {}, set(), []),
    (
        [cells(), cells(trade="6-20-01")],
        {},
        set(),
        [(3, "trade", "this person is already in row %(row)s for this trade")],
    ),
    (
        [cells(), cells(name="张三", trade="焊工")],
        {},
        set(),
        [(3, "name", "row %(row)s has this ID number with the name %(name)s")],
    ),
    ([cells()], {("resident", MAN): KnownPerson(1, "张伟", date(1990, 3, 15))}, set(), []),
    (
        [cells()],
        {("resident", MAN): KnownPerson(1, "张卫", date(1990, 3, 15))},
        set(),
        [(2, "id_number", "this ID number is registered to %(name)s")],
    ),
    (
        [cells(), cells(trade="焊工")],
        {("resident", MAN): KnownPerson(1, "张伟", date(1990, 3, 15))},
        {(1, WELDER)},
        [(3, "trade", "this person is already entered in this trade")],
    ),
    (
        [cells(name="李小", id_number=CHILD)],
        {},
        set(),
        [(2, "birth_date", "age %(age)s on %(on)s is below the minimum %(min)s")],
    ),
    # A known person's recorded birth date counts, not the file's.
    (
        [cells(id_type="护照", id_number="E1", gender="男", birth_date="1990-01-01")],
        {("passport", "E1"): KnownPerson(4, "张伟", date(1950, 1, 1))},
        set(),
        [(2, "birth_date", "age %(age)s on %(on)s is above the maximum %(max)s")],
    ),
]


@pytest.mark.parametrize(("given", "known", "entered", "expected"), TOGETHER)
def test_rows_are_checked_together_and_against_the_database(given, known, entered, expected):
    errors = check_together(_rows(*given), known, entered, LOOKUPS.eligibility)
    assert [(e.row, e.column, e.reason.msgid) for e in errors] == expected


def test_the_same_id_number_under_another_document_type_is_another_person():
    rows = _rows(
        cells(),
        cells(id_type="护照", id_number=MAN, name="Other", gender="男", birth_date="1990-03-15"),
    )
    assert check_together(rows, {}, set(), LOOKUPS.eligibility) == []

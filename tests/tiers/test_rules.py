"""The tiers' rules as tables of cases: quotas per source, the given ranks against the
computed ones, an outside result list line by line and as a whole. No database, no app."""

from datetime import date
from decimal import Decimal as D

import pytest

from competitions.registry.rules import Eligibility
from competitions.tiers.rules import (
    OutsideLookups,
    check_outside_row,
    check_outside_together,
    quota_refusal,
    rank_contradictions,
    rank_differences,
)
from tests.factories import resident_id

MAN = resident_id(date(1990, 3, 15), serial=7, male=True)
WOMAN = resident_id(date(1985, 11, 2), serial=8, male=False)
CHILD = resident_id(date(2005, 1, 1), serial=9)
AGES = (Eligibility(16, 60, date(2019, 5, 10)),)
ADULTS_ABOVE = (*AGES, Eligibility(18, 60, date(2019, 5, 10)))
LOOKUPS = OutsideLookups({"某县机械厂": 3}, (D(30), D(70)), AGES)


@pytest.mark.parametrize(
    ("accepted", "accepting", "quota", "refused"),
    [
        (0, 3, None, False),  # no quota: no limit
        (0, 3, 3, False),  # exactly the quota
        (2, 1, 3, False),
        (3, 1, 3, True),  # one beyond
        (0, 4, 3, True),
        (0, 0, 0, False),
        (0, 1, 0, True),  # a quota of 0 takes no one
        (5, 0, 3, True),  # already beyond (quota lowered later): nothing more
    ],
)
def test_quota_per_source(accepted, accepting, quota, refused):
    assert (quota_refusal(accepted, accepting, quota) is not None) is refused


def test_a_quota_refusal_says_the_room_left():
    reason = quota_refusal(2, 3, 3)
    assert dict(reason.params) == {"quota": 3, "accepted": 2, "room": 1}


@pytest.mark.parametrize(
    ("given", "computed", "expected"),
    [
        ({1: (1, "first")}, {1: (1, "first")}, []),  # agrees
        ({1: (2, None)}, {1: (1, "first")}, [1]),  # rank differs; award not given
        ({1: (None, "second")}, {1: (1, "first")}, [1]),  # award differs
        ({1: (None, "")}, {1: (5, None)}, []),  # "no award" equals none computed
        ({1: (None, "")}, {1: (1, "first")}, [1]),  # given none, computed a prize
        ({1: (None, None)}, {1: (1, "first")}, []),  # nothing given: nothing compared
        ({1: (3, None)}, {}, [1]),  # not computed at all: unranked
        ({1: (2, None), 2: (1, None)}, {1: (1, None), 2: (2, None)}, [2, 1]),  # by given rank
    ],
)
def test_rank_differences(given, computed, expected):
    assert [d.entry_id for d in rank_differences(given, computed)] == expected


def line(**given) -> dict:
    """A sound line: a man, theory 80 and practical 90 (total 87.00), rank 1."""
    return {"id_number": MAN, "name": "张伟", "theory": "80", "practical": "90", **given}


BAD_LINES = [
    # (cells, lookups, column, msgid)
    (line(name=""), LOOKUPS, "name", "a name is required"),
    (line(id_number=MAN[:17] + ("0" if MAN[17] != "0" else "1")), LOOKUPS, "id_number", None),
    (line(theory="101"), LOOKUPS, "theory", "a score must lie between 0 and %(max)s"),
    (line(practical="-1"), LOOKUPS, "practical", "a score must lie between 0 and %(max)s"),
    (line(total="100.5"), LOOKUPS, "total", "a score must lie between 0 and %(max)s"),
    (line(theory="八十"), LOOKUPS, "theory", "%(value)s is not a number"),
    (line(theory="80.12345"), LOOKUPS, "theory", "at most %(n)s decimal places"),
    (line(total="87.001"), LOOKUPS, "total", "at most %(n)s decimal places"),
    (line(practical=None), LOOKUPS, "practical", "a practical score or a total is required"),
    (
        line(total="88"),
        LOOKUPS,
        "total",
        "the total does not match the part scores, which weigh %(weighed)s",
    ),
    (line(unit="不存在的厂"), LOOKUPS, "unit", "no unit is named %(value)s"),
    (line(rank="0"), LOOKUPS, "rank", "a rank is a whole number from 1"),
    (line(rank="第一"), LOOKUPS, "rank", "a rank is a whole number from 1"),
    (line(award="特等奖"), LOOKUPS, "award", "%(value)s is not one of: %(choices)s"),
    (line(time_used="abc"), LOOKUPS, "time_used", "write the time as minutes:seconds, e.g. 52:30"),
    (line(name="=1+1"), LOOKUPS, "name", "formulas are not accepted; paste the values instead"),
    # not eligible for the parent contest (an age rule of 18 there): the 14-year-old
    (
        line(id_number=CHILD),
        OutsideLookups({}, (D(30), D(70)), ADULTS_ABOVE),
        "id_number",
        None,
    ),
]


@pytest.mark.parametrize(("cells", "lookups", "column", "msgid"), BAD_LINES)
def test_a_bad_line_is_refused_at_its_column(cells, lookups, column, msgid):
    row, errors = check_outside_row(5, cells, lookups)
    assert row is None
    assert column in {e.column for e in errors}
    if msgid:
        assert msgid in {e.reason.msgid for e in errors}
    assert all(e.row == 5 for e in errors)


GOOD_LINES = [
    # (cells, theory, practical, given total, the total that ranks it, award)
    (line(), D(80), D(90), None, D("87.00"), None),
    (line(total="87"), D(80), D(90), D(87), D("87"), None),  # a total that matches
    ({"id_number": MAN, "name": "张伟", "total": "75.5"}, None, None, D("75.5"), D("75.5"), None),
    (line(award="一等奖", rank="1"), D(80), D(90), None, D("87.00"), "first"),
    (line(award=""), D(80), D(90), None, D("87.00"), ""),  # the column is there: no award
    (line(award="优秀奖"), D(80), D(90), None, D("87.00"), "mention"),
    (line(theory=80.25, practical=90), D("80.25"), D(90), None, D("87.08"), None),
]


@pytest.mark.parametrize(("cells", "theory", "practical", "total", "ranks_by", "award"), GOOD_LINES)
def test_a_sound_line_is_typed(cells, theory, practical, total, ranks_by, award):
    row, errors = check_outside_row(2, cells, LOOKUPS)
    assert errors == []
    assert (row.theory, row.practical, row.given_total) == (theory, practical, total)
    assert row.total(LOOKUPS.weights) == ranks_by
    assert row.given_award == award
    assert row.person.birth_date == date(1990, 3, 15)  # completed from the ID number


def test_a_practical_only_trade_needs_no_theory():
    lookups = OutsideLookups({}, (D(0), D(100)), AGES)
    row, errors = check_outside_row(
        2, {"id_number": MAN, "name": "张伟", "practical": "77"}, lookups
    )
    assert errors == [] and row.total(lookups.weights) == D("77.00")


def test_time_used_is_read_as_minutes_and_seconds():
    row, _ = check_outside_row(2, line(time_used="52:30"), LOOKUPS)
    assert row.time_used == 52 * 60 + 30


def _rows(*lines):
    out = []
    for number, cells in enumerate(lines, start=2):
        row, errors = check_outside_row(number, cells, LOOKUPS)
        assert not errors, errors
        out.append(row)
    return out


@pytest.mark.parametrize(
    ("totals_and_ranks", "bad_rows"),
    [
        ([("90", "1"), ("80", "2"), ("70", "3")], []),
        ([("90", "1"), ("80", "2"), ("80", "3")], []),  # equal totals: the tie-breaks decide
        ([("90", "1"), ("80", "3"), ("80", "2")], []),
        ([("90", "2"), ("80", "1"), ("70", "3")], [2]),  # the 90 ranked below the 80
        ([("90", "3"), ("80", "2"), ("70", "1")], [2, 3]),
        ([("90", "1"), ("80", None), ("70", "2")], []),  # a line without a rank is not compared
        ([("90", "1"), ("90", "1"), ("70", "3")], []),  # a shared rank
    ],
)
def test_ranks_that_contradict_the_totals(totals_and_ranks, bad_rows):
    people = [MAN, WOMAN, resident_id(date(1980, 1, 1), serial=3)]
    rows = _rows(
        *(
            {"id_number": p, "name": f"人{i}", "total": t, "rank": r}
            for i, (p, (t, r)) in enumerate(zip(people, totals_and_ranks, strict=True))
        )
    )
    assert [e.row for e in rank_contradictions(rows, LOOKUPS.weights)] == bad_rows


def test_a_person_twice_a_known_name_and_the_registered_birth_date():
    rows = _rows(line(), line(name="张伟"), {"id_number": WOMAN, "name": "王芳", "total": "60"})
    errors = check_outside_together(
        rows,
        {("resident", WOMAN): ("王小芳", date(1985, 11, 2))},
        LOOKUPS.weights,
        AGES,
    )
    assert [(e.row, e.column, e.reason.msgid) for e in errors] == [
        (3, "id_number", "the same person as row %(row)s"),
        (4, "name", "this ID number is registered to %(name)s"),
    ]


def test_a_known_person_too_old_by_the_registered_birth_date():
    rows = _rows({"id_number": WOMAN, "name": "王芳", "total": "60"})
    old = Eligibility(16, 30, date(2019, 5, 10))
    errors = check_outside_together(
        rows, {("resident", WOMAN): ("王芳", date(1985, 11, 2))}, LOOKUPS.weights, (old,)
    )
    assert [e.column for e in errors] == ["id_number"]

"""The marking rules, each pinned by a table of cases (no app, no database)."""

import random
from decimal import Decimal as D

import pytest

from competitions.judging import rules
from competitions.judging.rules import Affiliation, ItemRule, LockState


def ds(*values):
    return [D(str(v)) for v in values]


@pytest.mark.parametrize(
    ("values", "method", "expected"),
    [
        (ds(7, 8, 9), "mean", "8.0000"),
        (ds(1, 2), "mean", "1.5000"),
        (ds(1, 1, 2), "mean", "1.3333"),  # 4 decimals, half up
        (ds(2, 2, 3), "mean", "2.3333"),
        (ds(0.00005, 0), "mean", "0.0000"),
        (ds(0.00015, 0), "mean", "0.0001"),  # 0.000075 → 0.0001 half up
        (ds(5, 6, 7, 8, 30), "trimmed_mean", "7.0000"),  # drop 5 and 30
        (ds(6, 6, 6, 6, 6), "trimmed_mean", "6.0000"),
        (ds(1, 9, 9, 9, 9), "trimmed_mean", "9.0000"),
        (ds(4, 8), "trimmed_mean", "6.0000"),  # fewer than 3: the mean
        (ds(3, 1, 2), "median", "2.0000"),
        (ds(1, 2, 3, 10), "median", "2.5000"),
        (
            ds(
                7,
            ),
            "median",
            "7.0000",
        ),
        (ds(7, 8, 12), "closest_pair", "7.5000"),
        (ds(2, 11, 12), "closest_pair", "11.5000"),
        (ds(2, 5, 8), "closest_pair", "5.0000"),  # equal gaps: the middle
        (ds(2.5, 2.5, 0), "closest_pair", "2.5000"),
        (ds(1, 2, 3, 4), "closest_pair", "2.5000"),  # not 3 scores: the median
    ],
)
def test_aggregation_of_judges(values, method, expected):
    assert rules.aggregate(values, method) == D(expected)


def test_aggregation_ignores_input_order():
    values = ds(3, 9, 4, 7, 1)
    shuffled = values[::-1]
    for method in rules.AGGREGATIONS:
        assert rules.aggregate(values, method) == rules.aggregate(shuffled, method)


@pytest.mark.parametrize("method", ["mean", "nope"])
def test_aggregation_refuses_nonsense(method):
    with pytest.raises(ValueError):
        rules.aggregate([] if method == "mean" else ds(1), method)


WS = ItemRule(max_mark=D("0.5"), scale="ws3", step=D(1), judges=3, aggregation="mean")
MARKS = ItemRule(max_mark=D(10), scale="marks", step=D("0.5"), judges=5, aggregation="trimmed_mean")


@pytest.mark.parametrize(
    ("values", "rule", "expected"),
    [
        (ds(3, 3, 3), WS, "0.5000"),  # max × 3/3
        (ds(2, 2, 1), WS, "0.2778"),  # 0.5 × 1.6667/3 (aggregate kept to 4 places first)
        (ds(0, 0, 0), WS, "0.0000"),
        (ds(6, 7, 8, 9, 10), MARKS, "8.0000"),
    ],
)
def test_item_mark(values, rule, expected):
    assert rules.item_mark(values, rule) == D(expected)


@pytest.mark.parametrize(
    ("values", "rule", "flagged"),
    [
        (ds(1, 2, 2), WS, None),  # spread 1 = tolerance: not flagged
        (ds(1, 3, 2), WS, D(2)),  # spread 2 > 1
        (ds(7, 8), MARKS, None),  # 10% of 10 = 1
        (ds(7, 8.5), MARKS, D("1.5")),
        (
            ds(
                7,
            ),
            MARKS,
            None,
        ),  # one score cannot disagree
        (ds(7, 8.5), ItemRule(max_mark=D(10), tolerance=D(2)), None),  # own tolerance
        (ds(5, 8), ItemRule(max_mark=D(10), tolerance=D(2)), D(3)),
    ],
)
def test_disagreement(values, rule, flagged):
    assert rules.disagreement(values, rule) == flagged


@pytest.mark.parametrize(
    ("raw", "rule", "msgid"),
    [
        ("2", WS, None),
        ("3", WS, None),
        ("4", WS, "above the maximum of %(max)s"),
        ("1.5", WS, "must be in steps of %(step)s"),
        ("-1", MARKS, "a mark cannot be negative"),
        ("10.5", MARKS, "above the maximum of %(max)s"),
        ("9.5", MARKS, None),
        ("9.25", MARKS, "must be in steps of %(step)s"),
        ("abc", MARKS, "not a number"),
        ("", MARKS, "not a number"),
        ("NaN", MARKS, "not a number"),
        ("Infinity", MARKS, "not a number"),
        (" 8 ", MARKS, None),
    ],
)
def test_score_checks(raw, rule, msgid):
    problem = rules.score_problem(raw, rule)
    assert (problem.msgid if problem else None) == msgid


def test_score_reasons_read_plainly():
    assert str(rules.score_problem("1.5", WS)) == "must be in steps of 1"
    assert str(rules.score_problem("11", MARKS)) == "above the maximum of 10"


ENTERPRISES = frozenset({10})  # unit 10 is an enterprise; 1 is a union above everything


@pytest.mark.parametrize(
    ("judge", "entry", "declared", "msgid"),
    [
        (
            Affiliation((11, 10, 1)),
            Affiliation((11, 10, 1)),
            set(),
            "the judge works in the contestant's unit",
        ),
        (
            Affiliation((10, 1)),
            Affiliation((12, 10, 1)),
            set(),
            "the judge and the contestant work in the same enterprise",
        ),
        (
            Affiliation((11, 10, 1)),
            Affiliation((12, 10, 1)),
            set(),
            "the judge and the contestant work in the same enterprise",
        ),
        (Affiliation((20, 1)), Affiliation((12, 10, 1)), set(), None),  # only the union shared
        (
            Affiliation((20, 1), 5),
            Affiliation((12, 10, 1), 5),
            set(),
            "the judge comes with the contestant's delegation",
        ),
        (
            Affiliation((20, 1)),
            Affiliation((12, 10, 1)),
            {7},
            "the judge declared a relation with this contestant",
        ),
        (Affiliation(()), Affiliation((12, 10, 1)), set(), None),
    ],
)
def test_recusal(judge, entry, declared, msgid):
    reason = rules.recusal_reason(judge, entry, 7, frozenset(declared), ENTERPRISES)
    assert (reason.msgid if reason else None) == msgid


def test_codes_are_distinct_random_and_wide_enough():
    codes = rules.draw_codes(600, random.Random(1))
    assert len(set(codes)) == 600
    assert all(len(c) == 4 for c in codes)  # 600 of 9,000 four-digit numbers: under a tenth
    assert codes != sorted(codes)
    assert rules.draw_codes(600, random.Random(1)) == codes  # reproducible with a seeded rng
    assert len(rules.draw_codes(20, random.Random(2))[0]) == 3


def test_stations_are_a_permutation():
    stations = rules.draw_stations(30, random.Random(3))
    assert sorted(stations) == list(range(1, 31)) and stations != list(range(1, 31))


@pytest.mark.parametrize(
    ("state", "msgids"),
    [
        (LockState(0, 0, 0), []),
        (LockState(3, 0, 0), ["%(n)s scores are not entered yet"]),
        (
            LockState(0, 1, 2),
            ["%(n)s score sheets are not confirmed yet", "%(n)s disagreements are not resolved"],
        ),
    ],
)
def test_lock_needs_everything_marked_confirmed_and_resolved(state, msgids):
    assert [r.msgid for r in rules.lock_problems(state)] == msgids


@pytest.mark.parametrize(
    ("first", "second", "mismatch"),
    [
        ({1: "8.5", 2: "3"}, {1: "8.50", 2: "3"}, []),
        ({1: "8.5", 2: "3"}, {1: "8", 2: "3"}, [1]),
        ({1: "8.5"}, {1: "8.5", 2: "1"}, [2]),
        ({1: "x"}, {1: "x"}, []),
    ],
)
def test_sheet_mismatches(first, second, mismatch):
    assert rules.sheet_mismatches(first, second) == mismatch


@pytest.mark.parametrize(
    ("raw", "seconds"),
    [
        ("52:30", 3150),
        ("2:05", 125),
        ("0:59", 59),
        (" 75:05 ", 4505),  # minutes may pass 59
        ("52：30", 3150),  # full-width colon
        ("1:02:03", 3723),
        ("52", 3120),  # whole minutes
        ("52分30秒", 3150),
        ("52分", 3120),
        ("45秒", 45),
        ("1小时5分", 3900),
        ("99:59:59", rules.MAX_TIME_USED),
    ],
)
def test_time_used_is_read_as_seconds(raw, seconds):
    assert rules.time_used_problem(raw) is None
    assert rules.parse_time_used(raw) == seconds


@pytest.mark.parametrize(
    ("raw", "msgid"),
    [
        ("", "write the time as minutes:seconds, e.g. 52:30"),
        ("52:60", "write the time as minutes:seconds, e.g. 52:30"),
        ("1:60:00", "write the time as minutes:seconds, e.g. 52:30"),
        ("52.5", "write the time as minutes:seconds, e.g. 52:30"),
        ("-5", "write the time as minutes:seconds, e.g. 52:30"),
        ("1:2:3:4", "write the time as minutes:seconds, e.g. 52:30"),
        ("abc", "write the time as minutes:seconds, e.g. 52:30"),
        ("30秒52分", "write the time as minutes:seconds, e.g. 52:30"),
        ("61秒", "write the time as minutes:seconds, e.g. 52:30"),
        ("0:00", "a time used cannot be zero"),
        ("100:00:00", "longer than 99 hours: check the time"),
    ],
)
def test_time_used_refused(raw, msgid):
    assert rules.time_used_problem(raw).msgid == msgid


@pytest.mark.parametrize(
    ("seconds", "text"), [(None, ""), (45, "00:45"), (3150, "52:30"), (4505, "75:05")]
)
def test_time_used_is_shown_as_minutes_and_seconds(seconds, text):
    assert rules.format_time_used(seconds) == text

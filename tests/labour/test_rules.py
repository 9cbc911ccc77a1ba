"""The rules of a labour competition, pinned by tables of cases (competitions/labour/rules.py)."""

from decimal import ROUND_HALF_UP
from decimal import Decimal as D

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from competitions.labour import rules
from competitions.labour.rules import Indicator


def ind(scoring="ratio", direction="higher", target="100", weight="50", cap="120", floor=None):
    return Indicator(
        1, direction, D(target), D(weight), scoring, D(cap), D(floor) if floor is not None else None
    )


ACHIEVEMENT = [
    ("ratio at target", ind(), "100", "1"),
    ("ratio below target", ind(), "80", "0.8"),
    ("ratio capped at 120 %", ind(), "150", "1.2"),
    ("ratio cap 100 %", ind(cap="100"), "150", "1"),
    ("ratio zero figure", ind(), "0", "0"),
    ("ratio lower is better, under target", ind(direction="lower", target="10"), "8", "1.2"),
    ("ratio lower is better, over target", ind(direction="lower", target="10"), "20", "0.5"),
    (
        "ratio lower is better, zero figure: the cap",
        ind(direction="lower", target="10"),
        "0",
        "1.2",
    ),
    ("ratio rounded to 6 places", ind(target="3"), "1", "0.333333"),
    ("ratio rounded half up", ind(target="3"), "2", "0.666667"),
    ("linear at floor", ind("linear", floor="50"), "50", "0"),
    ("linear below floor", ind("linear", floor="50"), "10", "0"),
    ("linear halfway", ind("linear", floor="50"), "75", "0.5"),
    ("linear beyond target", ind("linear", floor="50"), "130", "1"),
    ("linear lower is better", ind("linear", "lower", target="2", floor="10"), "6", "0.5"),
    (
        "linear lower is better, above floor",
        ind("linear", "lower", target="2", floor="10"),
        "12",
        "0",
    ),
]


@pytest.mark.parametrize(
    ("indicator", "value", "expected"),
    [c[1:] for c in ACHIEVEMENT],
    ids=[c[0] for c in ACHIEVEMENT],
)
def test_achievement(indicator, value, expected):
    assert rules.achievement(indicator, D(value)) == D(expected)


RANKS = [
    (
        "three distinct, higher better",
        {"a": 3, "b": 2, "c": 1},
        "higher",
        {"a": "1", "b": "0.5", "c": "0"},
    ),
    ("lower better", {"a": 3, "b": 2, "c": 1}, "lower", {"a": "0", "b": "0.5", "c": "1"}),
    (
        "a tie shares the better rank",
        {"a": 5, "b": 5, "c": 1},
        "higher",
        {"a": "1", "b": "1", "c": "0"},
    ),
    ("one alone achieves 1", {"a": 5}, "higher", {"a": "1"}),
    (
        "four: thirds",
        {"a": 4, "b": 3, "c": 2, "d": 1},
        "higher",
        {"a": "1", "b": "0.666667", "c": "0.333333", "d": "0"},
    ),
]


@pytest.mark.parametrize(
    ("values", "direction", "expected"), [c[1:] for c in RANKS], ids=[c[0] for c in RANKS]
)
def test_rank_achievements(values, direction, expected):
    got = rules.rank_achievements({k: D(v) for k, v in values.items()}, direction)
    assert got == {k: D(v) for k, v in expected.items()}


OUTPUT = Indicator(1, "higher", D(100), D(60), "ratio", D(120))
SAFETY = Indicator(2, "lower", D(2), D(40), "rank", D(120))

PERIODS = [
    # name, figures {(p, ind): value}, zeroed, expected {p: (total, missing)}
    (
        "both reported",
        {("a", 1): "110", ("a", 2): "1", ("b", 1): "90", ("b", 2): "3"},
        set(),
        {"a": ("106.00", ()), "b": ("54.00", ())},
    ),
    (
        "a missing figure scores 0",
        {("a", 1): "110", ("b", 1): "90", ("b", 2): "3"},
        set(),
        {"a": ("66.00", (2,)), "b": ("94.00", ())},
    ),
    (
        "nothing reported: 0, everything missing",
        {("a", 1): "100", ("a", 2): "1"},
        set(),
        {"a": ("100.00", ()), "b": ("0.00", (1, 2))},
    ),
    (
        "a veto sets the period's total to 0",
        {("a", 1): "110", ("a", 2): "1", ("b", 1): "90", ("b", 2): "3"},
        {"a"},
        {"a": ("0.00", ()), "b": ("54.00", ())},
    ),
    (
        "the cap limits a ratio",
        {("a", 1): "500", ("a", 2): "1", ("b", 1): "100", ("b", 2): "1"},
        set(),
        {"a": ("112.00", ()), "b": ("100.00", ())},
    ),
]


@pytest.mark.parametrize(
    ("figures", "zeroed", "expected"), [c[1:] for c in PERIODS], ids=[c[0] for c in PERIODS]
)
def test_period_scores(figures, zeroed, expected):
    scores = rules.period_scores(
        [OUTPUT, SAFETY], ["a", "b"], {k: D(v) for k, v in figures.items()}, zeroed
    )
    assert {p: (str(s.total), s.missing) for p, s in scores.items()} == expected
    assert all(s.vetoed == (p in zeroed) for p, s in scores.items())


SHARED = [
    ("distinct", {"a": 3, "b": 2, "c": 1}, {"a": 1, "b": 2, "c": 3}),
    ("tie at the top", {"a": 3, "b": 3, "c": 1}, {"a": 1, "b": 1, "c": 3}),
    ("tie below", {"a": 3, "b": 1, "c": 1}, {"a": 1, "b": 2, "c": 2}),
    ("zeros last", {"a": 0, "b": 10}, {"a": 2, "b": 1}),
]


@pytest.mark.parametrize(
    ("totals", "expected"), [c[1:] for c in SHARED], ids=[c[0] for c in SHARED]
)
def test_shared_ranks(totals, expected):
    assert rules.shared_ranks(totals) == expected


COMMENDED = [
    ("top 2", {"a": 9, "b": 8, "c": 7}, set(), 2, {"a", "b"}),
    ("a veto bars the best: the next moves up", {"a": 9, "b": 8, "c": 7}, {"a"}, 2, {"b", "c"}),
    ("a tie at the last place takes both", {"a": 9, "b": 8, "c": 8}, set(), 2, {"a", "b", "c"}),
    ("none", {"a": 9}, set(), 0, set()),
]


@pytest.mark.parametrize(
    ("totals", "excluded", "top", "expected"),
    [c[1:] for c in COMMENDED],
    ids=[c[0] for c in COMMENDED],
)
def test_commended(totals, excluded, top, expected):
    assert rules.commended({k: D(v) for k, v in totals.items()}, excluded, top) == expected


def test_running_totals_count_a_missing_period_as_zero():
    got = rules.running_totals([{"a": D("50.5"), "b": D(40)}, {"a": D(30)}], ["a", "b", "c"])
    assert got == {"a": D("80.50"), "b": D("40.00"), "c": D("0.00")}


WEIGHTS = [
    ("exactly 100", ["60", "40"], None),
    ("over", ["60", "50"], "the weights add up to %(total)s, not 100"),
    ("under", ["60", "30"], "the weights add up to %(total)s, not 100"),
    ("decimals adding up", ["33.33", "33.33", "33.34"], None),
    ("a zero weight", ["100", "0"], "every weight must be more than 0"),
]


@pytest.mark.parametrize(
    ("weights", "msgid"), [c[1:] for c in WEIGHTS], ids=[c[0] for c in WEIGHTS]
)
def test_weights_problem(weights, msgid):
    problem = rules.weights_problem([D(w) for w in weights])
    assert (problem.msgid if problem else None) == msgid


INDICATORS = [
    ("ratio ok", ("higher", "ratio", "100", "120", None), None),
    ("ratio zero target", ("higher", "ratio", "0", "120", None), "the target must be more than 0"),
    (
        "ratio cap under 100",
        ("higher", "ratio", "100", "90", None),
        "the cap must be at least 100 percent",
    ),
    (
        "linear without floor",
        ("higher", "linear", "100", None, None),
        "a linear rule needs a floor",
    ),
    (
        "linear floor above target",
        ("higher", "linear", "100", None, "120"),
        "the floor must be below the target when higher is better",
    ),
    (
        "linear lower, floor below target",
        ("lower", "linear", "5", None, "2"),
        "the floor must be above the target when lower is better",
    ),
    ("rank ok", ("lower", "rank", "0", None, None), None),
]


@pytest.mark.parametrize(
    ("args", "msgid"), [c[1:] for c in INDICATORS], ids=[c[0] for c in INDICATORS]
)
def test_indicator_problem(args, msgid):
    direction, scoring, target, cap, floor = args
    problem = rules.indicator_problem(
        direction, scoring, D(target), D(cap) if cap else None, D(floor) if floor else None
    )
    assert (problem.msgid if problem else None) == msgid


FIGURES = [
    ("a figure", "5", True, None, None),
    ("zero is a figure", "0", True, None, None),
    ("negative output", "-1", True, None, "a figure cannot be negative"),
    ("missing", None, True, None, "enter a figure"),
]


@pytest.mark.parametrize(
    ("value", "open_", "state", "msgid"), [c[1:] for c in FIGURES], ids=[c[0] for c in FIGURES]
)
def test_figure_problem(value, open_, state, msgid):
    problem = rules.figure_problem(D(value) if value is not None else None)
    assert (problem.msgid if problem else None) == msgid


REPORTING = [
    ("open, no report", True, None, None),
    ("open, draft", True, "draft", None),
    ("open, returned: corrected", True, "returned", None),
    ("closed", False, "draft", "the period is closed for reporting"),
    (
        "submitted: reported twice",
        True,
        "submitted",
        "the report is already submitted for this period",
    ),
    ("accepted", True, "accepted", "the report is already submitted for this period"),
]


@pytest.mark.parametrize(
    ("open_", "state", "msgid"), [c[1:] for c in REPORTING], ids=[c[0] for c in REPORTING]
)
def test_reporting_problem(open_, state, msgid):
    problem = rules.reporting_problem(open_, state)
    assert (problem.msgid if problem else None) == msgid


GAPS = [
    ("higher, beyond", "higher", "100", "110", "10"),
    ("higher, short", "higher", "100", "90", "-10"),
    ("lower, beyond", "lower", "2", "1", "1"),
    ("missing", "higher", "100", None, None),
]


@pytest.mark.parametrize(
    ("direction", "target", "value", "expected"), [c[1:] for c in GAPS], ids=[c[0] for c in GAPS]
)
def test_gap_to_target(direction, target, value, expected):
    got = rules.gap_to_target(direction, D(target), D(value) if value else None)
    assert got == (D(expected) if expected else None)


def test_period_labels():
    assert rules.period_labels("quarter", 2026) == ["2026Q1", "2026Q2", "2026Q3", "2026Q4"]
    assert rules.period_labels("month", 2026)[::11] == ["2026-01", "2026-12"]


def test_the_chart_puts_rank_one_at_the_top():
    chart = rules.over_time(
        [("2026Q1", D(100), 1), ("2026Q2", D(50), 3), ("2026Q3", None, None)], 3
    )
    first, second, third = chart.points
    assert first.rank_y == chart.top and second.rank_y == chart.bottom and third.rank_y is None
    assert first.bar_h == 2 * second.bar_h and third.bar_h == 0
    assert chart.rank_line.count(",") == 2


def _reference(indicators, participants, figures, zeroed):
    """The rule of the module's docstring in decimals, step by step."""
    half = ROUND_HALF_UP
    out = {}
    achieved = {}
    for i in indicators:
        values = {p: figures[(p, i.id)] for p in participants if (p, i.id) in figures}
        if i.scoring == "rank":
            achieved[i.id] = rules.rank_achievements(values, i.direction)
        else:
            achieved[i.id] = {p: rules.achievement(i, v) for p, v in values.items()}
    for p in participants:
        parts = {
            i.id: (i.weight * achieved[i.id].get(p, D(0))).quantize(D("0.0001"), half)
            for i in indicators
        }
        total = sum(parts.values(), D(0)).quantize(D("0.01"), half)
        out[p] = (D(0) if p in zeroed else total, parts)
    return out


figure = st.decimals(min_value=0, max_value=100000, places=2, allow_nan=False, allow_infinity=False)


@settings(max_examples=150, deadline=None)
@given(
    values=st.lists(st.lists(figure | st.none(), min_size=4, max_size=4), min_size=1, max_size=6),
    targets=st.lists(st.integers(1, 5000), min_size=4, max_size=4),
    zeroed=st.sets(st.integers(0, 5)),
)
def test_the_whole_number_rule_is_the_decimal_rule(values, targets, zeroed):
    indicators = [
        Indicator(1, "higher", D(targets[0]), D("32.5"), "ratio", D(120)),
        Indicator(2, "lower", D(targets[1]), D("17.5"), "ratio", D("110.5")),
        Indicator(
            3,
            "higher" if targets[2] % 2 else "lower",
            D(targets[2]),
            D(25),
            "linear",
            D(120),
            D(targets[2]) - 50 if targets[2] % 2 else D(targets[2]) + 50,
        ),
        Indicator(4, "lower", D(0), D(25), "rank", D(120)),
    ]
    participants = list(range(len(values)))
    figures = {
        (p, i + 1): v for p, row in enumerate(values) for i, v in enumerate(row) if v is not None
    }
    got = rules.period_scores(indicators, participants, figures, zeroed)
    expected = _reference(indicators, participants, figures, zeroed)
    assert {p: (s.total, s.parts) for p, s in got.items()} == expected

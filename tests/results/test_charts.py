"""The chart rules, each pinned by a table of cases (no app, no database)."""

from decimal import Decimal as D

import pytest

from competitions.results.rules import charts
from competitions.results.rules.charts import ContestCount, JudgeMark


def totals(*values):
    return [D(str(v)) for v in values]


@pytest.mark.parametrize(
    ("values", "edges"),
    [
        ((), (0, 10, 0)),  # nothing to count
        ((12.5, 55, 95, 100), (0, 10, 10)),  # the default: tens over 0-100
        ((60, 80), (0, 10, 10)),  # a span of 20 is wide enough for the default
        ((81, 99), (80, 2, 10)),  # bunched: twos from 80
        ((61.5, 79.9), (60, 2, 10)),
        ((70, 75), (70, 1, 5)),
        ((90, 100), (90, 1, 10)),
        ((88.5, 100), (88, 2, 6)),  # ones would need 12 bins
        ((85,), (85, 1, 1)),  # one total: one bin
        ((85, 85), (85, 1, 1)),
        ((0, 150), (0, 20, 8)),  # beyond 100: a wider width
        ((101, 105), (101, 1, 4)),
    ],
)
def test_histogram_edges(values, edges):
    assert charts.histogram_edges(totals(*values)) == edges


@pytest.mark.parametrize(
    ("values", "counts"),
    [
        ((0, 9.99, 10, 89.99, 90, 100), [2, 1, 0, 0, 0, 0, 0, 0, 1, 2]),  # 100 in 90-100
        ((81, 82, 99.99, 100), [1, 1, 0, 0, 0, 0, 0, 0, 0, 2]),  # the last bin keeps its top
        ((85, 85, 85), [3]),
        ((), []),
    ],
)
def test_histogram_counts(values, counts):
    h = charts.histogram(totals(*values))
    assert [b.count for b in h.bins] == counts
    assert h.entries == len(values) == sum(counts)


@pytest.mark.parametrize(
    ("values", "ticks"),
    [
        ((55,) * 3 + (10,), [0, 1, 2, 3]),  # largest count 3: steps of 1
        ((55,) * 7 + (10,), [0, 2, 4, 6, 8]),  # 7: steps of 2 up to 8
        ((55,) * 12 + (10,), [0, 5, 10, 15]),
    ],
)
def test_histogram_count_axis(values, ticks):
    h = charts.histogram(totals(*values))
    assert [t.value for t in h.y_ticks] == ticks
    assert h.y_ticks[0].at == h.bottom and h.y_ticks[-1].at == h.top


def test_histogram_geometry():
    h = charts.histogram(totals(5, 55, 55, 95))
    tallest = max(h.bins, key=lambda b: b.count)
    assert tallest.low == 50 and tallest.y == h.top and tallest.height == h.bottom - h.top
    half = h.bins[0]
    assert half.height == tallest.height / 2 and half.y + half.height == h.bottom
    xs = [b.x for b in h.bins]
    assert xs == sorted(xs) and h.bins[-1].x + h.bins[-1].width <= h.right
    assert all(b.x < b.mid < b.x + b.width for b in h.bins)
    assert [t.value for t in h.x_ticks] == list(range(0, 101, 10))
    assert h.x_ticks[0].at == h.left and h.x_ticks[-1].at == h.right


def cc(contest_id, tier, entries, ranked=0, advancing=0):
    return ContestCount(contest_id, tier, entries, ranked, advancing)


@pytest.mark.parametrize(
    ("counts", "rows"),
    [
        ([], []),
        (
            [
                cc(3, "national", 6, 6, 0),
                cc(1, "enterprise", 40, 38, 3),
                cc(2, "enterprise", 20, 20, 3),
                cc(4, "county", 6, 5, 2),
            ],
            [
                ("enterprise", 2, 60, 58, 6, D("10.0")),
                ("county", 1, 6, 5, 2, D("33.3")),
                ("national", 1, 6, 6, 0, D("0.0")),
            ],
        ),
        (  # province and industry share a level: they keep the order of TIERS
            [cc(1, "industry", 3, 3, 1), cc(2, "province", 9, 9, 3), cc(3, "city", 0)],
            [
                ("city", 1, 0, 0, 0, None),
                ("province", 1, 9, 9, 3, D("33.3")),
                ("industry", 1, 3, 3, 1, D("33.3")),
            ],
        ),
        ([cc(1, "city", 3, 3, 2)], [("city", 1, 3, 3, 2, D("66.7"))]),  # 66.66… half up
    ],
)
def test_funnel_rows(counts, rows):
    f = charts.funnel(counts)
    assert [
        (r.tier, r.contests, r.entries, r.ranked, r.advancing, r.advancing_pct) for r in f.rows
    ] == rows


def test_funnel_geometry():
    f = charts.funnel(
        [cc(1, "city", 1000, 990, 9), cc(2, "province", 9, 9, 3), cc(3, "national", 0)]
    )
    city, province, national = f.rows
    assert city.entries_w == charts.FUNNEL_PLOT  # the widest tier fills the plot
    assert province.entries_w == pytest.approx(charts.FUNNEL_PLOT * 9 / 1000, abs=0.1)
    assert province.advancing_w == 2  # 3 of 1000 would be thinner than 2 units
    assert national.entries_w == national.advancing_w == 0
    for r in (city, province):  # centred
        centre = charts.FUNNEL_LEFT + charts.FUNNEL_PLOT / 2
        assert r.entries_x + r.entries_w / 2 == pytest.approx(centre, abs=0.1)
        assert r.advancing_x + r.advancing_w / 2 == pytest.approx(centre, abs=0.1)
    assert city.y < province.y < national.y and f.height > national.y + f.bar_h


def jm(entry, item, judge, value, max_mark=10, scale="marks"):
    return JudgeMark(entry, item, judge, D(str(value)), D(str(max_mark)), scale)


NAMES = {1: "Judge1", 2: "Judge2", 3: "Judge3"}


@pytest.mark.parametrize(
    ("marks", "rows"),
    [
        ([], []),
        (  # mean 8: ±2 of 10 is ±20 points; harshest first
            [jm(1, 1, 3, 10), jm(1, 1, 1, 6), jm(1, 1, 2, 8)],
            [(1, D("-20.00"), 1), (2, D("0.00"), 1), (3, D("20.00"), 1)],
        ),
        (  # items of different size compare in points of their max
            [jm(1, 1, 1, 5), jm(1, 1, 2, 7), jm(1, 2, 1, 3, 5), jm(1, 2, 2, 3, 5)],
            [(1, D("-5.00"), 2), (2, D("5.00"), 2)],
        ),
        (  # the WorldSkills 0-3 scale: a range of 3 whatever the max mark
            [jm(1, 1, 1, 1, 10, "ws3"), jm(1, 1, 2, 2, 10, "ws3")],
            [(1, D("-16.67"), 1), (2, D("16.67"), 1)],
        ),
        (  # a pair scored by one judge only is not compared; judge 3 drops out
            [jm(1, 1, 1, 4), jm(1, 1, 2, 6), jm(2, 1, 1, 9), jm(3, 1, 3, 1)],
            [(1, D("-10.00"), 1), (2, D("10.00"), 1)],
        ),
        (  # thirds, 2 places half up
            [jm(1, 1, 1, 0, 1), jm(1, 1, 2, 0, 1), jm(1, 1, 3, 1, 1)],
            [(1, D("-33.33"), 1), (2, D("-33.33"), 1), (3, D("66.67"), 1)],
        ),
        (  # a judge's figure is the mean over entries
            [jm(1, 1, 1, 4), jm(1, 1, 2, 6), jm(2, 1, 1, 6), jm(2, 1, 2, 6)],
            [(1, D("-5.00"), 2), (2, D("5.00"), 2)],
        ),
    ],
)
def test_judge_deviations(marks, rows):
    chart = charts.judge_deviations(marks, NAMES)
    assert [(r.judge_id, r.mean_pp, r.marks) for r in chart.rows] == rows
    assert all(r.name == NAMES[r.judge_id] for r in chart.rows)


@pytest.mark.parametrize(
    ("marks", "limit"),
    [
        ([], 1),
        ([jm(1, 1, 1, 5), jm(1, 1, 2, 5)], 1),  # everyone agrees
        ([jm(1, 1, 1, 6), jm(1, 1, 2, 8), jm(1, 1, 3, 10)], 20),
        ([jm(1, 1, 1, 1, 10, "ws3"), jm(1, 1, 2, 2, 10, "ws3")], 20),  # 16.67 → 20
        ([jm(1, 1, 1, 0, 1), jm(1, 1, 2, 0, 1), jm(1, 1, 3, 1, 1)], 100),  # 66.67 → 100
    ],
)
def test_judge_axis_limit(marks, limit):
    assert charts.judge_deviations(marks, NAMES).limit == limit


def test_judge_deviation_geometry():
    chart = charts.judge_deviations([jm(1, 1, 1, 6), jm(1, 1, 2, 8), jm(1, 1, 3, 10)], NAMES)
    harder, level, softer = chart.rows
    assert harder.x == chart.left and harder.x + harder.width == chart.zero  # -20 of ±20
    assert level.width == 0
    assert softer.x == chart.zero and softer.x + softer.width == chart.right
    assert harder.y < level.y < softer.y < chart.axis_y < chart.height

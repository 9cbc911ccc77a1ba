"""Pure rules of the union's figures: who reads which tree, and the charts' geometry.

No Flask, no database, no clock. ``tests/stats/test_rules.py`` pins each rule with a table of
cases.
"""

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

#: What the workers count per year and per unit's tree, with the breakdowns each has:
#: contests (by tier; "" all), contest_kinds (by kind), trades (contest-trades by industry),
#: entries (参赛人次: entries that take part, by tier; "" all), people (distinct persons),
#: units (distinct employers), enterprises (distinct employers that are enterprises), awards
#: (by award, published results only), promotions (granted, by the level granted),
#: innovations (innovation achievements submitted, by category), innovation_benefit (their
#: claimed benefit in whole yuan, by category).
MEASURES = (
    "contests",
    "contest_kinds",
    "trades",
    "entries",
    "people",
    "units",
    "enterprises",
    "awards",
    "promotions",
    "innovations",
    "innovation_benefit",
)
#: Measures that add up their values (yuan) instead of counting rows.
SUMMED = ("innovation_benefit",)


def may_read(
    scope: int | None, is_registrar: bool, granted: Iterable[int], chain: Sequence[int]
) -> bool:
    """Whether a user reads the figures of ``scope`` (a unit's tree; None: everything).

    Rule: a registrar reads everything; a union officer reads the trees of the units granted
    to them and every tree below (``chain`` is the scope unit and its ancestors, nearest
    first), never everything nor a tree beside or above theirs.
    """
    if is_registrar:
        return True
    if scope is None:
        return False
    return bool(set(granted) & set(chain))


def share(part: int, whole: int) -> Decimal | None:
    """``part`` as a percentage of ``whole``, 1 place half up; None when the whole is 0."""
    if not whole:
        return None
    return (Decimal(part) * 100 / Decimal(whole)).quantize(Decimal("0.1"), rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Bar:
    """One bar of a horizontal bar chart, in the chart's viewBox units."""

    label: str
    value: int
    y: float
    width: float


@dataclass(frozen=True)
class BarChart:
    """A horizontal bar chart: label column, bars to scale, value at the end of each bar."""

    bars: tuple[Bar, ...]
    height: float
    width: float = 600
    label_width: float = 160
    bar_height: float = 18


def bar_chart(rows: Iterable[tuple[str, int]], width: float = 600) -> BarChart:
    """Bars for (label, value) rows in the order given, the longest bar at 75 % of the space
    after the labels (room for its value); a 0 value draws no bar; an empty list no chart.

    Rule: bar width = value / the largest value × (width − label width) × 0.75; rows are
    24 units apart.
    """
    rows = list(rows)
    chart = BarChart((), 0, width)
    room = (width - chart.label_width) * 0.75
    top = max((v for _, v in rows), default=0)
    bars = tuple(
        Bar(label, value, 24.0 * i, round(room * value / top, 1) if top else 0.0)
        for i, (label, value) in enumerate(rows)
    )
    return BarChart(bars, 24.0 * len(bars), width)


@dataclass(frozen=True)
class Column:
    """One year's column of a trend chart."""

    year: int
    value: int
    x: float
    height: float


@dataclass(frozen=True)
class TrendChart:
    """Columns by year, the tallest at the chart's full height."""

    columns: tuple[Column, ...]
    width: float
    height: float = 120
    column_width: float = 36


def trend_chart(points: Iterable[tuple[int, int]]) -> TrendChart:
    """Columns for (year, value) points, by year; a missing year between two shown is a 0
    column (a year with nothing held is part of the trend).

    Rule: column height = value / the largest value × 120; columns are 48 units apart, centred
    in a chart at least 480 units wide (a year or two do not swell to the chart's width).
    """
    values = dict(points)
    if not values:
        return TrendChart((), 0)
    years = range(min(values), max(values) + 1)
    top = max(values.values())
    width = max(48.0 * len(years), 480.0)
    left = (width - 48.0 * len(years)) / 2
    columns = tuple(
        Column(
            year,
            values.get(year, 0),
            left + 48.0 * i,
            round(120 * values.get(year, 0) / top, 1) if top else 0.0,
        )
        for i, year in enumerate(years)
    )
    return TrendChart(columns, width)


def fingerprint(counts: Iterable) -> str:
    """What a year's figures were computed from, as one string: the workers compute the
    figures again only when it changes."""
    return "|".join(str(c) for c in counts)

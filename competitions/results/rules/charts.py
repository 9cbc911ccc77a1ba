"""Pure rules of the results charts: what each chart counts, and where its shapes go.

No Flask, no database, no clock. Each function states its rule; ``tests/results/test_charts.py``
pins it with a table of cases. The SVG geometry (in the units of each chart's ``viewBox``) is
computed here too, so the Jinja macros in ``templates/macros/charts.html`` only print numbers.
"""

from collections import defaultdict
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, replace
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal
from itertools import count

from competitions.judging.rules import ItemRule
from competitions.registry.rules import TIER_LEVEL, TIERS

#: Totals that all lie within less than this many points get narrower bins than the default.
ZOOM_SPAN = Decimal(20)
MAX_BINS = 10
HUNDRED = Decimal(100)


def nice_steps() -> Iterator[int]:
    """Steps a reader takes in at a glance: 1, 2, 5, 10, 20, 50, 100 …"""
    for power in count():
        yield from (m * 10**power for m in (1, 2, 5))


def _nice(needed: Decimal | int, parts: int) -> int:
    """The smallest nice step that covers ``needed`` in at most ``parts`` steps."""
    return next(s for s in nice_steps() if s * parts >= needed)


def _r(value) -> float:
    """A coordinate, to one decimal place."""
    return round(float(value), 1)


# --- Histogram of totals ------------------------------------------------------------------------


@dataclass(frozen=True)
class Bin:
    """One bar: the totals from ``low`` up to ``high`` (``high`` included in the last bin)."""

    low: int
    high: int
    count: int
    x: float = 0
    y: float = 0
    width: float = 0
    height: float = 0
    #: The middle of the bar, where its count is written.
    mid: float = 0


@dataclass(frozen=True)
class Tick:
    """An axis mark: its value and its position along the axis."""

    value: int
    at: float


@dataclass(frozen=True)
class Histogram:
    """The bins of a contest-trade's totals and the chart's frame."""

    bins: tuple[Bin, ...]
    entries: int
    x_ticks: tuple[Tick, ...] = ()
    y_ticks: tuple[Tick, ...] = ()
    width: int = 640
    height: int = 250
    left: int = 48
    right: int = 628
    top: int = 22
    bottom: int = 206


def histogram_edges(totals: list[Decimal]) -> tuple[int, int, int]:
    """(start, bin width, number of bins) for these totals.

    Rule: by default ten bins of width 10 over 0-100. When a total lies outside 0-100, or all the
    totals lie within less than 20 points of each other, the bins start at the lowest total
    rounded down to the width, and the width is the smallest of 1, 2, 5, 10, 20, 50, 100 …
    that covers the totals in at most 10 bins. No totals: no bins.
    """
    if not totals:
        return 0, 10, 0
    low, high = min(totals), max(totals)
    if low >= 0 and high <= HUNDRED and high - low >= ZOOM_SPAN:
        return 0, 10, 10
    for width in nice_steps():
        start = int((low / width).to_integral_value(ROUND_FLOOR)) * width
        bins = max(1, int(((high - start) / width).to_integral_value(ROUND_CEILING)))
        if bins <= MAX_BINS:
            return start, width, bins


def histogram(totals: Iterable[Decimal]) -> Histogram:
    """Count the totals into bins (see ``histogram_edges``) and place the bars.

    Rule: a total t falls in bin ⌊(t − start) / width⌋; every bin is [low, high) except the last,
    which is [low, high], so a total of 100 counts in 90-100. Bar heights scale to a count axis
    whose top is the largest count rounded up to a nice step (at most 5 steps).
    """
    totals = [Decimal(t) for t in totals]
    start, width, n_bins = histogram_edges(totals)
    counts = [0] * n_bins
    for t in totals:
        counts[min(n_bins - 1, int((t - start) // width))] += 1
    frame = Histogram(bins=(), entries=len(totals))
    if not n_bins:
        return frame
    step = _nice(max(counts), 5)
    y_top = -(-max(counts) // step) * step
    plot_w, plot_h = frame.right - frame.left, frame.bottom - frame.top
    slot = plot_w / n_bins
    gap = min(6, slot * 0.15)
    bins = []
    for i, n in enumerate(counts):
        h = plot_h * n / y_top
        low = start + i * width
        x = frame.left + i * slot + gap / 2
        bar = Bin(low, low + width, n, _r(x), _r(frame.bottom - h), _r(slot - gap), _r(h))
        bins.append(replace(bar, mid=_r(x + (slot - gap) / 2)))
    x_ticks = tuple(Tick(start + i * width, _r(frame.left + i * slot)) for i in range(n_bins + 1))
    y_ticks = tuple(
        Tick(v, _r(frame.bottom - plot_h * v / y_top)) for v in range(0, y_top + 1, step)
    )
    return Histogram(tuple(bins), len(totals), x_ticks, y_ticks)


# --- Funnel of entries by tier ------------------------------------------------------------------


@dataclass(frozen=True)
class ContestCount:
    """What one contest of a chain counts (for one trade or all): entries, ranked, advancing."""

    contest_id: int
    tier: str
    entries: int
    ranked: int = 0
    advancing: int = 0


@dataclass(frozen=True)
class FunnelRow:
    """One tier of the funnel, with its bars: all entries, and those who advance."""

    tier: str
    contests: int
    entries: int
    ranked: int
    advancing: int
    #: Advancing as a percentage of the tier's entries (1 place); None with no entries.
    advancing_pct: Decimal | None
    y: float = 0
    entries_x: float = 0
    entries_w: float = 0
    advancing_x: float = 0
    advancing_w: float = 0
    #: The middle of the row, where its labels are written.
    mid_y: float = 0


@dataclass(frozen=True)
class Funnel:
    """The tiers of a contest chain, bottom tier first, and the chart's frame."""

    rows: tuple[FunnelRow, ...]
    width: int = 720
    height: int = 0
    bar_h: int = 26
    label_x: int = 104
    value_x: int = 486


FUNNEL_LEFT, FUNNEL_PLOT, FUNNEL_ROW = 116, 360, 40


def funnel(counts: Iterable[ContestCount]) -> Funnel:
    """Add up a chain's contests by tier, bottom tier first (enterprise → national).

    Rule: each tier's row sums the entries, ranked entries and advancing entries of its contests
    and counts the contests; tiers without a contest are left out; tiers of the same level
    (province, industry) keep the order of ``TIERS``. The share advancing is advancing × 100 /
    entries, 1 place half up. Bars are centred, their widths proportional to the largest tier's
    entries (a bar that is not empty is at least 2 units wide).
    """
    sums: dict[str, list] = defaultdict(lambda: [set(), 0, 0, 0])
    for c in counts:
        s = sums[c.tier]
        s[0].add(c.contest_id)
        s[1], s[2], s[3] = s[1] + c.entries, s[2] + c.ranked, s[3] + c.advancing
    order = sorted(sums, key=lambda t: (TIER_LEVEL[t], TIERS.index(t)))
    widest = max((sums[t][1] for t in order), default=0) or 1
    rows = []
    for i, tier in enumerate(order):
        contests, entries, ranked, advancing = sums[tier]
        pct = None
        if entries:
            pct = (Decimal(advancing) * HUNDRED / entries).quantize(Decimal("0.1"), ROUND_HALF_UP)
        e_w, a_w = (_bar(n, widest) for n in (entries, advancing))
        centre = FUNNEL_LEFT + FUNNEL_PLOT / 2
        rows.append(
            FunnelRow(
                tier,
                len(contests),
                entries,
                ranked,
                advancing,
                pct,
                y=_r(8 + i * FUNNEL_ROW),
                mid_y=_r(8 + i * FUNNEL_ROW + 13),
                entries_x=_r(centre - e_w / 2),
                entries_w=e_w,
                advancing_x=_r(centre - a_w / 2),
                advancing_w=a_w,
            )
        )
    return Funnel(tuple(rows), height=len(rows) * FUNNEL_ROW + 16)


def _bar(n: int, widest: int) -> float:
    """A bar's width on the funnel's scale; at least 2 units when not empty."""
    return _r(max(2, FUNNEL_PLOT * n / widest)) if n else 0.0


# --- Judges against the panel mean --------------------------------------------------------------


@dataclass(frozen=True)
class JudgeMark:
    """One judge's score of one item of one entry, with what the item's scale needs."""

    entry_id: int
    item_id: int
    judge_id: int
    value: Decimal
    max_mark: Decimal
    scale: str = "marks"


@dataclass(frozen=True)
class JudgeDeviation:
    """One judge's mean deviation from the panel, in percentage points of the items' range."""

    judge_id: int
    name: str
    #: Below zero: harder than the panel; above: softer.
    mean_pp: Decimal
    #: How many of the judge's marks were compared (on items other judges also scored).
    marks: int
    y: float = 0
    x: float = 0
    width: float = 0
    #: The middle of the row, where its labels are written.
    mid_y: float = 0


@dataclass(frozen=True)
class DeviationChart:
    """The judges' rows, harshest first, and the chart's frame."""

    rows: tuple[JudgeDeviation, ...]
    #: The axis runs from −limit to +limit percentage points.
    limit: int = 1
    width: int = 720
    height: int = 0
    left: int = 160
    right: int = 560
    zero: float = 360
    bar_h: int = 20
    #: Where the axis and its words go, below the rows.
    axis_y: int = 0


DEVIATION_ROW = 30


def judge_deviations(marks: Iterable[JudgeMark], names: dict[int, str]) -> DeviationChart:
    """Each judge's marks against the mean of all judges' marks on the same entry and item.

    Rule: for every (entry, item) that two or more judges scored, the panel mean is the mean of
    their scores; each score's deviation is (score − panel mean) × 100 / the item's score range
    (its max mark; 3 on the WorldSkills 0-3 scale), in percentage points, so items of different
    size compare. A judge's figure is the mean of their deviations, 2 places half up, with the
    number of marks compared; (entry, item) pairs scored by one judge only are left out, and so
    is a judge with nothing compared. Rows go harshest first (then by name). The axis limit is
    the largest |figure| rounded up to a nice step (1, 2, 5, 10 …; at least 1).
    """
    groups: dict[tuple[int, int], list[JudgeMark]] = defaultdict(list)
    for m in marks:
        groups[(m.entry_id, m.item_id)].append(m)
    per_judge: dict[int, list[Decimal]] = defaultdict(list)
    for group in groups.values():
        if len(group) < 2:
            continue
        mean = sum((m.value for m in group), Decimal(0)) / len(group)
        for m in group:
            score_max = ItemRule(max_mark=m.max_mark, scale=m.scale).score_max
            per_judge[m.judge_id].append((m.value - mean) * HUNDRED / score_max)
    figures = {
        j: (sum(d, Decimal(0)) / len(d)).quantize(Decimal("0.01"), ROUND_HALF_UP)
        for j, d in per_judge.items()
    }
    order = sorted(figures, key=lambda j: (figures[j], names.get(j, ""), j))
    frame = DeviationChart(rows=())
    limit = _nice(max((abs(v) for v in figures.values()), default=0), 1)
    half = (frame.right - frame.left) / 2
    rows = []
    for i, j in enumerate(order):
        w = half * float(figures[j]) / limit
        rows.append(
            JudgeDeviation(
                j,
                names.get(j, str(j)),
                figures[j],
                len(per_judge[j]),
                y=_r(10 + i * DEVIATION_ROW),
                mid_y=_r(20 + i * DEVIATION_ROW),
                x=_r(frame.zero + min(w, 0)),
                width=_r(abs(w)),
            )
        )
    axis_y = len(rows) * DEVIATION_ROW + 18
    return DeviationChart(tuple(rows), limit, height=axis_y + 34, axis_y=axis_y)

"""The rules of a labour competition (劳动竞赛): scoring indicators, vetoes, ranking, the running
total, commendation, and what makes a scheme or a figure acceptable. Pure functions over plain
data: the pages, the workers and the bench call the same rules.

The score of one participant in one period:

- Each **indicator** has a direction (higher or lower is better), a target, a weight (the
  weights of a scheme add up to exactly 100) and a scoring rule. Its **achievement** is a
  fraction, rounded half up to 6 places:

  - ``ratio``: the figure over the target (the target over the figure when lower is better;
    a figure of 0 then achieves the cap), between 0 and the cap (a percentage, e.g. 120).
  - ``linear``: 0 at the floor (or beyond it), 1 at the target (or beyond it), linear between.
    For "higher is better" the floor is below the target, for "lower is better" above it.
  - ``rank``: among the participants with a figure for the indicator in the period, the best
    achieves 1 and the worst 0, linear by rank: ``(n - rank) / (n - 1)`` with shared ranks
    (1, 1, 3); one participant alone achieves 1.

- A **missing figure** (not reported, or not accepted by the organiser) scores 0 and is
  listed as missing.
- The indicator's **score** is weight × achievement, rounded half up to 4 places; the
  period's **total** is the sum of the indicator scores, rounded half up to 2 places.
- A **veto** (一票否决) of effect ``zero`` in the period sets the period's total to 0; a veto
  of effect ``no_commendation`` leaves the scores but removes the participant from the
  commendation at the end.
- **Ranks** are by total, highest first; equal totals share a rank (1, 1, 3).
- The **running total** after a period is the sum of the period totals so far (a missing
  period counts 0), ranked the same way.
- **Commendation** (劳动竞赛标兵…) goes to the first ``top_n`` places of the running total at
  the end among the participants not removed by a veto, ranked among themselves; a tie at the
  last place takes everyone tied.
"""

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

from competitions.core.words import N_, Reason

DIRECTIONS = ("higher", "lower")
SCORINGS = ("ratio", "linear", "rank")
VETO_EFFECTS = ("zero", "no_commendation")
PERIOD_KINDS = ("month", "quarter")
PARTICIPANT_KINDS = ("unit", "project_team", "work_team")
#: A report's states: draft (the reporter is filling it in), submitted (awaiting the
#: organiser), returned (with a reason; the reporter corrects it), accepted.
REPORT_STATES = ("draft", "submitted", "returned", "accepted")
#: The award a commendation writes on a result (certificates print it).
COMMENDATION_AWARDS = ("labour_model", "advanced_collective", "pioneer")
#: The most a weight may be given to (the scheme must add up to exactly this).
WEIGHT_TOTAL = Decimal(100)

ACHIEVEMENT_PLACES = Decimal("0.000001")
SCORE_PLACES = Decimal("0.0001")
TOTAL_PLACES = Decimal("0.01")


@dataclass(frozen=True)
class Indicator:
    """An indicator of the scheme as the rules need it."""

    id: int
    direction: str
    target: Decimal
    weight: Decimal
    scoring: str
    #: The cap of a ratio, in percent of the target (e.g. 120).
    cap: Decimal = Decimal(120)
    #: The floor of a linear rule (0 achieved there).
    floor: Decimal | None = None


@dataclass
class Score:
    """One participant's score in one period."""

    total: Decimal
    #: indicator id → score (weight × achievement).
    parts: dict = field(default_factory=dict)
    #: indicator ids without an accepted figure.
    missing: tuple = ()
    #: Whether a veto set the total to 0.
    vetoed: bool = False


def _round(value: Decimal, places: Decimal) -> Decimal:
    return value.quantize(places, rounding=ROUND_HALF_UP)


def _clamp(value: Decimal, low: Decimal, high: Decimal) -> Decimal:
    return max(low, min(high, value))


def achievement(indicator: Indicator, value: Decimal) -> Decimal:
    """The achievement (a fraction) of a figure on a ``ratio`` or ``linear`` indicator."""
    if indicator.scoring == "ratio":
        cap = indicator.cap / 100
        if indicator.direction == "higher":
            raw = value / indicator.target
        else:
            raw = cap if value == 0 else indicator.target / value
        return _round(_clamp(raw, Decimal(0), cap), ACHIEVEMENT_PLACES)
    if indicator.scoring == "linear":
        floor, target = indicator.floor, indicator.target
        if indicator.direction == "higher":
            raw = (value - floor) / (target - floor)
        else:
            raw = (floor - value) / (floor - target)
        return _round(_clamp(raw, Decimal(0), Decimal(1)), ACHIEVEMENT_PLACES)
    raise ValueError(f"{indicator.scoring} is scored among participants (rank_achievements)")


def shared_ranks(values: Mapping, higher_first: bool = True) -> dict:
    """Rank keys by value (highest first, or lowest first); equal values share a rank (1, 1, 3)."""
    order = sorted(values.items(), key=lambda kv: -kv[1] if higher_first else kv[1])
    ranks, previous, rank = {}, None, 0
    for n, (key, value) in enumerate(order, start=1):
        if value != previous:
            rank, previous = n, value
        ranks[key] = rank
    return ranks


def rank_achievements(values: Mapping, direction: str) -> dict:
    """The achievement of each participant's figure on a ``rank`` indicator (see the module)."""
    ranks = shared_ranks(values, higher_first=direction == "higher")
    n = len(ranks)
    if n == 1:
        return dict.fromkeys(ranks, Decimal(1))
    return {
        k: _round(Decimal(n - r) / Decimal(n - 1), ACHIEVEMENT_PLACES) for k, r in ranks.items()
    }


def period_scores(
    indicators: Iterable[Indicator],
    participants: Iterable,
    figures: Mapping,
    zeroed: Iterable = (),
) -> dict:
    """Each participant's ``Score`` in one period from the accepted ``figures``
    ({(participant, indicator id): value}); ``zeroed``: the participants with a veto of effect
    "zero" in the period. Computed by ``scaled_scores`` (the same rule in whole numbers)."""
    indicators = list(indicators)
    scaled = scaled_scores(
        [scaled_indicator(i) for i in indicators],
        participants,
        {key: to_units(value) for key, value in figures.items()},
        zeroed,
    )
    return {
        p: Score(
            Decimal(total).scaleb(-2),
            {i: Decimal(v).scaleb(-4) for i, v in parts.items()},
            missing,
            vetoed,
        )
        for p, (total, parts, missing, vetoed) in scaled.items()
    }


# --- The same rule in whole numbers, for a province's month on the workers ------------------------
#
# Figures, targets and floors are kept to 4 places (``FIGURE_UNITS`` per unit), achievements to 6,
# indicator scores to 4 and totals to 2: as whole numbers, rounding half up by integer division,
# the results are exactly those of the decimal rule above (``tests/labour/test_rules.py`` checks
# them against it), at a fraction of the cost of Decimal's quantize.

FIGURE_UNITS = 10_000
ACHIEVEMENT_UNITS = 1_000_000


def to_units(value: Decimal) -> int:
    """A figure in ten-thousandths (figures are kept to 4 places)."""
    return int(value.scaleb(4))


def _div(num: int, den: int) -> int:
    """num / den rounded half up, for num >= 0 and den > 0."""
    return (2 * num + den) // (2 * den)


@dataclass(frozen=True)
class ScaledIndicator:
    id: int
    higher: bool
    scoring: str
    #: In ten-thousandths.
    target: int
    floor: int
    #: The cap as an achievement (millionths).
    cap: int
    #: In hundredths of a point.
    weight: int


def scaled_indicator(ind: Indicator) -> ScaledIndicator:
    return ScaledIndicator(
        ind.id,
        ind.direction == "higher",
        ind.scoring,
        to_units(ind.target),
        to_units(ind.floor) if ind.floor is not None else 0,
        int((ind.cap / 100).scaleb(6)),
        int(ind.weight.scaleb(2)),
    )


def scaled_achievements(ind: ScaledIndicator, values: Mapping) -> dict:
    """``achievement`` and ``rank_achievements`` in millionths, of figures in ten-thousandths."""
    one, t, f, cap = ACHIEVEMENT_UNITS, ind.target, ind.floor, ind.cap
    if ind.scoring == "rank":
        ranks = shared_ranks(values, higher_first=ind.higher)
        n = len(ranks)
        if n == 1:
            return dict.fromkeys(ranks, one)
        return {k: _div((n - r) * one, n - 1) for k, r in ranks.items()}
    out = {}
    if ind.scoring == "ratio":
        for k, v in values.items():
            # Lower is better: the target over the figure; a figure of 0 achieves the cap.
            a = _div(v * one, t) if ind.higher else (cap if v == 0 else _div(t * one, v))
            out[k] = a if a < cap else cap
        return out
    for k, v in values.items():  # linear
        if ind.higher:
            a = 0 if v <= f else one if v >= t else _div((v - f) * one, t - f)
        else:
            a = 0 if v >= f else one if v <= t else _div((f - v) * one, f - t)
        out[k] = a
    return out


def scaled_scores(
    indicators: list, participants: Iterable, figures: Mapping, zeroed: Iterable = ()
) -> dict:
    """{participant: (total in hundredths, {indicator id: score in ten-thousandths}, missing
    indicator ids, vetoed)} from figures in ten-thousandths ({(participant, indicator id): n})."""
    participants, zeroed = list(participants), set(zeroed)
    achieved = {}
    for ind in indicators:
        key = ind.id
        values = {p: figures[(p, key)] for p in participants if (p, key) in figures}
        achieved[key] = scaled_achievements(ind, values)
    out = {}
    for p in participants:
        parts, missing = {}, []
        for ind in indicators:
            a = achieved[ind.id].get(p)
            if a is None:
                missing.append(ind.id)
                parts[ind.id] = 0
            else:
                parts[ind.id] = (ind.weight * a + 5_000) // 10_000
        vetoed = p in zeroed
        total = 0 if vetoed else (sum(parts.values()) + 50) // 100
        out[p] = (total, parts, tuple(missing), vetoed)
    return out


def running_totals(period_totals: Iterable[Mapping], participants: Iterable) -> dict:
    """Each participant's running total: the sum of its totals in the periods given (0 where a
    period has none)."""
    participants = list(participants)
    out = dict.fromkeys(participants, Decimal("0.00"))
    for totals in period_totals:
        for p in participants:
            out[p] += totals.get(p, Decimal(0))
    return {p: _round(v, TOTAL_PLACES) for p, v in out.items()}


def commended(totals: Mapping, excluded: Iterable, top_n: int) -> set:
    """The participants commended: the first ``top_n`` by running total among those not
    ``excluded`` (a veto of effect "no_commendation"), ties at the last place all in."""
    excluded = set(excluded)
    ranks = shared_ranks({p: t for p, t in totals.items() if p not in excluded})
    return {p for p, r in ranks.items() if r <= top_n}


def gap_to_target(direction: str, target: Decimal, value: Decimal | None) -> Decimal | None:
    """How far a figure is beyond its target in the better direction (negative: short of it);
    None for a missing figure."""
    if value is None:
        return None
    return value - target if direction == "higher" else target - value


def weights_problem(weights: Iterable[Decimal]) -> Reason | None:
    """Why a scheme's weights are refused: they must add up to exactly 100."""
    weights = list(weights)
    if any(w <= 0 for w in weights):
        return Reason.of(N_("every weight must be more than 0"))
    total = sum(weights, Decimal(0))
    if total != WEIGHT_TOTAL:
        return Reason.of(
            N_("the weights add up to %(total)s, not 100"), total=f"{total.normalize():f}"
        )
    return None


def indicator_problem(
    direction: str, scoring: str, target: Decimal, cap: Decimal | None, floor: Decimal | None
) -> Reason | None:
    """Why an indicator's settings are refused (the form shows it next to the field)."""
    if direction not in DIRECTIONS or scoring not in SCORINGS:
        return Reason.of(N_("choose a direction and a scoring rule"))
    if target < 0 or (scoring == "ratio" and target == 0):
        return Reason.of(N_("the target must be more than 0"))
    if scoring == "ratio" and (cap is None or cap < 100):
        return Reason.of(N_("the cap must be at least 100 percent"))
    if scoring == "linear":
        if floor is None:
            return Reason.of(N_("a linear rule needs a floor"))
        if direction == "higher" and floor >= target:
            return Reason.of(N_("the floor must be below the target when higher is better"))
        if direction == "lower" and floor <= target:
            return Reason.of(N_("the floor must be above the target when lower is better"))
    return None


def figure_problem(value: Decimal | None) -> Reason | None:
    """Why a reported figure is refused: missing, or negative (no output is below 0)."""
    if value is None:
        return Reason.of(N_("enter a figure"))
    if value < 0:
        return Reason.of(N_("a figure cannot be negative"))
    return None


def reporting_problem(period_open: bool, state: str | None) -> Reason | None:
    """Why a reporter may not change the period's report now: the period is closed, or the
    report is with the organiser or accepted."""
    if not period_open:
        return Reason.of(N_("the period is closed for reporting"))
    if state in ("submitted", "accepted"):
        return Reason.of(N_("the report is already submitted for this period"))
    return None


def period_labels(kind: str, year: int) -> list[str]:
    """The periods of a year: 2026-01 … 2026-12, or 2026Q1 … 2026Q4."""
    if kind == "month":
        return [f"{year}-{m:02d}" for m in range(1, 13)]
    return [f"{year}Q{q}" for q in range(1, 5)]


# --- The chart of a participant's scores and ranks over time ------------------------------------


@dataclass(frozen=True)
class ChartPoint:
    label: str
    total: Decimal | None
    rank: int | None
    x: float
    #: Where the score's bar starts (its top) and how tall it is; where the rank's dot is.
    bar_y: float
    bar_h: float
    rank_y: float | None


@dataclass(frozen=True)
class OverTime:
    """The SVG geometry of a participant's period scores (bars, left axis 0 to the highest
    score) and ranks (a line, right axis, rank 1 at the top down to the number ranked)."""

    width: int
    height: int
    top: int
    bottom: int
    left: int
    right: int
    bar_w: float
    points: tuple
    #: The rank line's "x,y x,y …" (periods with a rank only).
    rank_line: str
    score_max: Decimal
    ranked: int


def over_time(rows: Iterable[tuple], ranked: int, width: int = 400, height: int = 220) -> OverTime:
    """Place each period's bar (its total, on a scale from 0 to the highest total or 100) and
    its rank's dot (1 at the top, ``ranked`` at the bottom); a period not scored has neither."""
    rows = list(rows)
    left, right, top, bottom = 44, width - 44, 16, height - 34
    span = max([r[1] for r in rows if r[1] is not None] + [Decimal(100)])
    step = (right - left) / max(len(rows), 1)
    points = []
    for n, (label, total, rank) in enumerate(rows):
        x = left + step * n + step / 2
        h = float(total) / float(span) * (bottom - top) if total is not None else 0.0
        rank_y = None
        if rank is not None:
            rank_y = top + (bottom - top) * ((rank - 1) / (ranked - 1) if ranked > 1 else 0)
        points.append(
            ChartPoint(
                label,
                total,
                rank,
                round(x, 1),
                round(bottom - h, 1),
                round(h, 1),
                None if rank_y is None else round(rank_y, 1),
            )
        )
    line = " ".join(f"{p.x},{p.rank_y}" for p in points if p.rank_y is not None)
    return OverTime(
        width,
        height,
        top,
        bottom,
        left,
        right,
        round(min(step * 0.6, 36), 1),
        tuple(points),
        line,
        span,
        ranked,
    )

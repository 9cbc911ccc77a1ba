"""Pure rules of marking: no Flask, no database, no clock.

Marks are ``Decimal`` in and out. Intermediate values keep 4 decimals (half up); the results work
rounds totals later. ``tests/judging/test_rules.py`` pins every rule with a table of cases.
"""

import re
from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from competitions.core.words import N_, Reason

FOUR_PLACES = Decimal("0.0001")
AGGREGATIONS = ("mean", "trimmed_mean", "median", "closest_pair")
#: WorldSkills judgement: judges score 0-3 and the mark is max × mean / 3.
WS_SCALE_MAX = Decimal(3)


def _q(value: Decimal) -> Decimal:
    """Keep 4 decimals, half up."""
    return value.quantize(FOUR_PLACES, rounding=ROUND_HALF_UP)


def _mean(values: list[Decimal]) -> Decimal:
    return sum(values, Decimal(0)) / len(values)


def aggregate(values: list[Decimal], method: str) -> Decimal:
    """Combine the judges' scores of one item for one entry, to 4 decimals (half up).

    - mean: the arithmetic mean.
    - trimmed_mean: drop one highest and one lowest, mean of the rest (needs 3 or more scores;
      with fewer it is the mean). The Chinese default with 5 judges.
    - median: the middle score, or the mean of the two middle scores.
    - closest_pair: with 3 scores, the mean of the two closest; when both gaps are equal, the
      middle score (which is then also the mean of all three). With other counts, the median.
    """
    if not values:
        raise ValueError("no scores to aggregate")
    ordered = sorted(values)
    n = len(ordered)
    if method == "mean" or (method == "trimmed_mean" and n < 3):
        return _q(_mean(ordered))
    if method == "trimmed_mean":
        return _q(_mean(ordered[1:-1]))
    if method == "closest_pair" and n == 3:
        low, mid, high = ordered
        if mid - low < high - mid:
            return _q((low + mid) / 2)
        if high - mid < mid - low:
            return _q((mid + high) / 2)
        return _q(mid)
    if method in ("median", "closest_pair"):
        middle = n // 2
        return _q(ordered[middle] if n % 2 else (ordered[middle - 1] + ordered[middle]) / 2)
    raise ValueError(f"unknown aggregation {method!r}")


@dataclass(frozen=True)
class ItemRule:
    """What marking one item needs to know: its maximum, scale, step, judges and aggregation."""

    max_mark: Decimal
    #: "marks" (scores are marks from 0 to max) or "ws3" (WorldSkills 0-3 judgement scores).
    scale: str = "marks"
    #: The smallest step a score may take (e.g. 0.5, 0.01, or 1 on the 0-3 scale).
    step: Decimal = Decimal("0.01")
    judges: int = 1
    aggregation: str = "mean"
    #: Largest allowed spread between judges; None for the default.
    tolerance: Decimal | None = None

    @property
    def score_max(self) -> Decimal:
        """The largest score a judge may give: 3 on the WorldSkills scale, else the max mark."""
        return WS_SCALE_MAX if self.scale == "ws3" else self.max_mark


def default_tolerance(rule: ItemRule) -> Decimal:
    """The default disagreement tolerance: 1 point on the 0-3 scale, else 10% of the max mark."""
    return Decimal(1) if rule.scale == "ws3" else _q(rule.max_mark / 10)


def disagreement(values: list[Decimal], rule: ItemRule) -> Decimal | None:
    """The judges' spread (max − min) when it exceeds the item's tolerance, else None.

    Rule: with two or more scores, an item is flagged when max − min > tolerance (strictly);
    the tolerance is the item's own, or the default (see ``default_tolerance``).
    """
    if len(values) < 2:
        return None
    spread = max(values) - min(values)
    tolerance = rule.tolerance if rule.tolerance is not None else default_tolerance(rule)
    return spread if spread > tolerance else None


def item_mark(values: list[Decimal], rule: ItemRule) -> Decimal:
    """The item's mark for one entry: the aggregate, converted from the 0-3 scale where used.

    Rule: on the WorldSkills scale the mark is max × aggregate / 3; otherwise the aggregate.
    """
    combined = aggregate(values, rule.aggregation)
    if rule.scale == "ws3":
        return _q(rule.max_mark * combined / WS_SCALE_MAX)
    return combined


def score_problem(raw: str, rule: ItemRule) -> Reason | None:
    """Why a typed score is not acceptable for the item, or None.

    Rule: a plain decimal number, from 0 to the score maximum, a whole multiple of the step.
    """
    try:
        value = Decimal(str(raw).strip())
    except ArithmeticError:
        return Reason.of(N_("not a number"))
    if not value.is_finite():
        return Reason.of(N_("not a number"))
    if value < 0:
        return Reason.of(N_("a mark cannot be negative"))
    if value > rule.score_max:
        return Reason.of(N_("above the maximum of %(max)s"), max=_plain(rule.score_max))
    if value % rule.step != 0:
        return Reason.of(N_("must be in steps of %(step)s"), step=_plain(rule.step))
    return None


def parse_score(raw: str) -> Decimal:
    """A typed score as a Decimal (call once ``score_problem`` said it is fine)."""
    return Decimal(str(raw).strip())


#: Longest time used accepted (a practical exam lasts hours, never days): 99:59:59.
MAX_TIME_USED = 100 * 3600 - 1
_TIME_WORDS = re.compile(r"^(?:(\d+)(?:小时|时))?(?:(\d+)分(?:钟)?)?(?:(\d+)秒(?:钟)?)?$")


def time_used_problem(raw: str) -> Reason | None:
    """Why a typed time used (用时) is not acceptable, or None.

    Rule: minutes and seconds as ``mm:ss`` (also ``h:mm:ss``, a full-width colon, or Chinese
    ``52分30秒`` / ``1小时5分``), or whole minutes alone (``52``); seconds and, after hours,
    minutes below 60; not zero; at most 99:59:59.
    """
    try:
        seconds = _time_seconds(raw)
    except ValueError:
        return Reason.of(N_("write the time as minutes:seconds, e.g. 52:30"))
    if seconds == 0:
        return Reason.of(N_("a time used cannot be zero"))
    if seconds > MAX_TIME_USED:
        return Reason.of(N_("longer than 99 hours: check the time"))
    return None


def parse_time_used(raw: str) -> int:
    """A typed time used in seconds (call once ``time_used_problem`` said it is fine)."""
    return _time_seconds(raw)


def _time_seconds(raw: str) -> int:
    text = str(raw).strip().replace("：", ":").replace(" ", "")
    if text.isdigit():
        return int(text) * 60
    if ":" in text:
        parts = text.split(":")
        if len(parts) not in (2, 3) or not all(p.isdigit() for p in parts):
            raise ValueError(raw)
        numbers = [int(p) for p in parts]
        if numbers[-1] > 59 or (len(numbers) == 3 and numbers[1] > 59):
            raise ValueError(raw)
        hours, minutes, seconds = [0] * (3 - len(numbers)) + numbers
        return hours * 3600 + minutes * 60 + seconds
    match = _TIME_WORDS.match(text)
    if not text or not match or not any(match.groups()):
        raise ValueError(raw)
    hours, minutes, seconds = (int(g or 0) for g in match.groups())
    if seconds > 59 or (hours and minutes > 59):
        raise ValueError(raw)
    return hours * 3600 + minutes * 60 + seconds


def format_time_used(seconds: int | None) -> str:
    """A time used as people write it: ``mm:ss`` (minutes may pass 59: ``75:05``); "" if none."""
    if seconds is None:
        return ""
    return f"{seconds // 60:02d}:{seconds % 60:02d}"


def _plain(value: Decimal) -> str:
    """A decimal without trailing zeros ("0.50" → "0.5", "3.00" → "3")."""
    return format(value.normalize(), "f")


@dataclass(frozen=True)
class Affiliation:
    """Where a judge or an entry belongs: a unit (with its ancestors) and a delegation."""

    unit_path: tuple[int, ...] = ()  # the unit first, then its ancestors up to the root
    delegation_id: int | None = None


def recusal_reason(
    judge: Affiliation,
    entry: Affiliation,
    entry_person_id: int,
    declared_person_ids: frozenset[int],
    enterprise_unit_ids: frozenset[int],
) -> Reason | None:
    """Why a judge must not mark an entry (回避), or None.

    Rule: a judge recuses from an entry when (1) they declared a relation with its contestant;
    (2) they come with the entry's delegation; (3) their unit is the entry's unit, or the two
    units share an enterprise (one is an enterprise that contains the other, e.g. a steel company
    and its rolling mill). Unions and bureaus above many enterprises do not count as shared.
    """
    if entry_person_id in declared_person_ids:
        return Reason.of(N_("the judge declared a relation with this contestant"))
    if judge.delegation_id is not None and judge.delegation_id == entry.delegation_id:
        return Reason.of(N_("the judge comes with the contestant's delegation"))
    if judge.unit_path and entry.unit_path:
        if judge.unit_path[0] == entry.unit_path[0]:
            return Reason.of(N_("the judge works in the contestant's unit"))
        shared = set(judge.unit_path) & set(entry.unit_path) & enterprise_unit_ids
        if shared:
            return Reason.of(N_("the judge and the contestant work in the same enterprise"))
    return None


def sees_who(roles: set[str], marks_locked: bool, result_state: str | None) -> bool:
    """Whether someone with these roles in the contest may see who is behind the codes.

    Rule (blind marking): the contest's organisers always (they register the people and keep
    the code list). Everyone else on the panel (chief judge, judges, clerks) sees entries by
    anonymous code only while any mark of the trade can still change: names, units,
    delegations and ID numbers open to them only when the marks are locked and the results
    are final. An upheld appeal unlocks the marks, so the panel is blind again until then.
    """
    if "organiser" in roles:
        return True
    return marks_locked and result_state == "final"


def draw_codes(count: int, rng, width: int | None = None) -> list[str]:
    """Draw ``count`` distinct anonymous codes at random (检录号), not in entry order.

    Rule: codes are numbers of ``width`` digits (at least 3, more when the field needs it so that
    at most a tenth of the range is used, which keeps them unguessable), zero-padded, drawn
    without repetition from the whole range. ``rng`` is a ``random.Random``-like object
    (``secrets.SystemRandom()`` in production).
    """
    if width is None:
        width = max(3, len(str(count * 10)))
    low, high = 10 ** (width - 1), 10**width
    if count > high - low:
        raise ValueError("too many entries for the code width")
    return [str(n) for n in rng.sample(range(low, high), count)]


def draw_stations(count: int, rng) -> list[int]:
    """Draw station numbers (工位号) 1…count in a random order, one per entry."""
    stations = list(range(1, count + 1))
    rng.shuffle(stations)
    return stations


@dataclass(frozen=True)
class LockState:
    """What stands between a contest-trade's marks and the chief judge's lock."""

    unmarked: int
    unconfirmed_sheets: int
    open_flags: int


def lock_problems(state: LockState) -> list[Reason]:
    """Why the marks cannot be locked yet; empty when they can.

    Rule: every required score is entered, every clerk's sheet is confirmed, and every flagged
    disagreement is resolved.
    """
    problems = []
    if state.unmarked:
        problems.append(Reason.of(N_("%(n)s scores are not entered yet"), n=state.unmarked))
    if state.unconfirmed_sheets:
        problems.append(
            Reason.of(N_("%(n)s score sheets are not confirmed yet"), n=state.unconfirmed_sheets)
        )
    if state.open_flags:
        problems.append(Reason.of(N_("%(n)s disagreements are not resolved"), n=state.open_flags))
    return problems


def sheet_mismatches(first: dict[int, str], second: dict[int, str]) -> list[int]:
    """The items whose two typed values differ (as numbers: "8.50" equals "8.5"), sorted."""
    keys = sorted(set(first) | set(second))
    return [k for k in keys if _as_number(first.get(k)) != _as_number(second.get(k))]


def _as_number(raw: str | None):
    try:
        return Decimal(str(raw).strip()) if raw not in (None, "") else None
    except ArithmeticError:
        return raw


#: The two layers of two-layer encryption (二次加密): the check-in number (检录号) and the
#: code judges mark (密号).
FIRST_LAYER, SECOND_LAYER = 1, 2
#: The steps of decoding (解密), in their order: 密号 → 检录号, then 检录号 → person.
DECODE_STEPS = ("decode1", "decode2")


def may_draw(
    layer: int, officer: int, other_layer_drawn_by: int | None, drawn_by: int | None = None
) -> Reason | None:
    """Why this encryption officer (加密裁判) may not draw, add to or read this layer; None
    when they may.

    Rule (二次加密): the two layers are drawn by two different officers. Whoever drew the other
    layer is refused this one, so no one holds both halves of the chain from person to 密号;
    and a layer belongs to the officer who first drew it (``drawn_by``): no other officer adds
    to it or reads it. Before anyone drew it, any officer who does not hold the other layer may.
    """
    if officer == other_layer_drawn_by:
        if layer == FIRST_LAYER:
            return Reason.of(
                N_(
                    "you drew the second layer (the secret codes): the first layer must be "
                    "drawn by another encryption officer"
                )
            )
        return Reason.of(
            N_(
                "you drew the first layer (the check-in numbers): the second layer must be "
                "drawn by another encryption officer"
            )
        )
    if drawn_by is not None and drawn_by != officer:
        return Reason.of(N_("another encryption officer drew this layer: only they read it"))
    return None


def layer_problem(layer: int, two_layer: bool, locked: bool, first_numbers: int) -> Reason | None:
    """Why a layer cannot be drawn now; None when it can.

    Rule: only while two-layer encryption is on and the marks are not locked; the second
    layer is drawn over the first layer's numbers, so it waits until some are drawn.
    """
    if not two_layer:
        return Reason.of(N_("two-layer encryption is off for this trade"))
    if locked:
        return Reason.of(N_("the marks are locked by the chief judge"))
    if layer == SECOND_LAYER and not first_numbers:
        return Reason.of(N_("the first layer (the check-in numbers) is not drawn yet"))
    return None


def switch_problem(codes_drawn: int, locked: bool) -> Reason | None:
    """Why the organiser may not turn two-layer encryption on or off now; None when they may.

    Rule: only before any number of either layer (or any one-step code) is drawn, and never
    once the marks are locked: a switch later would hand the organiser a one-step list of
    codes, or leave layers without their officers.
    """
    if locked:
        return Reason.of(N_("the marks are locked by the chief judge"))
    if codes_drawn:
        return Reason.of(N_("codes are drawn already: the setting can no longer change"))
    return None


def one_step_draw_problem(two_layer: bool) -> Reason | None:
    """Why the organiser may not draw the codes in one step; None when they may.

    Rule: under two-layer encryption the codes are drawn by the two encryption officers,
    layer by layer, never by the organiser in one step.
    """
    if two_layer:
        return Reason.of(N_("two-layer encryption is on: the encryption officers draw the codes"))
    return None


def decode_problem(step: str, locked: bool, steps_done: frozenset[str]) -> Reason | None:
    """Why the organiser may not take this step of decoding (解密) now; None when they may.

    Rule: decoding opens only after the chief judge locks the marks, and goes layer by layer:
    first 密号 → 检录号 ("decode1"), then 检录号 → person ("decode2") once the first step was
    taken (and logged). Each look is logged by the caller.
    """
    if not locked:
        return Reason.of(N_("decoding opens after the chief judge locks the marks"))
    earlier = DECODE_STEPS[: DECODE_STEPS.index(step)]
    if any(s not in steps_done for s in earlier):
        return Reason.of(N_("decode the secret codes to check-in numbers first"))
    return None


def names_open(two_layer: bool, locked: bool, steps_done: frozenset[str]) -> bool:
    """Whether the one-step list of codes and people (the organiser's code list, score sheets
    with names) is open.

    Rule: only after the lock; under two-layer encryption, also only after both steps of
    decoding were taken, so that the list never skips the layer-by-layer decoding.
    """
    if not locked:
        return False
    return not two_layer or all(step in steps_done for step in DECODE_STEPS)


#: Duties that read marks, codes or people of the contest: not for an encryption officer.
OFFICER_CONFLICTS = ("organiser", "chief_judge", "judge", "clerk")


def officer_problem(roles: set[str]) -> Reason | None:
    """Why someone may not act as an encryption officer in this contest; None when they may.

    Rule: an encryption officer (加密裁判) holds no duty in the contest that reads the marks,
    the codes judges mark or the register (organiser, chief judge, judge, clerk): with it,
    one person could join their layer to the other half of the chain.
    """
    if any(role in roles for role in OFFICER_CONFLICTS):
        return Reason.of(
            N_(
                "an encryption officer may not also be an organiser, a chief judge, a judge "
                "or a clerk of the contest"
            )
        )
    return None

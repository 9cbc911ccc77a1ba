"""Pure rules of results: no Flask, no database, no clock.

Every function states its rule; ``tests/results/test_rules.py`` pins each with a table of cases
and ``tests/results/test_properties.py`` with property-based tests. The set-based SQL path in
``compute.py`` is checked against these on random contests.
"""

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_CEILING, ROUND_FLOOR, ROUND_HALF_UP, Decimal

from competitions.core.words import N_

FOUR = Decimal("0.0001")
TWO = Decimal("0.01")
HUNDRED = Decimal(100)
UNRANKED_STATUSES = ("withdrawn", "disqualified", "absent")


def part_score(item_marks: Iterable[Decimal], part_max: Decimal, scale_to_100: bool) -> Decimal:
    """A part's score: the sum of its item marks, scaled to 100 when the scheme says so (4 places).

    Rule: scaled = sum × 100 / (sum of the items' max marks); kept to 4 decimals, half up.
    """
    total = sum(item_marks, Decimal(0))
    if scale_to_100 and part_max:
        total = total * HUNDRED / part_max
    return total.quantize(FOUR, rounding=ROUND_HALF_UP)


def weighted_total(
    theory: Decimal | None,
    practical: Decimal | None,
    theory_weight: Decimal,
    practical_weight: Decimal,
) -> Decimal:
    """Total = theory × w_t + practical × w_p (weights in percent), rounded to 2 places half up.

    A missing part counts as 0 (e.g. practical-only trades have w_t = 0 and no theory part).
    """
    raw = ((theory or 0) * theory_weight + (practical or 0) * practical_weight) / HUNDRED
    return Decimal(raw).quantize(TWO, rounding=ROUND_HALF_UP)


def readable(value: Decimal | None) -> Decimal | None:
    """A part score, total or team score as people read it: on every page, the board, the API
    and the results exports, 2 places, half up (exact 4-place values stay in the score sheets).
    """
    return None if value is None else Decimal(value).quantize(TWO, rounding=ROUND_HALF_UP)


def earned_scores(status: str) -> bool:
    """Whether an entry's scores are shown: not for a withdrawn, disqualified or absent entry,
    which shows its status instead (the stored zeros are not numbers it earned)."""
    return status not in UNRANKED_STATUSES


@dataclass(frozen=True)
class Standing:
    """What ranking needs of one entry."""

    entry_id: int
    total: Decimal
    practical: Decimal = Decimal(0)
    theory: Decimal = Decimal(0)
    #: Time used in seconds; None when not recorded (sorts after every recorded time).
    time_used: int | None = None
    status: str = "approved"
    unit_id: int | None = None
    delegation_id: int | None = None
    #: 不计名次/观摩: marked and shown, never ranked, awarded, advanced or counted in a team.
    out_of_competition: bool = False


def competes(status: str, out_of_competition: bool = False) -> bool:
    """Whether an entry takes a place: not withdrawn, disqualified or absent, and not out of
    competition (不计名次: its scores are shown, but it is ranked, awarded, advanced and
    counted in a team never, and uses no slot of any of them)."""
    return status not in UNRANKED_STATUSES and not out_of_competition


def shown_in_place_of_rank(status: str, out_of_competition: bool) -> str:
    """What a row without a rank shows where the rank goes: the entry's status (withdrawn,
    disqualified, absent), or "out_of_competition" (不计名次) for an entry marked and shown
    but not ranked; a ranked entry's row shows its rank instead and never asks."""
    if out_of_competition and status not in UNRANKED_STATUSES:
        return "out_of_competition"
    return status


def _key(s: Standing, chain: tuple[str, ...]) -> tuple:
    """Sort key: total first, then the tie-break chain; higher is better except time."""
    parts: list = [-s.total]
    for name in chain:
        if name == "practical":
            parts.append(-s.practical)
        elif name == "theory":
            parts.append(-s.theory)
        elif name == "time":
            parts.append((s.time_used is None, s.time_used or 0))
        else:
            raise ValueError(f"unknown tie-break {name!r}")
    return tuple(parts)


@dataclass(frozen=True)
class Ranking:
    """Ranks by entry (ranked entries only), the unranked entries, and ties left to decide."""

    ranks: dict[int, int]
    #: Entry ids in rank order (ties in entry-id order for stability).
    order: tuple[int, ...]
    #: Withdrawn, disqualified and absent entries, and those out of competition.
    unranked: tuple[int, ...] = ()
    #: Groups of entry ids tied within the medal places that need the chief judge's decision.
    undecided: tuple[tuple[int, ...], ...] = ()


def rank(
    standings: Iterable[Standing],
    chain: tuple[str, ...] = ("practical", "time", "theory"),
    no_shared_places: int = 0,
    decided_order: tuple[int, ...] = (),
) -> Ranking:
    """Rank entries: total first, then the tie-break chain; still equal entries share the rank.

    Rule: competition ranking (1, 2, 2, 4) on the key (total, then each tie-break in order:
    practical higher first, time lower first with no time last, theory higher first).
    Withdrawn, disqualified and absent entries, and entries out of competition (不计名次),
    are listed apart, unranked: they take no place and move nobody's rank.
    With ``no_shared_places`` = k (排名不并列 for the medal places), a tie group that starts
    within the first k places is ordered by ``decided_order`` (the chief judge's decision,
    entry ids best first); a group with no complete decision keeps its shared rank and is
    reported in ``undecided``.
    """
    everyone = list(standings)
    ranked = [s for s in everyone if competes(s.status, s.out_of_competition)]
    unranked = tuple(
        sorted(s.entry_id for s in everyone if not competes(s.status, s.out_of_competition))
    )
    # Each entry's key is built once (sorting and grouping on it called _key four times each).
    keyed = sorted((_key(s, chain), s.entry_id) for s in ranked)
    decision = {entry_id: i for i, entry_id in enumerate(decided_order)}
    ranks: dict[int, int] = {}
    order: list[int] = []
    undecided = []
    i = 0
    while i < len(keyed):
        j = i
        key = keyed[i][0]
        while j < len(keyed) and keyed[j][0] == key:
            j += 1
        group = [entry_id for _, entry_id in keyed[i:j]]
        if len(group) > 1 and i < no_shared_places:
            if all(e in decision for e in group):
                group.sort(key=decision.__getitem__)
                for offset, entry_id in enumerate(group):
                    ranks[entry_id] = i + 1 + offset
            else:
                undecided.append(tuple(group))
                ranks.update({entry_id: i + 1 for entry_id in group})
        else:
            ranks.update({entry_id: i + 1 for entry_id in group})
        order.extend(group)
        i = j
    return Ranking(ranks, tuple(order), unranked, tuple(undecided))


#: Award names by mode, best first; the last "rest" level of bands and the mention are extra.
PRIZES = ("first", "second", "third")
MEDALS = ("gold", "silver", "bronze")
MENTION = "mention"  # 优胜奖 / 优秀奖


def _round_count(n: int, percent: int, rounding: str) -> int:
    exact = Decimal(n) * Decimal(percent) / HUNDRED
    mode = {"half_up": ROUND_HALF_UP, "floor": ROUND_FLOOR, "ceil": ROUND_CEILING}[rounding]
    return int(exact.quantize(Decimal(1), rounding=mode))


@dataclass(frozen=True)
class AwardRule:
    """A contest-trade's award settings as plain data."""

    mode: str = "proportion"
    numbers: tuple[int, ...] = (10, 20, 30)
    rounding: str = "half_up"
    min_total: Decimal | None = Decimal(60)
    mentions: bool = False


def award_cutoffs(rule: AwardRule, field_size: int) -> list[tuple[str, int]]:
    """The cumulative last rank of each award level for a field of ``field_size`` ranked entries.

    Rule: proportion: level counts are the percentages of the field, rounded per the setting;
    fixed: the counts; bands: the band ends, and the rest of the field gets the next level;
    medals: gold ≤ 1, silver ≤ 2, bronze ≤ 3 and 优胜奖 down to half the field (rounded down).
    Optional 优胜奖 (fixed/proportion) reach down to half the field too. Cut-offs are
    cumulative: with 2/4/6 prizes, first ≤ 2, second ≤ 6, third ≤ 12. No cut-off passes the
    field size.
    """
    half = field_size // 2
    if rule.mode == "medals":
        levels = [(m, min(i + 1, field_size)) for i, m in enumerate(MEDALS)]
        levels.append((MENTION, half))
    elif rule.mode == "bands":
        levels = [
            (PRIZES[i] if i < 3 else f"level{i + 1}", end) for i, end in enumerate(rule.numbers)
        ]
        levels.append((PRIZES[len(rule.numbers)] if len(rule.numbers) < 3 else MENTION, field_size))
    else:
        if rule.mode == "proportion":
            counts = [_round_count(field_size, p, rule.rounding) for p in rule.numbers]
        else:
            counts = list(rule.numbers)
        running, levels = 0, []
        for name, count in zip(PRIZES, counts, strict=False):
            running += count
            levels.append((name, running))
        if rule.mentions:
            levels.append((MENTION, max(half, running)))
    return [(name, min(cut, field_size)) for name, cut in levels if cut > 0]


def allocate_awards(
    ranking: Ranking, totals: dict[int, Decimal], rule: AwardRule
) -> dict[int, str]:
    """The award of each ranked entry that gets one: the first level whose cut-off ≥ its rank.

    Rule: ranks are shared, so entries tied at a cut-off all get the higher award. Entries
    below the minimum total get nothing (and still use their place). Unranked entries use no slot.
    """
    cutoffs = award_cutoffs(rule, len(ranking.ranks))
    awards = {}
    for entry_id, place in ranking.ranks.items():
        if rule.min_total is not None and totals[entry_id] < rule.min_total:
            continue
        level = next((name for name, cut in cutoffs if place <= cut), None)
        if level:
            awards[entry_id] = level
    return awards


@dataclass(frozen=True)
class TeamResult:
    """A delegation's team score and rank."""

    delegation_id: int
    score: Decimal
    time_sum: int
    members: tuple[int, ...]
    rank: int = 0


def team_results(
    standings: Iterable[Standing],
    mode: str = "best_n",
    size: int = 3,
    awards: dict[int, str] | None = None,
    points: tuple[int, ...] = (8, 4, 2, 1),
) -> list[TeamResult]:
    """Team results per delegation, ranked (shared ranks for equal score and time).

    Rule: best_n: the sum of the delegation's best ``size`` totals (best by the total, then
    less time); ties broken by the sum of those members' time, lower first (no time counts 0).
    points: the sum of its members' points per award (first, second, third, mention).
    Unranked entries (out of competition too) and entries without a delegation do not count.
    """
    by_team: dict[int, list[Standing]] = {}
    for s in standings:
        if s.delegation_id is not None and competes(s.status, s.out_of_competition):
            by_team.setdefault(s.delegation_id, []).append(s)
    results = []
    level_points = dict(zip((*PRIZES, MENTION), points, strict=False))
    level_points.update(dict(zip(MEDALS, points, strict=False)))
    for delegation_id, members in by_team.items():
        members.sort(key=lambda s: (-s.total, s.time_used or 0, s.entry_id))
        if mode == "points":
            chosen = members
            score = Decimal(
                sum(level_points.get((awards or {}).get(s.entry_id), 0) for s in chosen)
            )
        else:
            chosen = members[:size]
            score = sum((s.total for s in chosen), Decimal(0))
        time_sum = sum(s.time_used or 0 for s in chosen)
        results.append(
            TeamResult(delegation_id, score, time_sum, tuple(s.entry_id for s in chosen))
        )
    results.sort(key=lambda t: (-t.score, t.time_sum, t.delegation_id))
    ranked, previous, place = [], None, 0
    for i, team in enumerate(results):
        if (team.score, team.time_sum) != previous:
            place, previous = i + 1, (team.score, team.time_sum)
        ranked.append(
            TeamResult(team.delegation_id, team.score, team.time_sum, team.members, place)
        )
    return ranked


@dataclass(frozen=True)
class AdvancementRule:
    """Who goes up to the parent contest (名额)."""

    mode: str = "top_n"
    quota: int = 3
    per_unit: int | None = None
    #: A tie at the cut-off: "all" advance, "none" of them, or the "chief_judge" decides.
    tie: str = "all"


@dataclass(frozen=True)
class Advancement:
    """The entries that advance, and a tie group left to the chief judge."""

    advancing: tuple[int, ...]
    undecided: tuple[int, ...] = ()


def advancement(
    ranking: Ranking,
    units: dict[int, int | None],
    rule: AdvancementRule,
    picks: tuple[int, ...] = (),
) -> Advancement:
    """Pick who advances: go down the ranking filling the quota, by rank groups.

    Rule: quota = 1 with first_only, else the rule's quota. With per_unit, an entry whose unit
    already has ``per_unit`` advancing is passed over. A group tied on rank that does not fit
    in the seats left: with "all" the whole group advances (the quota is exceeded), with
    "none" none of it does and advancement stops, with "chief_judge" the chief judge's
    ``picks`` from the group take the seats left, and without picks it is returned undecided.
    """
    quota = 1 if rule.mode == "first_only" else rule.quota
    groups: dict[int, list[int]] = {}
    for entry_id in ranking.order:
        groups.setdefault(ranking.ranks[entry_id], []).append(entry_id)
    chosen: list[int] = []
    per_unit: dict[int | None, int] = {}
    for place in sorted(groups):
        if len(chosen) >= quota:
            break
        group = [e for e in groups[place] if _unit_has_room(e, units, per_unit, rule)]
        if not group:
            continue
        if len(chosen) + len(group) <= quota or rule.tie == "all":
            chosen.extend(group)
            for e in group:
                per_unit[units.get(e)] = per_unit.get(units.get(e), 0) + 1
            continue
        if rule.tie == "chief_judge":
            picked = [e for e in group if e in picks][: quota - len(chosen)]
            if picked:
                return Advancement((*chosen, *picked))
            return Advancement(tuple(chosen), tuple(group))
        break
    return Advancement(tuple(chosen))


def _unit_has_room(entry_id, units, per_unit, rule: AdvancementRule) -> bool:
    if rule.mode != "per_unit" or not rule.per_unit:
        return True
    return per_unit.get(units.get(entry_id), 0) < rule.per_unit


@dataclass(frozen=True)
class HonourRule:
    """A recommendation by rank: e.g. top 3 for the May Day medal."""

    honour: str
    top: int
    #: Only entries with an award qualify.
    needs_award: bool = True


DEFAULT_HONOURS = {
    "national": (
        HonourRule("may_day_medal", 3),
        HonourRule("technical_expert", 5),
        HonourRule("promotion", 3),
    ),
    "province": (
        HonourRule("may_day_medal", 3),
        HonourRule("technical_expert", 5),
        HonourRule("promotion", 3),
    ),
    "industry": (HonourRule("technical_expert", 5), HonourRule("promotion", 3)),
    "city": (HonourRule("technical_expert", 5), HonourRule("promotion", 3)),
    "county": (HonourRule("promotion", 3),),
    "enterprise": (HonourRule("promotion", 3),),
}


def recommend_honours(
    ranking: Ranking, awards: dict[int, str], rules_: Iterable[HonourRule]
) -> list[tuple[int, str]]:
    """(entry, honour) recommendations: the ranked entries with rank ≤ top (ties included).

    Rule: an honour goes to every ranked entry whose rank is within its ``top`` (so a tie at
    the edge is recommended whole, for the outside body to decide), and, where the honour
    needs it, who has an award. They are recommendations, granted only after public notice.
    """
    out = []
    for honour in rules_:
        for entry_id in ranking.order:
            if ranking.ranks[entry_id] <= honour.top and (
                not honour.needs_award or entry_id in awards
            ):
                out.append((entry_id, honour.honour))
    return out


@dataclass
class TradeResult:
    """Everything computed for one contest-trade."""

    ranking: Ranking
    awards: dict[int, str] = field(default_factory=dict)
    teams: list[TeamResult] = field(default_factory=list)
    advancing: Advancement = field(default_factory=lambda: Advancement(()))
    honours: list[tuple[int, str]] = field(default_factory=list)


def recompute_problems(
    locked: bool,
    theory_weight: Decimal,
    practical_weight: Decimal,
    rule: AwardRule,
    field_size: int,
    has_parent: bool,
    parent_offers_trade: bool,
    final: bool = False,
) -> list[str]:
    """Why a contest-trade's results cannot be computed now (message ids), or nothing.

    Rule: final results are never recomputed; the marks are locked; the weights add up to 100;
    fixed award counts or band ends do not exceed the ranked field; a parent contest, if any,
    offers the same trade.
    """
    if final:
        return [N_("the results are final and cannot be recomputed")]
    problems = []
    if not locked:
        problems.append(N_("the marks are not locked by the chief judge"))
    if theory_weight + practical_weight != HUNDRED:
        problems.append(N_("the theory and practical weights do not add up to 100"))
    if rule.mode == "fixed" and sum(rule.numbers) > field_size:
        problems.append(N_("the award counts exceed the number of ranked entries"))
    if rule.mode == "bands" and rule.numbers and max(rule.numbers) > field_size:
        problems.append(N_("the award bands reach past the number of ranked entries"))
    if has_parent and not parent_offers_trade:
        problems.append(N_("the parent contest does not offer this trade"))
    return problems


def honour_decision_problem(results_state: str | None, honour_state: str) -> str | None:
    """Why the outside body's decision on an honour cannot be recorded now (a message id), or
    None.

    Rule: an honour is decided once, after the results are final (public notice closed with no
    upheld objection): a recommended honour becomes granted or withdrawn; a decided one stays.
    """
    if results_state != "final":
        return N_("an honour is decided only after the results are final")
    if honour_state != "recommended":
        return N_("this honour has already been decided")
    return None


def promotion_to(current_level: int | None) -> int | None:
    """The skill level a promotion proposes: one level up (职业技能等级 5 = 五级/初级工 … 1 =
    一级/高级技师; up is the smaller number); someone without a level gets 五级 (5); someone at
    一级 (1) cannot go up (None)."""
    if current_level is None:
        return 5
    return current_level - 1 if current_level > 1 else None


def promotion_problem(from_level: int | None, to_level: int | None) -> str | None:
    """Why a promotion from ``from_level`` to ``to_level`` cannot be recorded (a message id).

    Rule: the new level is one of 5 … 1 and above the level held (a smaller number); who holds
    no level may be promoted to any level the outside body decided.
    """
    if to_level is None or to_level not in (1, 2, 3, 4, 5):
        return N_("choose the skill level granted")
    if from_level is not None and to_level >= from_level:
        return N_("the level granted must be above the level held")
    return None

"""Pure rules of the tiers: quotas of recommendation, an outside contest's result list row by
row and as a whole, and the ranks and awards it gave against the computed ones.

No Flask, no database: ``tests/tiers/test_rules.py`` pins every rule with a table of cases.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation

from competitions.core.words import N_, Reason
from competitions.imports.rules import Row, RowError, person_facts_of
from competitions.judging import rules as judging_rules
from competitions.registry import rules as registry_rules
from competitions.registry.rules import Eligibility, PersonFacts
from competitions.results import rules as results_rules

#: Scores of an outside list are out of 100.
MAX_SCORE = Decimal(100)
#: Words a result list uses for awards → the award codes of results.
AWARD_WORDS = {
    **dict.fromkeys(("一等奖", "first", "first prize"), "first"),
    **dict.fromkeys(("二等奖", "second", "second prize"), "second"),
    **dict.fromkeys(("三等奖", "third", "third prize"), "third"),
    **dict.fromkeys(("金牌", "金奖", "gold"), "gold"),
    **dict.fromkeys(("银牌", "银奖", "silver"), "silver"),
    **dict.fromkeys(("铜牌", "铜奖", "bronze"), "bronze"),
    **dict.fromkeys(("优胜奖", "优秀奖", "mention"), "mention"),
    **dict.fromkeys(("无", "-", "—", "none"), ""),
}
AWARD_CHOICES = "一等奖 / 二等奖 / 三等奖 / 金牌 / 银牌 / 铜牌 / 优胜奖 / 无"


def quota_refusal(accepted: int, accepting: int, quota: int | None) -> Reason | None:
    """Why accepting ``accepting`` more entries of one source is refused, or None.

    Rule: with a quota of N per source (名额), the entries already accepted from that source
    plus those being accepted may not pass N; without a quota there is no limit.
    """
    if quota is None or accepted + accepting <= quota:
        return None
    return Reason.of(
        N_(
            "the quota of this source is %(quota)s and %(accepted)s are already accepted: "
            "at most %(room)s more"
        ),
        quota=quota,
        accepted=accepted,
        room=max(quota - accepted, 0),
    )


@dataclass(frozen=True)
class Difference:
    """A line of a result list whose rank or award differs from the computed one."""

    entry_id: int
    given_rank: int | None
    computed_rank: int | None
    given_award: str | None
    computed_award: str | None


def rank_differences(
    given: dict[int, tuple[int | None, str | None]],
    computed: dict[int, tuple[int | None, str | None]],
) -> list[Difference]:
    """Every entry whose given rank or award differs from the computed one, by given rank.

    Rule: only what the list gave is compared (a rank or award of None was not given); an
    award given as "" means no award, and equals a computed None. An entry the computed
    results lack counts as unranked without an award.
    """
    out = []
    for entry_id, (rank, award) in given.items():
        got_rank, got_award = computed.get(entry_id, (None, None))
        rank_differs = rank is not None and rank != got_rank
        award_differs = award is not None and (award or None) != (got_award or None)
        if rank_differs or award_differs:
            out.append(Difference(entry_id, rank, got_rank, award, got_award))
    return sorted(out, key=lambda d: (d.given_rank is None, d.given_rank or 0, d.entry_id))


@dataclass(frozen=True)
class OutsideLookups:
    """What a row of an outside list is checked against, as plain data."""

    #: Exact unit names → ids.
    units: dict[str, int]
    #: The contest-trade's weights in percent (theory, practical).
    weights: tuple[Decimal, Decimal]
    #: The age rules to pass: the outside contest-trade's and the parent contest's.
    eligibility: tuple[Eligibility, ...]


@dataclass(frozen=True)
class OutsideRow:
    """A sound line of an outside list, typed."""

    row: int
    person: PersonFacts
    unit_id: int | None
    theory: Decimal | None
    practical: Decimal | None
    #: The total as given (None: weighed from the parts).
    given_total: Decimal | None
    time_used: int | None
    given_rank: int | None
    #: An award code, "" for "no award", None when the list gave none.
    given_award: str | None

    @property
    def person_key(self) -> tuple[str, str]:
        """Who the row is about: (document type, normalised number)."""
        return (self.person.id_type, self.person.id_number)

    def total(self, weights: tuple[Decimal, Decimal]) -> Decimal:
        """The total that ranks it: as given, else weighed from the part scores."""
        if self.given_total is not None:
            return self.given_total
        return results_rules.weighted_total(self.theory, self.practical, *weights)


def _score(row: Row, column: str, places: int) -> Decimal | None:
    """A score cell: empty, or a number from 0 to 100 with at most ``places`` decimals."""
    text = row.text(column)
    if not text:
        return None
    try:
        value = Decimal(text)
    except InvalidOperation:
        row.fail(column, Reason.of(N_("%(value)s is not a number"), value=text))
        return None
    if not value.is_finite() or value < 0 or value > MAX_SCORE:
        row.fail(
            column, Reason.of(N_("a score must lie between 0 and %(max)s"), max=str(MAX_SCORE))
        )
        return None
    if value != value.quantize(Decimal(1).scaleb(-places)):
        row.fail(column, Reason.of(N_("at most %(n)s decimal places"), n=places))
        return None
    return value


def _whole(row: Row, column: str) -> int | None:
    """A rank cell: empty, or a whole number from 1."""
    text = row.text(column)
    if not text:
        return None
    if not text.isdigit() or int(text) < 1:
        row.fail(column, Reason.of(N_("a rank is a whole number from 1")))
        return None
    return int(text)


def check_outside_row(number: int, cells: dict[str, object], lookups: OutsideLookups):
    """One line's own problems, and its typed values when it has none: (OutsideRow | None,
    errors).

    Rule: no formulas; the person passes ``person_problems`` (check digit, birth date and
    gender agree with a resident ID) and every age rule of ``lookups`` (this contest's and the
    parent contest's); a unit, if named, is a registered unit; part scores and a total lie
    between 0 and 100 (parts 4 decimals, total 2); a trade weighing a part needs it unless a
    total is given; a total given beside both parts equals their weighted total; time used as
    ``mm:ss``; a rank is a whole number from 1; an award is one of ``AWARD_WORDS``.
    """
    row = Row(number, cells)
    for column, value in cells.items():
        if registry_rules.cell_is_formula(value):
            row.fail(column, Reason.of(N_("formulas are not accepted; paste the values instead")))
    facts = person_facts_of(row)
    for column, reason in registry_rules.person_problems(facts).items():
        row.fail(column, reason)
    unit_id = None
    if unit := row.text("unit"):
        unit_id = lookups.units.get(unit)
        if unit_id is None:
            row.fail("unit", Reason.of(N_("no unit is named %(value)s"), value=unit))
    theory, practical = _score(row, "theory", 4), _score(row, "practical", 4)
    total = _score(row, "total", 2)
    _check_total(row, lookups.weights, theory, practical, total)
    time_used = None
    if text := row.text("time_used"):
        problem = judging_rules.time_used_problem(text)
        if problem:
            row.fail("time_used", problem)
        else:
            time_used = judging_rules.parse_time_used(text)
    rank = _whole(row, "rank")
    award = _award(row)
    if row.errors:
        return None, list(row.errors.values())
    person = registry_rules.complete_person(facts)
    for rule in lookups.eligibility:
        if problem := registry_rules.eligibility_problem(rule, person.birth_date):
            row.fail("id_number", problem)
            return None, list(row.errors.values())
    return OutsideRow(number, person, unit_id, theory, practical, total, time_used, rank, award), []


def _check_total(row: Row, weights, theory, practical, total) -> None:
    """A total, or the parts the weights need; a total beside both parts must be theirs."""
    if any(c in row.errors for c in ("theory", "practical", "total")):
        return
    w_theory, w_practical = weights
    if total is None:
        if w_theory and theory is None:
            row.fail("theory", Reason.of(N_("a theory score or a total is required")))
        if w_practical and practical is None:
            row.fail("practical", Reason.of(N_("a practical score or a total is required")))
        return
    if theory is not None and practical is not None:
        weighed = results_rules.weighted_total(theory, practical, w_theory, w_practical)
        if weighed != total:
            row.fail(
                "total",
                Reason.of(
                    N_("the total does not match the part scores, which weigh %(weighed)s"),
                    weighed=str(weighed),
                ),
            )


def _award(row: Row) -> str | None:
    """The award cell: None when the list has no award column, "" for no award."""
    if "award" not in row.cells:
        return None
    text = row.text("award")
    if not text:
        return ""
    code = AWARD_WORDS.get(text.lower())
    if code is None:
        row.fail(
            "award",
            Reason.of(
                N_("%(value)s is not one of: %(choices)s"), value=text, choices=AWARD_CHOICES
            ),
        )
    return code


def check_outside_together(
    rows: list[OutsideRow],
    known: dict[tuple[str, str], tuple[str, date]],
    weights: tuple[Decimal, Decimal],
    eligibility: tuple[Eligibility, ...],
) -> list[RowError]:
    """The problems between lines: (row, column, value, reason).

    Rule: a person appears once; a person already registered keeps their name (``known``:
    person key → (name, birth date)) and their registered birth date passes the age rules;
    given ranks agree with the totals: no line has a worse rank than a line with a lower
    total (lines equal on total may be in any order: the tie-breaks decide).
    """
    errors: list[RowError] = []
    first: dict[tuple[str, str], int] = {}
    for r in rows:
        if r.person_key in first:
            errors.append(
                RowError(
                    r.row,
                    "id_number",
                    r.person.id_number,
                    Reason.of(N_("the same person as row %(row)s"), row=first[r.person_key]),
                )
            )
            continue
        first[r.person_key] = r.row
        if r.person_key in known:
            name, birth = known[r.person_key]
            if name != r.person.name:
                errors.append(
                    RowError(
                        r.row,
                        "name",
                        r.person.name,
                        Reason.of(N_("this ID number is registered to %(name)s"), name=name),
                    )
                )
            for rule in eligibility:
                if problem := registry_rules.eligibility_problem(rule, birth):
                    errors.append(RowError(r.row, "id_number", r.person.id_number, problem))
                    break
    errors += rank_contradictions(rows, weights)
    return errors


def rank_contradictions(rows: list[OutsideRow], weights: tuple[Decimal, Decimal]) -> list:
    """Lines whose given rank contradicts the totals: a worse rank than a lower total's.

    Rule: for lines with a given rank, sorted by total (highest first), a line's rank may not
    be greater than the rank of any line with a strictly lower total; the error names the
    line with the lower total and the better rank.
    """
    ranked = sorted(
        ((r.total(weights), r) for r in rows if r.given_rank is not None),
        key=lambda pair: -pair[0],
    )
    errors = []
    # Walking from the lowest total up, keep the best (smallest) rank seen at a lower total.
    best_below: tuple[int, OutsideRow] | None = None
    i = len(ranked) - 1
    while i >= 0:
        j = i
        while j >= 0 and ranked[j][0] == ranked[i][0]:
            j -= 1
        group = [r for _, r in ranked[j + 1 : i + 1]]
        for r in group:
            if best_below and r.given_rank > best_below[0]:
                errors.append(
                    RowError(
                        r.row,
                        "rank",
                        str(r.given_rank),
                        Reason.of(
                            N_(
                                "rank %(rank)s contradicts the totals: row %(row)s has a lower "
                                "total and rank %(other)s"
                            ),
                            rank=r.given_rank,
                            row=best_below[1].row,
                            other=best_below[0],
                        ),
                    )
                )
        for r in group:
            if best_below is None or r.given_rank < best_below[0]:
                best_below = (r.given_rank, r)
        i = j
    return sorted(errors, key=lambda e: e.row)

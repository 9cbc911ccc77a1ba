"""Pure rules of innovation-achievement contests: no Flask, no database, no clock.

Each function states its rule in the docstring; ``tests/innovation/test_rules.py`` pins it
with a table of cases.
"""

from dataclasses import dataclass
from decimal import ROUND_HALF_UP, Decimal

from competitions.core.words import N_, Reason

#: Technical improvement (技术革新), invention or patent (发明专利), rationalisation proposal
#: (合理化建议), advanced operating method (先进操作法).
CATEGORIES = ("technical_improvement", "invention_patent", "rationalisation", "operating_method")
#: The award levels, best first: 特等奖, 一等奖, 二等奖, 三等奖.
LEVELS = ("special", "first", "second", "third")
#: Default award counts per category (the Shandong and Shanghai practice).
DEFAULT_COUNTS = (1, 5, 10, 30)
#: A submission: draft → submitted → passed (the format check) or returned (with reasons) →
#: submitted again.
STATES = ("draft", "submitted", "returned", "passed")
#: The submitter may still change a submission in these states.
EDITABLE = ("draft", "returned")
#: The two assessments of a contest: the expert online review and the defence session.
STAGES = ("review", "defence")
#: At most this many members on a team.
MAX_MEMBERS = 10
TWO = Decimal("0.01")


def member_problem(person_ids: list[int]) -> Reason | None:
    """Why a submission's members are refused (None: accepted).

    Rule: at least one member (a person alone is a team of one), at most ``MAX_MEMBERS``, and
    nobody twice.
    """
    if not person_ids:
        return Reason.of(N_("name at least one member"))
    if len(person_ids) > MAX_MEMBERS:
        return Reason.of(N_("a team has at most %(n)s members"), n=MAX_MEMBERS)
    if len(set(person_ids)) != len(person_ids):
        return Reason.of(N_("a member is named twice"))
    return None


def normal_title(title: str) -> str:
    """A title as compared for duplicates: no spaces of any width, case folded."""
    return "".join(title.split()).replace("\u3000", "").casefold()


def same_innovation(title_a: str, team_a: frozenset, title_b: str, team_b: frozenset) -> bool:
    """Whether two submissions are one innovation submitted twice by the same team.

    Rule: the same title (ignoring spaces and case) by exactly the same members.
    """
    return team_a == team_b and normal_title(title_a) == normal_title(title_b)


def benefit_problem(benefit: Decimal | None) -> Reason | None:
    """Why a claimed benefit (yuan) is refused: it may be left out, never negative."""
    if benefit is not None and benefit < 0:
        return Reason.of(N_("the claimed benefit cannot be negative"))
    return None


def weights_problem(review: int, defence: int) -> Reason | None:
    """Why the combined weights are refused: each 0..100, adding up to 100."""
    if not (0 <= review <= 100 and 0 <= defence <= 100) or review + defence != 100:
        return Reason.of(N_("the weights of the review and the defence must add up to 100"))
    return None


#: At most this many awards of one level in one category.
MAX_COUNT = 1000


def count_problem(count: int | None) -> Reason | None:
    """Why an award count (特等/一/二/三等奖 of a category) is refused: it must be a whole
    number from 0 (no award of that level) to ``MAX_COUNT``."""
    if count is None:
        return Reason.of(N_("give a whole number (0 for none)"))
    if count < 0:
        return Reason.of(N_("an award count cannot be negative"))
    if count > MAX_COUNT:
        return Reason.of(N_("at most %(n)s awards of a level"), n=MAX_COUNT)
    return None


def settings_problem(result_state: str | None) -> Reason | None:
    """Why the award counts and the weights may no longer change (None: they may).

    Rule: they change until the awards are put under public notice (公示); awards computed
    but still a draft are computed again with the new settings.
    """
    if result_state in ("notice", "final"):
        return Reason.of(
            N_("the awards are published: the award counts and weights can no longer change")
        )
    return None


def combined_score(
    review: Decimal, defence: Decimal | None, review_weight: int, defence_weight: int
) -> Decimal:
    """The combined score: review × its weight + defence × its weight, in percent, to two
    decimals half up. A submission that did not go to the defence has 0 there."""
    total = review * review_weight / 100 + (defence or Decimal(0)) * defence_weight / 100
    return Decimal(total).quantize(TWO, rounding=ROUND_HALF_UP)


@dataclass(frozen=True)
class Scored:
    """A submission's scores for the ranking of its category."""

    key: int
    combined: Decimal
    review: Decimal


@dataclass(frozen=True)
class Placed:
    key: int
    rank: int
    level: str | None


def rank_and_award(scored: list[Scored], counts: dict[str, int]) -> list[Placed]:
    """Rank one category and give awards by fixed counts.

    Rule: best combined score first; a tie is broken by the review score; submissions equal on
    both share a rank (1, 2, 2, 4). Levels are given in order (特等, 一, 二, 三), each to the
    next ``counts[level]`` submissions. A tie at a cut-off takes the better level for all of
    the tied ones, and the places they use are counted: the next level starts after them (at
    the last cut-off the awards may exceed the count). A level with a count of 0 is skipped;
    counts larger than the field leave the lower levels empty.
    """
    order = sorted(scored, key=lambda s: (-s.combined, -s.review, s.key))
    placed: list[Placed] = []
    cutoffs, total = [], 0
    for level in LEVELS:
        total += max(counts.get(level, 0), 0)
        cutoffs.append((total, level))
    previous, rank = None, 0
    for n, s in enumerate(order):
        if previous is None or (s.combined, s.review) != previous:
            rank = n + 1
            level = next((lv for cut, lv in cutoffs if rank <= cut), None)
        previous = (s.combined, s.review)
        placed.append(Placed(s.key, rank, level))
    return placed


def return_problem(reasons: str) -> Reason | None:
    """A submission is returned only with reasons the submitter can act on (at least 5 字)."""
    if len(reasons.strip()) < 5:
        return Reason.of(N_("say why it is returned (at least 5 characters)"))
    return None

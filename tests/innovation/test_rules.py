"""The rules of innovation contests, as tables of cases."""

from decimal import Decimal

import pytest

from competitions.innovation import rules
from competitions.innovation.rules import Placed, Scored

D = Decimal


@pytest.mark.parametrize(
    ("review", "defence", "weights", "combined"),
    [
        (D(80), D(90), (60, 40), D("84.00")),
        (D(80), None, (60, 40), D("48.00")),  # not at the defence: 0 there
        (D("77.5"), D("88.25"), (60, 40), D("81.80")),
        (D("70.01"), D("70.02"), (50, 50), D("70.02")),  # 70.015 half up
        (D(90), D(10), (100, 0), D("90.00")),
    ],
)
def test_combined_score(review, defence, weights, combined):
    assert rules.combined_score(review, defence, *weights) == combined


COUNTS = {"special": 1, "first": 1, "second": 2, "third": 3}


def _s(key, combined, review=0):
    return Scored(key, D(combined), D(review))


@pytest.mark.parametrize(
    ("scored", "counts", "placed"),
    [
        # best first, one of each level down the counts
        (
            [_s(1, 90), _s(2, 80), _s(3, 70), _s(4, 60)],
            COUNTS,
            [
                Placed(1, 1, "special"),
                Placed(2, 2, "first"),
                Placed(3, 3, "second"),
                Placed(4, 4, "second"),
            ],
        ),
        # a tie on the combined score is broken by the review score
        (
            [_s(1, 80, 70), _s(2, 80, 75)],
            COUNTS,
            [Placed(2, 1, "special"), Placed(1, 2, "first")],
        ),
        # equal on both: one rank, the better level for both; the next level starts after them
        (
            [_s(1, 80, 70), _s(2, 80, 70), _s(3, 60, 60)],
            COUNTS,
            [Placed(1, 1, "special"), Placed(2, 1, "special"), Placed(3, 3, "second")],
        ),
        # a tie at the last cut-off: all of the tied get it (the count is exceeded)
        (
            [_s(1, 90), _s(2, 80), _s(3, 70, 5), _s(4, 70, 5)],
            {"special": 0, "first": 0, "second": 0, "third": 3},
            [
                Placed(1, 1, "third"),
                Placed(2, 2, "third"),
                Placed(3, 3, "third"),
                Placed(4, 3, "third"),
            ],
        ),
        # counts larger than the field: the lower levels stay empty
        (
            [_s(1, 50), _s(2, 40)],
            {"special": 1, "first": 5, "second": 10, "third": 30},
            [Placed(1, 1, "special"), Placed(2, 2, "first")],
        ),
        # a level with a count of 0 is skipped; past every count: no award
        (
            [_s(1, 50), _s(2, 40), _s(3, 30)],
            {"special": 0, "first": 1, "second": 0, "third": 1},
            [Placed(1, 1, "first"), Placed(2, 2, "third"), Placed(3, 3, None)],
        ),
        ([], COUNTS, []),
    ],
)
def test_rank_and_award(scored, counts, placed):
    assert rules.rank_and_award(scored, counts) == placed


@pytest.mark.parametrize(
    ("a", "b", "same"),
    [
        (("数控刀具快换装置", {1, 2}), ("数控刀具快换装置", {2, 1}), True),
        (("数控刀具 快换装置", {1}), ("数控刀具快换装置", {1}), True),  # spaces do not count
        (("Quick Tool Change", {1}), ("quick tool change", {1}), True),
        (("数控刀具快换装置", {1, 2}), ("数控刀具快换装置", {1}), False),  # another team
        (("数控刀具快换装置", {1}), ("焊接烟尘收集器", {1}), False),
    ],
)
def test_same_innovation(a, b, same):
    assert rules.same_innovation(a[0], frozenset(a[1]), b[0], frozenset(b[1])) is same


@pytest.mark.parametrize(
    ("people", "problem"),
    [
        ([1], None),
        ([1, 2, 3], None),
        ([], "name at least one member"),
        ([1, 1], "a member is named twice"),
        (list(range(11)), "a team has at most %(n)s members"),
    ],
)
def test_member_problem(people, problem):
    reason = rules.member_problem(people)
    assert (reason.msgid if reason else None) == problem


@pytest.mark.parametrize(
    ("weights", "ok"), [((60, 40), True), ((100, 0), True), ((60, 30), False), ((110, -10), False)]
)
def test_weights_problem(weights, ok):
    assert (rules.weights_problem(*weights) is None) is ok


@pytest.mark.parametrize(
    ("benefit", "ok"), [(None, True), (D(0), True), (D("125000.50"), True), (D(-1), False)]
)
def test_benefit_problem(benefit, ok):
    assert (rules.benefit_problem(benefit) is None) is ok


@pytest.mark.parametrize(
    ("text", "ok"), [("", False), ("缺少附件", False), ("缺少效益证明材料", True)]
)
def test_return_problem(text, ok):
    assert (rules.return_problem(text) is None) is ok


@pytest.mark.parametrize(
    ("count", "refused"),
    [
        (0, None),  # no award of that level
        (30, None),
        (1000, None),
        (-1, "an award count cannot be negative"),
        (1001, "at most %(n)s awards of a level"),
        (None, "give a whole number (0 for none)"),
    ],
)
def test_count_problem(count, refused):
    problem = rules.count_problem(count)
    assert (problem.msgid if problem else None) == refused


@pytest.mark.parametrize(
    ("state", "refused"),
    [
        (None, False),  # not computed yet
        ("draft", False),  # computed, not published: computed again
        ("notice", True),
        ("final", True),
    ],
)
def test_settings_problem(state, refused):
    assert (rules.settings_problem(state) is not None) is refused

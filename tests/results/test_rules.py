"""The results rules, each pinned by a table of cases (no app, no database)."""

from decimal import Decimal as D

import pytest

from competitions.results import rules
from competitions.results.rules import AdvancementRule, AwardRule, HonourRule, Standing


@pytest.mark.parametrize(
    ("marks", "part_max", "scale", "expected"),
    [
        (["8", "9.5", "7.25"], "30", False, "24.7500"),
        (["8", "9.5", "7.25"], "30", True, "82.5000"),
        (["1", "1", "1"], "3", True, "100.0000"),
        (["0.3333"], "1", True, "33.3300"),
        (["2"], "3", True, "66.6667"),  # 4 places, half up
        ([], "10", True, "0.0000"),
    ],
)
def test_part_score(marks, part_max, scale, expected):
    assert rules.part_score([D(m) for m in marks], D(part_max), scale) == D(expected)


@pytest.mark.parametrize(
    ("theory", "practical", "wt", "wp", "total"),
    [
        ("80", "90", 30, 70, "87.00"),
        ("85.5", "72.25", 30, 70, "76.23"),  # 25.65 + 50.575 = 76.225 → 76.23 half up
        ("85.5", "72.25", 20, 80, "74.90"),
        (None, "88.8888", 0, 100, "88.89"),
        ("100", None, 30, 70, "30.00"),
        ("66.6667", "66.6667", 30, 70, "66.67"),
    ],
)
def test_weighted_total(theory, practical, wt, wp, total):
    t = D(theory) if theory else None
    p = D(practical) if practical else None
    assert rules.weighted_total(t, p, D(wt), D(wp)) == D(total)


def s(
    entry_id,
    total,
    practical=0,
    theory=0,
    time=None,
    status="approved",
    unit=None,
    team=None,
    apart=False,
):
    return Standing(
        entry_id, D(str(total)), D(str(practical)), D(str(theory)), time, status, unit, team, apart
    )


@pytest.mark.parametrize(
    ("standings", "chain", "ranks"),
    [
        # Shared ranks: 1, 2, 2, 4.
        ([s(1, 90), s(2, 80), s(3, 80), s(4, 70)], (), {1: 1, 2: 2, 3: 2, 4: 4}),
        # Practical breaks the tie.
        ([s(1, 80, 60), s(2, 80, 70)], ("practical",), {2: 1, 1: 2}),
        # Equal practical: less time wins; no time recorded sorts last.
        (
            [s(1, 80, 70, 0, 600), s(2, 80, 70, 0, 500), s(3, 80, 70, 0, None)],
            ("practical", "time", "theory"),
            {2: 1, 1: 2, 3: 3},
        ),
        # The whole default chain still equal: shared.
        (
            [s(1, 80, 70, 50, 500), s(2, 80, 70, 50, 500)],
            ("practical", "time", "theory"),
            {1: 1, 2: 1},
        ),
        # Theory third.
        (
            [s(1, 80, 70, 40, 500), s(2, 80, 70, 50, 500)],
            ("practical", "time", "theory"),
            {2: 1, 1: 2},
        ),
        # A chain in another order: theory first.
        ([s(1, 80, 70, 40), s(2, 80, 60, 50)], ("theory", "practical"), {2: 1, 1: 2}),
        # Unranked statuses take no rank.
        (
            [
                s(1, 99, status="withdrawn"),
                s(2, 50),
                s(3, 0, status="absent"),
                s(4, 70, status="disqualified"),
            ],
            (),
            {2: 1},
        ),
    ],
)
def test_ranking(standings, chain, ranks):
    assert rules.rank(standings, chain).ranks == ranks


def test_unranked_entries_are_listed_apart():
    ranking = rules.rank([s(1, 99, status="withdrawn"), s(2, 50), s(3, 0, status="absent")])
    assert ranking.unranked == (1, 3)


def test_no_shared_medal_places_follow_the_chief_judges_decision():
    tied = [s(1, 90), s(2, 90), s(3, 80), s(4, 70), s(5, 70)]
    undecided = rules.rank(tied, (), no_shared_places=3)
    assert undecided.ranks[1] == undecided.ranks[2] == 1 and undecided.undecided == ((1, 2),)
    decided = rules.rank(tied, (), no_shared_places=3, decided_order=(2, 1))
    assert decided.ranks == {2: 1, 1: 2, 3: 3, 4: 4, 5: 4}  # ties below the medals stay shared
    assert decided.undecided == ()


def ranking_of(*totals):
    return rules.rank([s(i + 1, t) for i, t in enumerate(totals)], ())


@pytest.mark.parametrize(
    ("rule", "n", "cutoffs"),
    [
        (AwardRule("proportion", (10, 20, 30)), 20, [("first", 2), ("second", 6), ("third", 12)]),
        (AwardRule("proportion", (10, 20, 30)), 15, [("first", 2), ("second", 5), ("third", 10)]),
        (
            AwardRule("proportion", (10, 20, 30), "floor"),
            15,
            [("first", 1), ("second", 4), ("third", 8)],
        ),
        (
            AwardRule("proportion", (10, 20, 30), "ceil"),
            15,
            [("first", 2), ("second", 5), ("third", 10)],
        ),
        (AwardRule("fixed", (2, 4, 6)), 30, [("first", 2), ("second", 6), ("third", 12)]),
        (
            AwardRule("fixed", (1, 2, 3), mentions=True),
            20,
            [("first", 1), ("second", 3), ("third", 6), ("mention", 10)],
        ),
        (AwardRule("fixed", (2, 4, 6)), 5, [("first", 2), ("second", 5), ("third", 5)]),
        (AwardRule("bands", (5, 20)), 30, [("first", 5), ("second", 20), ("third", 30)]),
        (AwardRule("medals", ()), 20, [("gold", 1), ("silver", 2), ("bronze", 3), ("mention", 10)]),
        (AwardRule("medals", ()), 2, [("gold", 1), ("silver", 2), ("bronze", 2), ("mention", 1)]),
    ],
)
def test_award_cutoffs(rule, n, cutoffs):
    assert rules.award_cutoffs(rule, n) == cutoffs


def test_ties_at_a_cut_off_all_get_the_higher_award():
    ranking = ranking_of(95, 90, 90, 85, 80, 75, 70, 65, 62, 61)
    awards = rules.allocate_awards(
        ranking, {i: D(90) for i in ranking.ranks}, AwardRule("fixed", (2, 2, 2), min_total=None)
    )
    # Ranks 1, 2, 2, 4, 5, 6, 7; cut-offs first ≤ 2, second ≤ 4, third ≤ 6.
    assert [awards.get(i) for i in range(1, 8)] == [
        "first",
        "first",
        "first",
        "second",
        "third",
        "third",
        None,
    ]


def test_minimum_total_and_unranked_entries():
    standings = [s(1, 95), s(2, 59.99), s(3, 99, status="absent"), s(4, 70)]
    ranking = rules.rank(standings, ())
    totals = {x.entry_id: x.total for x in standings}
    awards = rules.allocate_awards(ranking, totals, AwardRule("fixed", (1, 1, 1), min_total=D(60)))
    assert awards == {1: "first", 4: "second"}  # 2 is below 60; 3 is absent and uses no slot


def test_team_results_best_n_with_time_tie_break():
    standings = [
        s(1, 90, time=100, team=10),
        s(2, 80, time=100, team=10),
        s(3, 10, time=1, team=10),
        s(4, 85, time=50, team=20),
        s(5, 85, time=50, team=20),
        s(6, 95, time=10, team=30),
        s(7, 75, time=10, team=30),
        s(8, 99, status="withdrawn", team=30),
        s(9, 50),
    ]
    teams = rules.team_results(standings, "best_n", 2)
    assert [(t.delegation_id, t.score, t.time_sum, t.rank) for t in teams] == [
        (30, D(170), 20, 1),
        (20, D(170), 100, 2),
        (10, D(170), 200, 3),
    ]


def test_team_results_by_points_per_award():
    standings = [s(1, 90, team=1), s(2, 80, team=1), s(3, 85, team=2), s(4, 70, team=2)]
    awards = {1: "first", 2: "third", 3: "second", 4: "mention"}
    teams = rules.team_results(standings, "points", awards=awards, points=(8, 4, 2, 1))
    assert [(t.delegation_id, t.score, t.rank) for t in teams] == [(1, D(10), 1), (2, D(5), 2)]


@pytest.mark.parametrize(
    ("totals", "units", "rule", "advancing", "undecided"),
    [
        ((90, 80, 70, 60), {}, AdvancementRule("top_n", 3), (1, 2, 3), ()),
        ((90, 80, 70, 70, 60), {}, AdvancementRule("top_n", 3, tie="all"), (1, 2, 3, 4), ()),
        ((90, 80, 70, 70, 60), {}, AdvancementRule("top_n", 3, tie="none"), (1, 2), ()),
        ((90, 80, 70, 70, 60), {}, AdvancementRule("top_n", 3, tie="chief_judge"), (1, 2), (3, 4)),
        ((90, 90, 70), {}, AdvancementRule("first_only", 3, tie="none"), (), ()),
        ((90, 80, 70), {}, AdvancementRule("first_only", 5), (1,), ()),
        (
            (90, 85, 80, 75),
            {1: 7, 2: 7, 3: 8, 4: 9},
            AdvancementRule("per_unit", 3, 1),
            (1, 3, 4),
            (),
        ),
        (
            (90, 85, 80, 75),
            {1: 7, 2: 7, 3: 7, 4: 9},
            AdvancementRule("per_unit", 3, 2),
            (1, 2, 4),
            (),
        ),
        ((90,), {}, AdvancementRule("top_n", 0), (), ()),
    ],
)
def test_advancement(totals, units, rule, advancing, undecided):
    result = rules.advancement(ranking_of(*totals), units, rule)
    assert (result.advancing, result.undecided) == (advancing, undecided)


def test_the_chief_judges_picks_settle_a_tie_at_the_cut_off():
    rule = AdvancementRule("top_n", 3, tie="chief_judge")
    ranking = ranking_of(90, 80, 70, 70, 70)
    assert rules.advancement(ranking, {}, rule, picks=(4,)) == rules.Advancement((1, 2, 4))
    # Picks beyond the seats left are cut; picks outside the tie change nothing.
    assert rules.advancement(ranking, {}, rule, picks=(5, 3)).advancing == (1, 2, 3)
    assert rules.advancement(ranking, {}, rule, picks=(1,)).undecided == (3, 4, 5)


def test_honours_are_recommended_by_rank_and_need_an_award():
    ranking = ranking_of(95, 90, 85, 85, 80, 75)
    awards = {1: "first", 2: "first", 3: "second", 4: "second", 5: "third"}
    got = rules.recommend_honours(
        ranking, awards, [HonourRule("may_day_medal", 3), HonourRule("technical_expert", 6)]
    )
    assert [e for e, h in got if h == "may_day_medal"] == [1, 2, 3, 4]  # the tie at 3 whole
    assert [e for e, h in got if h == "technical_expert"] == [1, 2, 3, 4, 5]  # 6 has no award


@pytest.mark.parametrize(
    ("locked", "wt", "wp", "rule", "field", "parent", "offers", "problems"),
    [
        (True, 30, 70, AwardRule(), 10, True, True, []),
        (
            False,
            30,
            70,
            AwardRule(),
            10,
            False,
            False,
            ["the marks are not locked by the chief judge"],
        ),
        (
            True,
            30,
            60,
            AwardRule(),
            10,
            False,
            False,
            ["the theory and practical weights do not add up to 100"],
        ),
        (
            True,
            30,
            70,
            AwardRule("fixed", (2, 4, 6)),
            10,
            False,
            False,
            ["the award counts exceed the number of ranked entries"],
        ),
        (True, 30, 70, AwardRule("fixed", (2, 4, 6)), 12, False, False, []),
        (
            True,
            30,
            70,
            AwardRule("bands", (5, 20)),
            12,
            False,
            False,
            ["the award bands reach past the number of ranked entries"],
        ),
        (
            True,
            30,
            70,
            AwardRule(),
            10,
            True,
            False,
            ["the parent contest does not offer this trade"],
        ),
    ],
)
def test_a_recompute_is_refused_with_the_reason(
    locked, wt, wp, rule, field, parent, offers, problems
):
    got = rules.recompute_problems(locked, D(wt), D(wp), rule, field, parent, offers)
    assert got == problems


@pytest.mark.parametrize(
    ("locked", "final", "problems"),
    [
        (True, True, ["the results are final and cannot be recomputed"]),
        (False, True, ["the results are final and cannot be recomputed"]),
        (True, False, []),
    ],
)
def test_final_results_are_never_recomputed(locked, final, problems):
    got = rules.recompute_problems(locked, D(30), D(70), AwardRule(), 10, False, False, final)
    assert got == problems


@pytest.mark.parametrize(
    ("value", "shown"),
    [
        (D("66.6667"), D("66.67")),
        (D("255"), D("255.00")),  # a team score reads like any other
        (D("12.345"), D("12.35")),  # half up
        (D("12.3449"), D("12.34")),
        (D("0"), D("0.00")),
        (None, None),
    ],
)
def test_scores_people_read_have_two_places(value, shown):
    result = rules.readable(value)
    assert result == shown and (result is None or str(result) == str(shown))


@pytest.mark.parametrize(
    ("status", "shows"),
    [
        ("approved", True),
        ("registered", True),
        ("withdrawn", False),
        ("disqualified", False),
        ("absent", False),
    ],
)
def test_withdrawn_disqualified_and_absent_entries_show_no_scores(status, shows):
    assert rules.earned_scores(status) is shows


#: 不计名次: a WorldSkills selection entrant (3) tops the field but takes no place of anyone.
FIELD_WITH_ONE_APART = [
    s(1, 90, team=10, unit=1),
    s(2, 80, team=10, unit=1),
    s(3, 99, team=10, unit=2, apart=True),
    s(4, 70, team=20, unit=2),
    s(5, 60, team=20, unit=3),
]


def test_an_entry_out_of_competition_is_marked_but_takes_no_place():
    ranking = rules.rank(FIELD_WITH_ONE_APART, ())
    # It is listed apart; the others rank as if it were not there.
    assert ranking.ranks == {1: 1, 2: 2, 4: 3, 5: 4}
    assert ranking.unranked == (3,)
    totals = {x.entry_id: x.total for x in FIELD_WITH_ONE_APART}
    # One first prize among 4 ranked, not 5: the field size counts the ranked only.
    assert rules.award_cutoffs(AwardRule("proportion", (25, 25, 25)), len(ranking.ranks)) == [
        ("first", 1),
        ("second", 2),
        ("third", 3),
    ]
    awards = rules.allocate_awards(ranking, totals, AwardRule("fixed", (1, 1, 1)))
    assert awards == {1: "first", 2: "second", 4: "third"}
    # The team's best two are 1 and 2 (90 + 80), not 3's 99.
    teams = rules.team_results(FIELD_WITH_ONE_APART, "best_n", 2)
    assert [(t.delegation_id, t.score, t.members) for t in teams] == [
        (10, D(170), (1, 2)),
        (20, D(130), (4, 5)),
    ]
    # Two advance: 1 and 2; with one per unit, 1 and 4 (3's unit has a seat left for 4).
    assert rules.advancement(ranking, {}, AdvancementRule("top_n", 2)).advancing == (1, 2)
    units = {x.entry_id: x.unit_id for x in FIELD_WITH_ONE_APART}
    per_unit = AdvancementRule("per_unit", 2, 1)
    assert rules.advancement(ranking, units, per_unit).advancing == (1, 4)
    honours = rules.recommend_honours(ranking, awards, [HonourRule("promotion", 1)])
    assert honours == [(1, "promotion")]


@pytest.mark.parametrize(
    ("status", "apart", "shown"),
    [
        ("approved", True, "out_of_competition"),
        ("registered", True, "out_of_competition"),
        ("approved", False, "approved"),
        # Withdrawn, disqualified or absent says so, out of competition or not.
        ("absent", True, "absent"),
        ("withdrawn", True, "withdrawn"),
        ("disqualified", False, "disqualified"),
    ],
)
def test_what_a_row_without_a_rank_shows(status, apart, shown):
    assert rules.shown_in_place_of_rank(status, apart) == shown


@pytest.mark.parametrize(
    ("status", "apart", "competes"),
    [
        ("approved", False, True),
        ("registered", False, True),
        ("approved", True, False),
        ("absent", False, False),
        ("withdrawn", False, False),
        ("disqualified", True, False),
    ],
)
def test_who_takes_a_place(status, apart, competes):
    assert rules.competes(status, apart) is competes

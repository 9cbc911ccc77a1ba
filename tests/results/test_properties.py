"""Properties of the results rules that must hold for any contest (hypothesis)."""

from decimal import Decimal

from hypothesis import given, settings
from hypothesis import strategies as st

from competitions.results import rules
from competitions.results.rules import AdvancementRule, AwardRule, Standing

CHAIN = ("practical", "time", "theory")
scores = st.integers(min_value=0, max_value=40).map(lambda n: Decimal(n) / 4 + 60)


@st.composite
def fields(draw, min_size=0, max_size=40):
    n = draw(st.integers(min_size, max_size))
    out = []
    for i in range(n):
        out.append(
            Standing(
                entry_id=i + 1,
                total=draw(scores),
                practical=draw(scores),
                theory=draw(scores),
                time_used=draw(st.one_of(st.none(), st.integers(100, 105))),
                status=draw(st.sampled_from(["approved"] * 8 + ["withdrawn", "absent"])),
                unit_id=draw(st.integers(1, 4)),
                delegation_id=draw(st.one_of(st.none(), st.integers(1, 5))),
            )
        )
    return out


@given(fields(), st.randoms(use_true_random=False))
def test_rank_order_does_not_depend_on_input_order(standings, rnd):
    shuffled = list(standings)
    rnd.shuffle(shuffled)
    assert rules.rank(standings, CHAIN) == rules.rank(shuffled, CHAIN)


@given(fields())
def test_equal_keys_share_a_rank_and_only_they_do(standings):
    ranking = rules.rank(standings, CHAIN)
    ranked = [s for s in standings if s.entry_id in ranking.ranks]
    for a in ranked:
        for b in ranked:
            same = rules._key(a, CHAIN) == rules._key(b, CHAIN)
            assert (ranking.ranks[a.entry_id] == ranking.ranks[b.entry_id]) == same


@given(fields())
def test_rank_is_one_plus_the_number_strictly_ahead(standings):
    ranking = rules.rank(standings, CHAIN)
    keys = {s.entry_id: rules._key(s, CHAIN) for s in standings if s.entry_id in ranking.ranks}
    for entry_id, key in keys.items():
        assert ranking.ranks[entry_id] == 1 + sum(1 for k in keys.values() if k < key)


@given(fields())
def test_unranked_entries_never_get_a_rank(standings):
    ranking = rules.rank(standings, CHAIN)
    for s in standings:
        assert (s.entry_id in ranking.ranks) == (s.status not in rules.UNRANKED_STATUSES)


@given(
    fields(),
    st.sampled_from(["half_up", "floor", "ceil"]),
    st.lists(st.integers(0, 40), min_size=1, max_size=3).filter(lambda p: sum(p) <= 100),
)
def test_proportion_awards_count_as_the_mode_says(standings, rounding, percents):
    ranking = rules.rank(standings, CHAIN)
    totals = {s.entry_id: s.total for s in standings}
    rule = AwardRule("proportion", tuple(percents), rounding, min_total=None)
    awards = rules.allocate_awards(ranking, totals, rule)
    n = len(ranking.ranks)
    cut = 0
    for name, percent in zip(rules.PRIZES, percents, strict=False):
        cut += rules._round_count(n, percent, rounding)
        cut = min(cut, n)
        # Everyone ranked within the cut-off has this award or a better one …
        within = [e for e, r in ranking.ranks.items() if r <= cut]
        assert all(e in awards for e in within)
        # … and the count of awards up to this level is the cut-off, plus those tied at it.
        better = rules.PRIZES[: rules.PRIZES.index(name) + 1]
        assert sum(1 for a in awards.values() if a in better) == len(within)


@given(fields(), st.lists(st.integers(0, 5), min_size=1, max_size=3))
def test_a_better_rank_never_gets_a_worse_award(standings, counts):
    ranking = rules.rank(standings, CHAIN)
    totals = {s.entry_id: s.total for s in standings}
    awards = rules.allocate_awards(
        ranking, totals, AwardRule("fixed", tuple(counts), min_total=None, mentions=True)
    )
    order = [*rules.PRIZES, rules.MENTION, None]
    for a, ra in ranking.ranks.items():
        for b, rb in ranking.ranks.items():
            if ra < rb:
                assert order.index(awards.get(a)) <= order.index(awards.get(b))


@given(
    fields(),
    st.integers(0, 6),
    st.sampled_from(["all", "none"]),
    st.sampled_from(["top_n", "per_unit"]),
)
def test_advancement_respects_the_quota_and_the_unit_cap(standings, quota, tie, mode):
    ranking = rules.rank(standings, CHAIN)
    units = {s.entry_id: s.unit_id for s in standings}
    rule = AdvancementRule(mode, quota, per_unit=1 if mode == "per_unit" else None, tie=tie)
    chosen = rules.advancement(ranking, units, rule).advancing
    assert len(set(chosen)) == len(chosen)
    if tie == "none":
        assert len(chosen) <= quota
    if mode == "per_unit":
        picked_units = [units[e] for e in chosen]
        assert len(picked_units) == len(set(picked_units))
    # Nobody advances over a better-ranked entry that was eligible and passed over.
    if chosen and mode == "top_n":
        worst = max(ranking.ranks[e] for e in chosen)
        assert all(e in chosen for e, r in ranking.ranks.items() if r < worst)


@settings(max_examples=50)
@given(fields(min_size=1), st.integers(1, 4))
def test_team_scores_are_the_sum_of_the_best_members(standings, size):
    teams = rules.team_results(standings, "best_n", size)
    for team in teams:
        members = sorted(
            (
                s
                for s in standings
                if s.delegation_id == team.delegation_id and s.status not in rules.UNRANKED_STATUSES
            ),
            key=lambda s: -s.total,
        )
        assert team.score == sum((s.total for s in members[:size]), Decimal(0))
    assert [t.rank for t in teams] == sorted(t.rank for t in teams)

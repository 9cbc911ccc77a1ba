"""The union's figures: who reads which tree, shares, and the charts' geometry."""

from decimal import Decimal

import pytest

from competitions.stats import rules

# The tree: 1 province union > 2 city union > 3 enterprise; 4 another city union.


@pytest.mark.parametrize(
    ("scope", "registrar", "granted", "chain", "reads"),
    [
        (None, True, [], [], True),  # a registrar reads everything
        (3, True, [], [3, 2, 1], True),
        (None, False, [1], [], False),  # an officer never reads "everything"
        (1, False, [1], [1], True),  # the province's officer: the province …
        (3, False, [1], [3, 2, 1], True),  # … and every tree below
        (2, False, [2], [2, 1], True),  # the city's officer: the city …
        (3, False, [2], [3, 2, 1], True),  # … its enterprise …
        (1, False, [2], [1], False),  # … not the province above it …
        (4, False, [2], [4, 1], False),  # … nor the city beside it
        (2, False, [], [2, 1], False),  # no grant, nothing
        (4, False, [2, 4], [4, 1], True),  # two grants, two trees
    ],
)
def test_who_reads_which_tree(scope, registrar, granted, chain, reads):
    assert rules.may_read(scope, registrar, granted, chain) is reads


@pytest.mark.parametrize(
    ("part", "whole", "shown"),
    [
        (1, 3, Decimal("33.3")),
        (2, 3, Decimal("66.7")),
        (5, 5, Decimal("100.0")),
        (0, 7, Decimal("0.0")),
        (3, 0, None),
    ],
)
def test_shares_have_one_place_half_up(part, whole, shown):
    assert rules.share(part, whole) == shown


def test_bars_are_to_scale_the_longest_at_three_quarters_of_the_room():
    chart = rules.bar_chart([("省级", 40), ("市级", 10), ("县级", 0)], width=600)
    room = (600 - 160) * 0.75
    assert [(b.label, b.value, b.y, b.width) for b in chart.bars] == [
        ("省级", 40, 0.0, room),
        ("市级", 10, 24.0, room / 4),
        ("县级", 0, 48.0, 0.0),
    ]
    assert chart.height == 72
    assert rules.bar_chart([]).bars == ()
    assert [b.width for b in rules.bar_chart([("a", 0)]).bars] == [0.0]


def test_the_trend_has_a_column_for_every_year_between_the_first_and_the_last():
    chart = rules.trend_chart([(2023, 50), (2026, 100), (2025, 25)])
    # Four columns (192 units) centred in the 480 the chart takes at least.
    assert [(c.year, c.value, c.x, c.height) for c in chart.columns] == [
        (2023, 50, 144.0, 60.0),
        (2024, 0, 192.0, 0.0),
        (2025, 25, 240.0, 30.0),
        (2026, 100, 288.0, 120.0),
    ]
    assert chart.width == 480
    wide = rules.trend_chart([(2000 + i, i) for i in range(12)])
    assert (wide.width, wide.columns[0].x) == (576, 0.0)
    assert rules.trend_chart([]).columns == ()


def test_a_fingerprint_changes_with_any_count():
    assert rules.fingerprint([3, None, 7]) == "3|None|7"
    assert rules.fingerprint([3, 1]) != rules.fingerprint([3, 2])

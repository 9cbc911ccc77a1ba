"""Retention (issue 18, item 5): contestants without an award keep their personal details for
their contests' retention after final, then they are anonymised."""

from datetime import date

import pytest

from competitions.privacy.rules import Taking, due_for_anonymising, years_after

TODAY = date(2030, 6, 1)
OLD = Taking(date(2026, 12, 1), False, 3)  # final 3.5 years ago, kept 3 years
RECENT = Taking(date(2028, 1, 1), False, 3)


@pytest.mark.parametrize(
    ("takings", "due"),
    [
        ([], False),  # never entered: the registrars' register
        ([OLD], True),
        ([RECENT], False),  # not yet 3 years
        ([Taking(date(2027, 6, 1), False, 3)], True),  # on the day
        ([Taking(date(2027, 6, 2), False, 3)], False),  # the day before
        ([Taking(None, False, 3)], False),  # not final
        ([Taking(date(2026, 12, 1), True, 3)], False),  # an award: kept
        ([OLD, RECENT], False),  # every entry must be due
        ([OLD, Taking(date(2021, 1, 1), False, 10)], False),  # the longer retention wins
        ([OLD, Taking(date(2020, 1, 1), False, 5)], True),
        ([OLD, Taking(date(2020, 1, 1), True, 1)], False),  # an award anywhere: kept
    ],
)
def test_due_for_anonymising(takings, due):
    assert due_for_anonymising(takings, TODAY) is due


@pytest.mark.parametrize(
    ("day", "years", "then"),
    [
        (date(2026, 12, 1), 3, date(2029, 12, 1)),
        (date(2028, 2, 29), 1, date(2029, 2, 28)),
        (date(2028, 2, 29), 4, date(2032, 2, 29)),
    ],
)
def test_years_after(day, years, then):
    assert years_after(day, years) == then

"""Pure rules of personal information's life cycle: no Flask, no database, no clock.

``tests/publication/test_retention.py`` pins them with a table of cases.
"""

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True)
class Taking:
    """One entry of a person, as retention looks at it."""

    #: The day its results became final; None while they are not.
    final_on: date | None
    #: Whether it brought an award or an honour (then the person's details are kept: their
    #: certificate is checked by name).
    awarded: bool
    #: Years its contest keeps the details of contestants without an award.
    keep_years: int


def years_after(day: date, years: int) -> date:
    """The same day ``years`` later (29 February becomes 28 February)."""
    try:
        return day.replace(year=day.year + years)
    except ValueError:
        return day.replace(year=day.year + years, day=28)


def due_for_anonymising(takings: list[Taking], today: date) -> bool:
    """Whether a person's personal details are to be anonymised today.

    Rule: only a person entered somewhere (the registers of people never entered are the
    registrars'); every entry's results are final, none brought an award or an honour, and for
    each the contest's retention has passed: ``today`` is on or after the day its results
    became final plus its ``keep_years``.
    """
    if not takings:
        return False
    return all(
        t.final_on is not None and not t.awarded and today >= years_after(t.final_on, t.keep_years)
        for t in takings
    )


def objector_due(decided_on: date | None, today: date, keep_days: int) -> bool:
    """Whether a public objector's name and contact are to be cleared today.

    Rule: a member of the public who objected to a notice (公示: a 工匠 nominee, an awarded
    achievement) gave their name and contact only so that the arbitrator could reach them.
    Both are kept while the objection is undecided and for ``keep_days`` days after its
    decision, then cleared; the objection, its reasons and the decision stay.
    """
    return decided_on is not None and today >= decided_on + timedelta(days=keep_days)

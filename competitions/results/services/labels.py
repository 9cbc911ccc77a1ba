"""Names of awards, honours and honours' states in the user's language, and scores as people
read them (templates use them as filters: ``award_label``, ``honour_label``, ``honour_state``,
``score``; and the test ``earned``)."""

from decimal import Decimal

from competitions.results.rules import earned_scores, readable


def score(value: Decimal | None) -> str:
    """A score as people read it (``rules.readable``: 2 places); empty when there is none."""
    shown = readable(value)
    return "" if shown is None else str(shown)


def earned(status: str) -> bool:
    """Whether an entry with this status shows scores (``rules.earned_scores``)."""
    return earned_scores(status)

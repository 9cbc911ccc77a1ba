"""Names of awards, honours and honours' states in the user's language, and scores as people
read them (templates use them as filters: ``award_label``, ``honour_label``, ``honour_state``,
``score``, ``in_place_of_rank``; and the test ``earned``)."""

from decimal import Decimal

from competitions.core.labels import IN_PLACE_OF_RANK_LABELS
from competitions.results.rules import earned_scores, readable, shown_in_place_of_rank


def score(value: Decimal | None) -> str:
    """A score as people read it (``rules.readable``: 2 places); empty when there is none."""
    shown = readable(value)
    return "" if shown is None else str(shown)


def earned(status: str) -> bool:
    """Whether an entry with this status shows scores (``rules.earned_scores``)."""
    return earned_scores(status)


def in_place_of_rank(status: str, out_of_competition: bool = False) -> str:
    """What a row without a rank shows in its place, in the user's language: the entry's
    status, or 不计名次 (``rules.shown_in_place_of_rank``)."""
    key = shown_in_place_of_rank(status, out_of_competition)
    return str(IN_PLACE_OF_RANK_LABELS.get(key, key))

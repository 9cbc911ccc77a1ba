"""Names of awards, honours and honours' states in the user's language, and scores as people
read them (templates use them as filters: ``award_label``, ``honour_label``, ``honour_state``,
``score``; and the test ``earned``)."""

from decimal import Decimal

from competitions.core.i18n import lazy_gettext as _l
from competitions.results.rules import earned_scores, readable

AWARD_LABELS = {
    "first": _l("First prize"),
    "second": _l("Second prize"),
    "third": _l("Third prize"),
    "gold": _l("Gold medal"),
    "silver": _l("Silver medal"),
    "bronze": _l("Bronze medal"),
    "mention": _l("Honourable mention"),
}
HONOUR_LABELS = {
    "may_day_medal": _l("May Day Labour Medal"),
    "technical_expert": _l("Technical Expert"),
    "promotion": _l("Promotion of skill level"),
}
HONOUR_STATE_LABELS = {
    "recommended": _l("Recommended"),
    "granted": _l("Granted"),
    "withdrawn": _l("Withdrawn"),
}


def award_label(award: str) -> str:
    """An award's name in the user's language."""
    return str(AWARD_LABELS.get(award, award))


def honour_label(honour: str) -> str:
    """An honour's name in the user's language."""
    return str(HONOUR_LABELS.get(honour, honour))


def honour_state(state: str) -> str:
    """An honour's state (recommended, granted, withdrawn) in the user's language."""
    return str(HONOUR_STATE_LABELS.get(state, state))


def score(value: Decimal | None) -> str:
    """A score as people read it (``rules.readable``: 2 places); empty when there is none."""
    shown = readable(value)
    return "" if shown is None else str(shown)


def earned(status: str) -> bool:
    """Whether an entry with this status shows scores (``rules.earned_scores``)."""
    return earned_scores(status)

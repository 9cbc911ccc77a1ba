"""Names of awards, honours and honours' states in the user's language (templates use them as
filters: ``award_label``, ``honour_label``, ``honour_state``)."""

from competitions.core.i18n import lazy_gettext as _l

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

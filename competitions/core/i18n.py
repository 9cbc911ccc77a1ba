"""Translation helpers shared by views, forms and tasks."""

from flask_babel import gettext

from competitions.registry.rules import Reason


def say(reason: Reason) -> str:
    """A rule's reason in the user's language."""
    return gettext(reason.msgid, **dict(reason.params))

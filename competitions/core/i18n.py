"""Translation helpers shared by views, forms and tasks."""

from collections.abc import Mapping

from flask_babel import get_locale, gettext

from competitions.registry.rules import Reason


def say(reason: Reason) -> str:
    """A rule's reason in the user's language."""
    return gettext(reason.msgid, **dict(reason.params))


def local_name(zh: str, en: str) -> str:
    """A name the register holds in Chinese and English, in the interface's language: the
    English one when English is shown (and the register has one), else the Chinese."""
    locale = get_locale()
    return en if en and locale is not None and locale.language == "en" else zh


def trade_name(trade) -> str:
    """A trade's name in the interface's language; ``trade`` is a Trade or a published row
    (a mapping with ``trade`` and ``trade_en``)."""
    if isinstance(trade, Mapping):
        return local_name(trade["trade"], trade.get("trade_en", ""))
    return local_name(trade.name_zh, trade.name_en)

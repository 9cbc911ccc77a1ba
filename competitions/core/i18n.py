"""Translation helpers shared by views, forms and tasks."""

from collections.abc import Mapping
from datetime import date, datetime
from zoneinfo import ZoneInfo

from babel.dates import format_date
from flask import current_app
from flask_babel import get_locale, gettext, to_user_timezone
from flask_babel.speaklater import LazyString
from markupsafe import Markup

from competitions.core.words import Reason


def say(reason: Reason) -> str:
    """A rule's reason in the user's language."""
    return gettext(reason.msgid, **dict(reason.params))


class LazyText(LazyString):
    """A translation made when it is used; in a page only the translated text counts as markup.

    Flask-Babel's lazy strings tell Jinja and WTForms that they are safe HTML (``__html__``)
    whole, the values put into them included: ``_l("Entry of %(name)s", name=...)`` put a
    contestant's name into ``<title>`` unescaped. Here the translation is trusted and every
    value is escaped, like ``_()`` in a template does; ``str()`` gives the plain text (for
    flashes, spreadsheets and logs, which escape or need no escaping).
    """

    def __html__(self) -> Markup:
        string, variables = self._args[0], self._kwargs
        translated = Markup(gettext(string))
        return translated % variables if variables else translated


def lazy_gettext(string: str, **variables) -> LazyText:
    """Like Flask-Babel's ``lazy_gettext`` (imported as ``_l``), but its values are escaped in
    pages (see ``LazyText``). Every module takes ``_l`` from here."""
    return LazyText(gettext, string, **variables)


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


def local_moment(value: datetime | None) -> str:
    """A naive local time (as deadlines are kept) as people read it: 2026年12月11日 23:59."""
    if value is None:
        return "—"
    return f"{format_date(value, format='long', locale=get_locale())} {value:%H:%M}"


def utc_moment(value: datetime | None) -> str:
    """A naive UTC time (as the database keeps most times) in the contests' time zone, as
    people read it."""
    if value is None:
        return "—"
    return local_moment(to_user_timezone(value).replace(tzinfo=None))


def local_day(value: date | None) -> str:
    """A date as people read it: 2018年7月9日."""
    return "—" if value is None else format_date(value, format="long", locale=get_locale())


def local_now() -> datetime:
    """Now, as a naive datetime in the contests' time zone (what deadlines are written in)."""
    zone = ZoneInfo(current_app.config["BABEL_DEFAULT_TIMEZONE"])
    return datetime.now(zone).replace(tzinfo=None, microsecond=0)

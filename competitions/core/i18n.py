"""Translation helpers shared by views, forms and tasks."""

from datetime import date, datetime

from babel.dates import format_date
from flask_babel import get_locale, gettext, to_user_timezone

from competitions.registry.rules import Reason


def say(reason: Reason) -> str:
    """A rule's reason in the user's language."""
    return gettext(reason.msgid, **dict(reason.params))


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

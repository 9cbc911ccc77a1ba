"""Sections that higher areas add to a person's page (their 工匠 titles…), without the
registry knowing them: a function of the person returning (template, context) or None."""

from collections.abc import Callable

SECTIONS: list[Callable] = []


def register(section: Callable) -> Callable:
    """Add the decorated function's section to every person's page."""
    SECTIONS.append(section)
    return section


def of(person) -> list[tuple[str, dict]]:
    """The sections shown on this person's page, in the order registered."""
    return [shown for shown in (section(person) for section in SECTIONS) if shown]

"""A contestant's own results: found by ID number and name, published results only."""

from dataclasses import dataclass

from sqlalchemy import select

from competitions.core.db import db
from competitions.registry import rules as registry_rules
from competitions.registry.models import ID_TYPES, Entry, Person
from competitions.results.models import Result, ResultSet

#: Results the public may see: under notice or final, never drafts.
PUBLISHED = ("notice", "final")


@dataclass
class MyResult:
    """One of the contestant's published results."""

    entry: Entry
    result: Result
    result_set: ResultSet


def find_person(id_number: str, name: str) -> Person | None:
    """The person with this ID number, only if the name matches too (no hint otherwise)."""
    number = registry_rules.normalise_id_number(id_number)
    # Every document type listed, so the (id_type, id_number) unique index finds it directly.
    person = db.session.scalar(
        select(Person).where(Person.id_type.in_(ID_TYPES), Person.id_number == number)
    )
    if person is None or person.name != name.strip():
        return None
    return person


def published_results(person: Person) -> list[MyResult]:
    """The person's results under notice or final, lowest tier first."""
    rows = db.session.execute(
        select(Entry, Result, ResultSet)
        .join(Result, Result.entry_id == Entry.id)
        .join(ResultSet, ResultSet.contest_trade_id == Result.contest_trade_id)
        .where(Entry.person_id == person.id, ResultSet.state.in_(PUBLISHED))
    ).all()
    out = [MyResult(*row) for row in rows]
    return sorted(out, key=lambda r: r.entry.contest_trade.contest.starts_on)

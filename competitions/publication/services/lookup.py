"""A contestant's own results: found by ID number and name, published results only."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from competitions.core.crypto import id_number_hash
from competitions.core.db import db
from competitions.judging import rules as judging_rules
from competitions.judging.models import Mark, MarkingLock, SchemeItem, SchemePart
from competitions.registry.models import ID_TYPES, Entry, Person, PersonConsent
from competitions.registry.rules import PRIVACY_NOTICE_VERSION
from competitions.results.models import PUBLISHED, Result, ResultSet

#: Results the public may see: under notice or final, never drafts.


@dataclass
class MyResult:
    """One of the contestant's published results."""

    entry: Entry
    result: Result
    result_set: ResultSet


def find_person(id_number: str, name: str) -> Person | None:
    """The person with this ID number, only if the name matches too (no hint otherwise)."""
    # By the keyed hash of the normalised number (the number itself is kept encrypted); every
    # document type listed, so the (id_type, id_number_hash) unique index finds it directly.
    person = db.session.scalar(
        select(Person).where(
            Person.id_type.in_(ID_TYPES), Person.id_number_hash == id_number_hash(id_number)
        )
    )
    if person is None or person.name != name.strip():
        return None
    return person


def published_results(person: Person) -> list[MyResult]:
    """The person's results under notice or final, lowest tier first."""
    rows = db.session.execute(
        select(Entry, Result, ResultSet)
        .join(Result, Result.subject_id == Entry.id)
        .join(ResultSet, ResultSet.assessment_id == Result.assessment_id)
        .where(Entry.person_id == person.id, ResultSet.state.in_(PUBLISHED))
    ).all()
    out = [MyResult(*row) for row in rows]
    return sorted(out, key=lambda r: r.entry.contest_trade.contest.starts_on)


@dataclass
class ItemLine:
    """One item of a contestant's result: what it marks, its maximum, the mark it got."""

    part: str
    code: str
    criterion: str
    max_mark: Decimal
    mark: Decimal


def item_lines(entry_ids: list[int]) -> dict[int, list[ItemLine]]:
    """Each entry's item marks (judges' scores combined by the item's rule), in scheme order.

    Only the combined mark is shown, never which judge gave which score, and only while the
    marks are locked (reopened after an upheld appeal, they are being corrected: the published
    part scores stand until the recompute).
    """
    rows = db.session.execute(
        select(Mark.subject_id, Mark.value, SchemeItem, SchemePart.kind)
        .join(SchemeItem, SchemeItem.id == Mark.item_id)
        .join(SchemePart, SchemePart.id == SchemeItem.part_id)
        .join(
            MarkingLock,
            (MarkingLock.assessment_id == SchemePart.assessment_id) & MarkingLock.locked.is_(True),
        )
        .where(Mark.subject_id.in_(entry_ids))
        .order_by(SchemePart.kind.desc(), SchemeItem.position, SchemeItem.id)
    ).all()
    scores: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    items: dict[int, tuple] = {}
    for entry_id, value, item, kind in rows:
        scores[(entry_id, item.id)].append(value)
        items[item.id] = (item, kind)
    lines: dict[int, list[ItemLine]] = defaultdict(list)
    for (entry_id, item_id), values in scores.items():
        item, kind = items[item_id]
        mark = judging_rules.item_mark(values, item.rule)
        lines[entry_id].append(ItemLine(kind, item.code, item.criterion, item.max_mark, mark))
    return lines


def record_consent(person_id: int, context: str) -> None:
    """Keep that the person agreed to the privacy notice of today (its version), and where:
    once per version and place (looking up again agrees to nothing new)."""
    kept = select(PersonConsent.id).filter_by(
        person_id=person_id, version=PRIVACY_NOTICE_VERSION, context=context
    )
    if db.session.scalar(kept.limit(1)) is None:
        db.session.add(
            PersonConsent(person_id=person_id, version=PRIVACY_NOTICE_VERSION, context=context)
        )
        db.session.flush()

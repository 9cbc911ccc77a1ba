"""Saving marks: the one place a score is written, checked, and recorded in the audit trail."""

from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.dialects import postgresql, sqlite

from competitions.core.db import db, utcnow
from competitions.core.words import N_, Reason
from competitions.judging.models import Mark, MarkChange, MarkingLock


class MarkingError(Exception):
    """A score the rules refuse; ``reason`` says why in the user's terms."""

    def __init__(self, reason: Reason):
        super().__init__(str(reason))
        self.reason = reason


def is_locked(ct_id: int, for_update: bool = False) -> bool:
    """Whether the assessment's marks are locked; ``for_update`` holds the lock row (PostgreSQL).

    Writers of marks read it with a shared lock and the chief judge's lock takes it exclusively,
    so a score cannot slip in while the marks are being locked.
    """
    query = select(MarkingLock.locked).where(MarkingLock.assessment_id == ct_id)
    query = query.with_for_update(read=not for_update)
    locked = db.session.scalar(query)
    if locked is None:  # the first time: create the row every later writer locks
        db.session.execute(
            _insert(MarkingLock.__table__)
            .values(assessment_id=ct_id, locked=False)
            .on_conflict_do_nothing(index_elements=["assessment_id"])
        )
        locked = db.session.scalar(query)
    return bool(locked)


def _insert(table):
    """The dialect's INSERT with ON CONFLICT support."""
    dialect = db.session.get_bind().dialect.name
    return (postgresql.insert if dialect == "postgresql" else sqlite.insert)(table)


def save_score(
    ct_id: int,
    entry_id: int,
    item_id: int,
    judge_id: int,
    value: Decimal,
    changed_by: int,
    source: str = "judge",
    reason: str = "",
) -> Decimal | None:
    """Write one judge's score (insert or replace) and its audit row; returns the old value.

    Refuses when the assessment is locked. Concurrent saves of the same cell end with one
    row, never two (ON CONFLICT on the unique (subject, item, judge)). The caller checks that the
    judge may score this subject and item, and that the value suits the item.
    """
    if is_locked(ct_id):
        raise MarkingError(Reason.of(N_("the marks are locked by the chief judge")))
    key = {"subject_id": entry_id, "item_id": item_id, "judge_id": judge_id}
    old = db.session.scalar(select(Mark.value).filter_by(**key).with_for_update())
    if old is not None and old == value:
        return old
    now = utcnow()
    stmt = _insert(Mark.__table__).values(**key, value=value, source=source, updated_at=now)
    stmt = stmt.on_conflict_do_update(
        index_elements=["subject_id", "item_id", "judge_id"],
        set_={"value": value, "source": source, "updated_at": now},
    )
    db.session.execute(stmt)
    db.session.add(
        MarkChange(
            **key, old_value=old, new_value=value, changed_by=changed_by, at=now, reason=reason
        )
    )
    db.session.flush()
    return old

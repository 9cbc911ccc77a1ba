"""The audit log: who changed which registration record, when, from what to what.

Every model that sets ``__audited__ = True`` is logged by one session listener, so no
service can forget to write the trail. The acting user is set explicitly per request or
per job with :func:`acting_as`.
"""

import contextvars
import json
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import JSON, ForeignKey, Index, String, event, inspect
from sqlalchemy.orm import Mapped, Session, mapped_column

from competitions.core.db import db, utcnow

_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("audit_actor", default=None)


class AuditLog(db.Model):
    """One change of one audited record."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: When the change was flushed (UTC).
    at: Mapped[datetime] = mapped_column(default=utcnow)
    #: Who made it; empty for the system (seeds, migrations).
    user_id: Mapped[int | None] = mapped_column(ForeignKey("user_account.id", ondelete="SET NULL"))
    #: create, update or delete.
    action: Mapped[str] = mapped_column(String(10))
    #: The table of the changed record and its primary key.
    entity: Mapped[str] = mapped_column(String(40))
    entity_id: Mapped[int] = mapped_column()
    #: {column: [old, new]} for the columns that changed.
    changes: Mapped[dict] = mapped_column(JSON)

    __table_args__ = (Index("ix_audit_log_entity", "entity", "entity_id"),)

    def __repr__(self) -> str:
        return f"<AuditLog {self.action} {self.entity}#{self.entity_id} by {self.user_id}>"


@contextmanager
def acting_as(user_id: int | None):
    """Attribute the changes made inside the block to ``user_id``."""
    token = _actor.set(user_id)
    try:
        yield
    finally:
        _actor.reset(token)


def set_actor(user_id: int | None) -> None:
    """Attribute the rest of this context's changes (one request) to ``user_id``."""
    _actor.set(user_id)


def _plain(value):
    """A JSON-safe form of a column value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _changes(obj, action: str) -> dict:
    """The {column: [old, new]} of an object about to be written."""
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        hist = state.attrs[attr.key].history
        if action == "create":
            value = getattr(obj, attr.key)
            if value is not None:
                out[attr.key] = [None, _plain(value)]
        elif action == "delete":
            out[attr.key] = [_plain(getattr(obj, attr.key)), None]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                out[attr.key] = [_plain(old), _plain(new)]
    return out


@event.listens_for(Session, "after_flush")
def _write_audit_rows(session, flush_context):
    """Append an audit row for every created, changed or deleted audited object."""
    rows = []
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not getattr(obj, "__audited__", False):
                continue
            changes = _changes(obj, action)
            if action == "update" and not changes:
                continue
            rows.append(
                {
                    "at": utcnow(),
                    "user_id": _actor.get(),
                    "action": action,
                    "entity": obj.__tablename__,
                    "entity_id": obj.id,
                    "changes": json.loads(json.dumps(changes, default=str)),
                }
            )
    if rows:
        session.connection().execute(AuditLog.__table__.insert(), rows)


def log_bulk(session, action: str, entity: str, records: list[tuple[int, dict]]) -> None:
    """Write audit rows for records inserted in bulk (bypassing the ORM listener)."""
    if not records:
        return
    actor = _actor.get()
    now = utcnow()
    rows = [
        {
            "at": now,
            "user_id": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "changes": {k: [None, _plain(v)] for k, v in values.items() if v is not None},
        }
        for entity_id, values in records
    ]
    session.connection().execute(AuditLog.__table__.insert(), rows)

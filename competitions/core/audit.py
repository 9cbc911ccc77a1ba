"""The audit log: who changed which registration record, when, from what to what.

Every model that sets ``__audited__ = True`` is logged by one session listener, so no
service can forget to write the trail. The acting user is set explicitly per request or
per job with :func:`acting_as`.

``__audited__`` may also be a method: the object is logged when it returns true (a mark
change is logged when someone other than its judge made it). Each row names the contest it
belongs to, found from the record (its contest, contest-trade or entry) or else from the
request's URL (:func:`set_scope_from_url`), so an organiser can read their contest's trail.

The trail never holds a plain ID number or phone: a column kept encrypted
(``competitions.core.crypto.Encrypted``) is logged masked (``3701**********1234``), and a column
marked ``info={"audited": False}`` (the keyed hash beside an ID number) is left out.
"""

import contextvars
import json
from contextlib import contextmanager
from datetime import date, datetime
from decimal import Decimal
from functools import wraps

from sqlalchemy import JSON, ForeignKey, Index, String, event, inspect, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from competitions.core.crypto import masked
from competitions.core.db import db, utcnow

_actor: contextvars.ContextVar[int | None] = contextvars.ContextVar("audit_actor", default=None)
#: What the current request or job is about: ("contest" | "assessment" | "subject", id).
_scope: contextvars.ContextVar[tuple[str, int] | None] = contextvars.ContextVar(
    "audit_scope", default=None
)


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
    #: The contest the change belongs to (empty for the shared registers). No foreign key:
    #: the trail outlives what it describes, like ``entity_id``.
    contest_id: Mapped[int | None] = mapped_column()

    __table_args__ = (
        Index("ix_audit_log_entity", "entity", "entity_id"),
        Index("ix_audit_log_contest", "contest_id", "at"),
    )

    def __repr__(self) -> str:
        return f"<AuditLog {self.action} {self.entity}#{self.entity_id} by {self.user_id}>"


@contextmanager
def acting_as(user_id: int | None, contest_id: int | None = None):
    """Attribute the changes made inside the block to ``user_id`` (and to ``contest_id``, for
    records that do not name their contest)."""
    token = _actor.set(user_id)
    scope = _scope.set(("contest", contest_id) if contest_id else _scope.get())
    try:
        yield
    finally:
        _scope.reset(scope)
        _actor.reset(token)


def set_actor(user_id: int | None) -> None:
    """Attribute the rest of this context's changes (one request) to ``user_id``."""
    _actor.set(user_id)


#: URL arguments that say which contest a request is about, most direct first.
#: A contest-trade is an assessment and an entry a subject (same ids): their contest is found
#: through the supertables, whatever the kind.
_URL_SCOPES = (("contest_id", "contest"), ("ct_id", "assessment"), ("entry_id", "subject"))
#: Columns of a record that say which contest it belongs to, most direct first.
_RECORD_SCOPES = (
    ("contest_id", "contest"),
    ("contest_trade_id", "assessment"),
    ("assessment_id", "assessment"),
    ("entry_id", "subject"),
    ("subject_id", "subject"),
)
#: How to find the contest of an assessment (a contest-trade…) or a subject (an entry…).
_CONTEST_OF = {
    "assessment": "SELECT contest_id FROM assessment WHERE id = :id",
    "subject": "SELECT a.contest_id FROM subject s JOIN assessment a "
    "ON a.id = s.assessment_id WHERE s.id = :id",
}


def set_scope_from_url(view_args: dict | None) -> None:
    """Remember which contest this request is about, from its URL arguments (looked up only
    when a change is logged)."""
    args = view_args or {}
    scope = next(((kind, args[name]) for name, kind in _URL_SCOPES if name in args), None)
    _scope.set((scope[0], int(scope[1])) if scope else None)


def _contest_finder(session):
    """A function from a scope to its contest id, remembering what it looked up."""
    found: dict[tuple[str, int], int | None] = {}

    def find(scope: tuple[str, int] | None) -> int | None:
        if scope is None:
            return None
        kind, key = scope
        if kind == "contest":
            return key
        if scope not in found:
            query = text(_CONTEST_OF[kind])
            found[scope] = session.connection().execute(query, {"id": key}).scalar()
        return found[scope]

    return find


def _scope_of(obj) -> tuple[str, int] | None:
    """What a record belongs to: itself if a contest, else the contest, contest-trade or entry
    it names; else what the request is about."""
    if obj.__tablename__ == "contest":
        return ("contest", obj.id)
    return _scope_in(lambda column: getattr(obj, column, None))


def _scope_in(value_of) -> tuple[str, int] | None:
    """The first of a record's contest, contest-trade or entry (``value_of(column)``), else
    what the request is about."""
    for column, kind in _RECORD_SCOPES:
        value = value_of(column)
        if isinstance(value, int):
            return (kind, value)
    return _scope.get()


def _is_audited(obj) -> bool:
    """Whether a record's changes go to the audit log (``__audited__``, a flag or a method)."""
    flag = getattr(obj, "__audited__", False)
    return bool(flag()) if callable(flag) else bool(flag)


def _plain(value):
    """A JSON-safe form of a column value."""
    if isinstance(value, Decimal):
        return str(value)
    if isinstance(value, datetime | date):
        return value.isoformat()
    return value


def _logged(column, value):
    """A column's value as the trail keeps it: JSON-safe, and masked if the column is kept
    encrypted."""
    return _plain(masked(column, value))


def _audited(column) -> bool:
    """Whether a column's values go to the trail (not the keyed hash beside an ID number)."""
    return column is None or column.info.get("audited") is not False


def _changes(obj, action: str) -> dict:
    """The {column: [old, new]} of an object about to be written (sensitive values masked)."""
    state = inspect(obj)
    out = {}
    for attr in state.mapper.column_attrs:
        column = attr.columns[0]
        # The kind of a supertable's row says nothing the entity's name does not.
        if not _audited(column) or column is state.mapper.polymorphic_on:
            continue
        hist = state.attrs[attr.key].history
        if action == "create":
            value = getattr(obj, attr.key)
            if value is not None:
                out[attr.key] = [None, _logged(column, value)]
        elif action == "delete":
            out[attr.key] = [_logged(column, getattr(obj, attr.key)), None]
        elif hist.has_changes():
            old = hist.deleted[0] if hist.deleted else None
            new = hist.added[0] if hist.added else None
            if old != new:
                out[attr.key] = [_logged(column, old), _logged(column, new)]
    return out


@event.listens_for(Session, "after_flush")
def _write_audit_rows(session, flush_context):
    """Append an audit row for every created, changed or deleted audited object."""
    rows, find_contest = [], _contest_finder(session)
    for action, objects in (
        ("create", session.new),
        ("update", session.dirty),
        ("delete", session.deleted),
    ):
        for obj in objects:
            if not _is_audited(obj):
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
                    # The primary key (a result set's is its contest-trade's id).
                    "entity_id": inspect(obj).mapper.primary_key_from_instance(obj)[0],
                    "changes": json.loads(json.dumps(changes, default=str)),
                    "contest_id": find_contest(_scope_of(obj)),
                }
            )
    if rows:
        session.connection().execute(AuditLog.__table__.insert(), rows)


@event.listens_for(Session, "before_flush")
def _place_written_rows(session, flush_context, instances):
    """Audit rows a service adds itself belong to the contest the request or job is about."""
    written = [o for o in session.new if isinstance(o, AuditLog) and o.contest_id is None]
    if written:
        contest_id = _contest_finder(session)(_scope.get())
        for row in written:
            row.contest_id = contest_id


def log_bulk(session, action: str, entity: str, records: list[tuple[int, dict]]) -> None:
    """Write audit rows for records inserted in bulk (bypassing the ORM listener), with the
    same masking and omissions as the listener's."""
    if not records:
        return
    table = db.metadata.tables.get(entity)
    columns = {c.name: c for c in table.columns} if table is not None else {}
    actor, find_contest = _actor.get(), _contest_finder(session)
    now = utcnow()
    rows = [
        {
            "at": now,
            "user_id": actor,
            "action": action,
            "entity": entity,
            "entity_id": entity_id,
            "changes": {
                k: [None, _logged(columns.get(k), v)]
                for k, v in values.items()
                if v is not None and _audited(columns.get(k))
            },
            "contest_id": find_contest(_scope_in(values.get)),
        }
        for entity_id, values in records
    ]
    session.connection().execute(AuditLog.__table__.insert(), rows)


def record_event(
    entity: str,
    action: str,
    entity_id: int,
    facts: dict,
    user_id: int | None = None,
    contest_id: int | None = None,
) -> None:
    """An audit row for what is not a change of a record: a log-in, a failed log-in, a log-out,
    a download. Added to the request's transaction (the caller commits); by ``user_id``, else
    by the request's user; in ``contest_id``, else the contest the request is about."""
    db.session.add(
        AuditLog(
            user_id=user_id if user_id is not None else _actor.get(),
            action=action,
            entity=entity,
            entity_id=entity_id,
            changes=facts,
            contest_id=contest_id,
        )
    )


def download_logged(what: str):
    """Decorate a view that hands out a file: each download it serves (a whole or partial
    attachment) is kept in the audit trail: who, ``what``, when, and of which contest (from the
    URL)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            response = view(*args, **kwargs)
            disposition = response.headers.get("Content-Disposition", "")
            if response.status_code in (200, 206) and disposition.startswith("attachment"):
                ids = [v for v in kwargs.values() if isinstance(v, int)]
                record_event("download", "export", ids[0] if ids else 0, {"what": what})
                db.session.commit()
            return response

        return wrapped

    return decorate

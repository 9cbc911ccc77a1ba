"""The audit trail's seal: a keyed hash chain over the audit rows, so that a changed, removed or
re-ordered row is found and named.

Audit rows are written by many web processes and workers at once, and the order in which their
transactions commit is not the order of their ids. So rows are not chained as they are written:
a sealer (a periodic task, or ``flask audit seal``) takes the rows not sealed yet, in id order,
and appends one seal per row: its place in the chain (``seq``), the row's id, and
``HMAC(key, previous seal's hash + the row's canonical content)``. Seals are only ever added;
neither the app nor the sealer updates or deletes an audit row or a seal (a session guard
refuses it). The key lives outside the database (``AUDIT_KEY``), so whoever can write to the
database cannot recompute the chain after changing a row.

:func:`verify` walks the chain from the start and names the first broken link: a row whose
content no longer matches its seal, a sealed row that is gone, or a seal out of place.
"""

import hashlib
import hmac
import json
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import DateTime, String, event, func, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from competitions.core.audit import AuditLog
from competitions.core.db import db, utcnow

#: The hash the first seal chains to.
GENESIS = "0" * 64
#: Rows sealed per transaction (a sealer run seals every pending row, in batches).
BATCH = 2000
#: An advisory lock key (PostgreSQL) so that two sealers never interleave.
_LOCK = 0x4A53_4155  # "JSAU"


class AuditSeal(db.Model):
    """One link of the chain: the seal of one audit row."""

    #: The place in the chain, 1, 2, 3, … without gaps.
    seq: Mapped[int] = mapped_column(primary_key=True, autoincrement=False)
    #: The sealed audit row (no foreign key: a removed row must leave its seal behind).
    audit_id: Mapped[int] = mapped_column(unique=True)
    #: HMAC-SHA256 of the previous link's hash and the row's canonical content, in hex.
    hash: Mapped[str] = mapped_column(String(64))
    sealed_at: Mapped[datetime] = mapped_column(DateTime(timezone=True), default=utcnow)


def _utc_iso(value: datetime | None) -> str | None:
    """A timestamp as the same text whichever database gave it back (SQLite drops the zone)."""
    if value is None:
        return None
    if value.tzinfo is None:
        value = value.replace(tzinfo=UTC)
    return value.astimezone(UTC).isoformat()


def canonical(row) -> bytes:
    """The content of an audit row that the seal covers, as bytes that do not depend on the
    database, the driver or the order of keys."""
    content = [
        row.id,
        _utc_iso(row.at),
        row.user_id,
        row.action,
        row.entity,
        row.entity_id,
        row.changes,
        row.contest_id,
    ]
    return json.dumps(content, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


def link_hash(key: bytes, previous: str, row) -> str:
    """The hash of one link: keyed by ``key``, chained to the ``previous`` link's hash."""
    return hmac.new(key, previous.encode() + b"\n" + canonical(row), hashlib.sha256).hexdigest()


def _row_columns():
    table = AuditLog.__table__
    return [
        table.c.id,
        table.c.at,
        table.c.user_id,
        table.c.action,
        table.c.entity,
        table.c.entity_id,
        table.c.changes,
        table.c.contest_id,
    ]


def _lock(session) -> None:
    """Serialise sealers (PostgreSQL; SQLite serialises writers by itself)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": _LOCK})


def seal_pending(session, key: bytes, batch: int = BATCH) -> int:
    """Seal the audit rows that have no seal yet, oldest id first, in transactions of
    ``batch`` rows; returns how many were sealed. Commits."""
    sealed = 0
    while True:
        _lock(session)
        last = session.execute(
            select(AuditSeal.seq, AuditSeal.hash).order_by(AuditSeal.seq.desc()).limit(1)
        ).first()
        seq, previous = (last.seq, last.hash) if last else (0, GENESIS)
        pending = session.execute(
            select(*_row_columns())
            .outerjoin(AuditSeal, AuditSeal.audit_id == AuditLog.id)
            .where(AuditSeal.seq.is_(None))
            .order_by(AuditLog.id)
            .limit(batch)
        ).all()
        if not pending:
            session.commit()
            return sealed
        now, seals = utcnow(), []
        for row in pending:
            seq += 1
            previous = link_hash(key, previous, row)
            seals.append({"seq": seq, "audit_id": row.id, "hash": previous, "sealed_at": now})
        session.execute(AuditSeal.__table__.insert(), seals)
        session.commit()
        sealed += len(seals)


@dataclass(frozen=True)
class Verdict:
    """What a walk of the chain found: how many links held, and the first broken one."""

    checked: int
    #: The first broken link, or None: (seq, audit row id, what is wrong).
    broken: tuple[int, int, str] | None
    #: Audit rows not sealed yet (sealed by the next run of the sealer).
    unsealed: int

    @property
    def intact(self) -> bool:
        return self.broken is None


#: What can be wrong with a link, in people's words (translated where shown).
CHANGED = "the record was changed after it was sealed"
MISSING = "the sealed record is missing"
OUT_OF_PLACE = "the chain has a gap or a link out of place"


def verify(session, key: bytes, batch: int = 5000) -> Verdict:
    """Walk the chain from its first link; stop at the first link that does not hold."""
    previous, expected_seq, checked = GENESIS, 1, 0
    while True:
        links = session.execute(
            select(AuditSeal.seq, AuditSeal.audit_id, AuditSeal.hash)
            .where(AuditSeal.seq >= expected_seq)
            .order_by(AuditSeal.seq)
            .limit(batch)
        ).all()
        if not links:
            break
        rows = {
            row.id: row
            for row in session.execute(
                select(*_row_columns()).where(AuditLog.id.in_([link.audit_id for link in links]))
            )
        }
        for link in links:
            if link.seq != expected_seq:
                return Verdict(checked, (link.seq, link.audit_id, OUT_OF_PLACE), 0)
            row = rows.get(link.audit_id)
            if row is None:
                return Verdict(checked, (link.seq, link.audit_id, MISSING), 0)
            if not hmac.compare_digest(link_hash(key, previous, row), link.hash):
                return Verdict(checked, (link.seq, link.audit_id, CHANGED), 0)
            previous, expected_seq, checked = link.hash, expected_seq + 1, checked + 1
    unsealed = session.scalar(
        select(func.count())
        .select_from(AuditLog)
        .outerjoin(AuditSeal, AuditSeal.audit_id == AuditLog.id)
        .where(AuditSeal.seq.is_(None))
    )
    return Verdict(checked, None, unsealed)


@event.listens_for(Session, "before_flush")
def _append_only(session, flush_context, instances):
    """The app never changes or removes an audit row or a seal."""
    for obj in (*session.dirty, *session.deleted):
        if isinstance(obj, AuditLog | AuditSeal) and (
            obj in session.deleted or session.is_modified(obj)
        ):
            raise PermissionError("audit records are append-only")

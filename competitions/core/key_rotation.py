"""Re-encrypting personal data after a new data key (or a new index key), in batches.

Rotating ``DATA_KEY``: put the new key first in the list, keep the old one after it, restart;
new values are encrypted with the new key at once, and every old one is still read. Then
:func:`rotate_all` (``flask keys rotate-data``, or the workers' ``keys.rotate_data`` task) walks
every table with encrypted columns in primary-key order, a batch per transaction, and rewrites
each row whose values are under another key, or whose keyed hash is not the current index key's.
When it has finished, the old key can be dropped: every row reads with the new one alone.

Tables and columns are found on the metadata (``Encrypted`` columns, and hash columns marked
``info={"hash_of": (column, normaliser)}``), so a new encrypted column is rotated without a
change here. A run can be stopped and started again: it only rewrites what still needs it.
"""

import logging
from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy import Table, bindparam, select, type_coerce

from competitions.core.crypto import EncryptedBytes, Keyring, is_encrypted, keyring
from competitions.core.db import db

logger = logging.getLogger(__name__)

#: Rows read and rewritten per transaction.
BATCH = 500


@dataclass(frozen=True)
class Rotated:
    """What a run did to one table."""

    table: str
    checked: int
    rewritten: int


def encrypted_tables() -> list[Table]:
    """The tables with at least one encrypted column, in the metadata's order."""
    return [t for t in db.metadata.sorted_tables if any(is_encrypted(c) for c in t.columns)]


def _raw(column):
    """The column as stored (ciphertext), not decrypted."""
    return type_coerce(column, column.type.impl_instance).label(column.name)


def rotate_batch(session, table: Table, after, ring: Keyring, size: int = BATCH):
    """Rewrite the rows after primary key ``after`` (one batch) that need it; returns (the last
    primary key read, or None when the table is done; rows read; rows rewritten). Flushes."""
    (pk,) = table.primary_key.columns
    secret = [c for c in table.columns if is_encrypted(c)]
    hashes = [(c, table.c[c.info["hash_of"][0]], c.info["hash_of"][1]) for c in table.columns
              if "hash_of" in c.info]  # fmt: skip
    query = select(pk, *(_raw(c) for c in secret), *(h for h, _, _ in hashes)).order_by(pk)
    if after is not None:
        query = query.where(pk > after)
    rows = session.execute(query.limit(size)).all()
    if not rows:
        return None, 0, 0
    updates = []
    for row in rows:
        values = _renewed(row._mapping, secret, hashes, ring)
        if values:
            updates.append({"_pk": row[0], **values})
    groups: dict[tuple, list[dict]] = {}
    for update in updates:  # one statement per set of columns rewritten
        groups.setdefault(tuple(sorted(k for k in update if k != "_pk")), []).append(update)
    for names, group in groups.items():
        statement = (
            table.update()
            .where(pk == bindparam("_pk"))
            .values({n: bindparam(f"_v_{n}", type_=_stored_type(table.c[n])) for n in names})
        )
        params = [{f"_v_{n}": u[n] for n in names} | {"_pk": u["_pk"]} for u in group]
        session.execute(statement, params)
    return rows[-1][0], len(rows), len(updates)


def _stored_type(column):
    return column.type.impl_instance if is_encrypted(column) else column.type


def _renewed(stored, secret, hashes, ring: Keyring) -> dict:
    """The values of one row to write again: those under another key, re-encrypted with the
    first; hashes that are not the current index key's, made again."""
    out, plain = {}, {}
    for column in secret:
        value = stored[column.name]
        if value is None:
            continue
        binary = isinstance(column.type, EncryptedBytes)
        value = bytes(value) if binary else value
        plain[column.name] = ring.decrypt_bytes(value) if binary else ring.decrypt_text(value)
        if not ring.is_current(value):
            encrypt = ring.encrypt_bytes if binary else ring.encrypt_text
            out[column.name] = encrypt(plain[column.name])
    for column, source, normalise in hashes:
        if plain.get(source.name) is None:
            continue
        fresh = ring.lookup_hash(normalise(plain[source.name]))
        if stored[column.name] != fresh:
            out[column.name] = fresh
    return out


def rotate_all(size: int = BATCH, report: Callable[[Rotated], None] | None = None) -> list[Rotated]:
    """Bring every encrypted value to the first data key and every hash to the index key, a
    batch per committed transaction; returns what was done per table."""
    ring, done = keyring(), []
    for table in encrypted_tables():
        after, checked, rewritten = None, 0, 0
        while True:
            after, read, changed = rotate_batch(db.session, table, after, ring, size)
            db.session.commit()
            if after is None:
                break
            checked, rewritten = checked + read, rewritten + changed
        outcome = Rotated(table.name, checked, rewritten)
        logger.info("rotate-data: %s: %s rows, %s rewritten", *vars(outcome).values())
        if report:
            report(outcome)
        done.append(outcome)
    return done

"""Backup and restore: one contest (or everything) to a portable archive, and back into an
empty database, on SQLite or PostgreSQL whichever made it.

The archive is a ZIP: ``manifest.json`` (the format, the schema's Alembic revision, the scope,
each table's row count, the files' SHA-256), ``tables/<table>.jsonl`` (one row a line, columns
by name) and ``files/<path>`` (the certificate PDFs, as kept in the certificate folder).
Tables and columns are read from the metadata, so a new model is backed up without a change
here; only a one-contest export needs to know how each table relates to a contest
(:mod:`competitions.backup.services.scope`).
"""

import base64
import hashlib
import json
import os
from datetime import UTC, date, datetime, time
from decimal import Decimal
from pathlib import Path
from zipfile import ZIP_DEFLATED, ZIP_STORED, BadZipFile, ZipFile

from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from flask import current_app
from sqlalchemy import (
    JSON,
    Date,
    DateTime,
    LargeBinary,
    Numeric,
    Table,
    Time,
    bindparam,
    exc,
    func,
    select,
)

from competitions.backup.services import scope as backup_scope
from competitions.certificates.services.issue import storage_dir
from competitions.core.crypto import Encrypted, EncryptedBytes, UnreadableValue
from competitions.core.db import db

FORMAT = "jingsai-backup"
FORMAT_VERSION = 1
#: Rows inserted per statement on restore.
BATCH = 1000


class BackupError(Exception):
    """An export or a restore that cannot be done; the message says why, for the operator."""


# --- values ------------------------------------------------------------------------------


def encode(column, value):
    """A column's value as JSON: decimals as strings (exact), dates and times in ISO 8601,
    bytes in base64; JSON, numbers, strings and booleans as they are. A column kept encrypted
    (ID numbers, phones, uploaded files) stays encrypted, with the site's ``DATA_KEY``."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, Encrypted):
        return kind.process_bind_param(value, None)
    if isinstance(kind, EncryptedBytes):
        return base64.b64encode(kind.process_bind_param(value, None)).decode("ascii")
    if isinstance(kind, LargeBinary):
        return base64.b64encode(value).decode("ascii")
    if isinstance(kind, Numeric) and kind.asdecimal:
        return str(value)
    if isinstance(value, datetime | date | time):
        return value.isoformat()
    return value


def decode(column, value):
    """The column's value back from :func:`encode`'s JSON (decrypted: the insert encrypts it
    again)."""
    if value is None:
        return None
    kind = column.type
    if isinstance(kind, Encrypted):
        return kind.process_result_value(value, None)
    if isinstance(kind, EncryptedBytes):
        return kind.process_result_value(base64.b64decode(value), None)
    if isinstance(kind, LargeBinary):
        return base64.b64decode(value)
    if isinstance(kind, Numeric) and kind.asdecimal:
        return Decimal(value)
    if isinstance(kind, DateTime):
        return datetime.fromisoformat(value)
    if isinstance(kind, Date):
        return date.fromisoformat(value)
    if isinstance(kind, Time):
        return time.fromisoformat(value)
    return value


# --- schema revision ---------------------------------------------------------------------


def code_revision() -> str:
    """The Alembic head of the code's migrations."""
    directory = current_app.extensions["migrate"].directory
    return ",".join(sorted(ScriptDirectory(directory).get_heads()))


def database_revision(conn) -> str:
    """The database's schema revision: Alembic's version table, else the code's head (a schema
    built from the models by ``db.create_all``, as the tests do, is the head's)."""
    heads = MigrationContext.configure(conn).get_current_heads()
    return ",".join(sorted(heads)) if heads else code_revision()


# --- export ------------------------------------------------------------------------------


def export_archive(path: Path, contest_code: str | None = None) -> dict:
    """Write the archive of one contest (by code), or of everything; returns its manifest.

    Every table is read at one moment while the site goes on; the archive is written beside
    ``path`` and renamed at the end, so it appears whole or not at all.
    """
    partial = path.with_name(path.name + ".part")
    try:
        with db.engine.connect() as conn, ZipFile(partial, "w", ZIP_DEFLATED) as archive:
            _snapshot(conn)
            manifest = _write_archive(conn, archive, contest_code)
    except backup_scope.ScopeError as err:
        partial.unlink(missing_ok=True)
        raise BackupError(str(err)) from None
    except OSError as err:
        partial.unlink(missing_ok=True)
        raise BackupError(f"The archive could not be written: {err}") from err
    except BaseException:
        partial.unlink(missing_ok=True)
        raise
    os.replace(partial, path)
    return manifest


def _snapshot(conn) -> None:
    """Make the connection's reads one snapshot of the database."""
    if conn.dialect.name == "postgresql":
        conn.execution_options(isolation_level="REPEATABLE READ")
    else:
        conn.exec_driver_sql("BEGIN")  # SQLite (WAL): reads in a transaction share a snapshot


def _write_archive(conn, archive: ZipFile, contest_code: str | None) -> dict:
    """Write the tables, the files and the manifest of the scope; returns the manifest."""
    if contest_code is None:
        scope = backup_scope.everything(storage_dir())
    else:
        scope = backup_scope.of_contest(conn, contest_code)
    manifest = {
        "format": FORMAT,
        "format_version": FORMAT_VERSION,
        "schema_revision": database_revision(conn),
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "source": conn.dialect.name,
        "scope": {"contest": contest_code} if contest_code else "all",
        "tables": {},
        "cleared": {},
    }
    for table in db.metadata.sorted_tables:
        manifest["tables"][table.name] = _write_table(conn, archive, table, scope, manifest)
    manifest["files"], manifest["missing_files"] = _write_files(archive, scope.files)
    archive.writestr("manifest.json", json.dumps(manifest, ensure_ascii=False, indent=1))
    return manifest


def _write_table(conn, archive: ZipFile, table: Table, scope, manifest: dict) -> int:
    """Write the table's rows in the scope as JSON Lines; returns how many."""
    count = 0
    with archive.open(f"tables/{table.name}.jsonl", "w", force_zip64=True) as out:
        for row in scope.rows(conn, table):
            row = dict(row)
            for key in scope.clear_dangling(table, row):
                manifest["cleared"][key] = manifest["cleared"].get(key, 0) + 1
            line = {c.name: encode(c, row[c.name]) for c in table.columns}
            out.write(json.dumps(line, ensure_ascii=False).encode() + b"\n")
            scope.note_row(table, row)
            count += 1
    return count


def _write_files(archive: ZipFile, relatives) -> tuple[dict, list]:
    """Copy the named files of the certificate folder (PDFs are compressed already: stored);
    returns {path: SHA-256} and the paths that were not there."""
    root, digests, missing = storage_dir(), {}, []
    for relative in sorted(relatives):
        source = root / relative
        if not source.is_file():
            missing.append(relative)
            continue
        data = source.read_bytes()
        archive.writestr(f"files/{relative}", data, compress_type=ZIP_STORED)
        digests[relative] = hashlib.sha256(data).hexdigest()
    return digests, missing


# --- restore -----------------------------------------------------------------------------


def restore_archive(path: Path) -> dict:
    """Restore an archive into this empty database, in one transaction; returns its manifest.

    Refused when the database has rows or another schema revision, or the archive is damaged;
    on any failure nothing is written (and certificate files written so far are removed).
    Primary keys are kept; PostgreSQL's sequences then continue after the largest.
    """
    written: list[Path] = []
    try:
        with ZipFile(path) as archive:
            manifest = _read_manifest(archive)
            with db.engine.begin() as conn:
                _check_target(conn, manifest)
                for table in db.metadata.sorted_tables:
                    _load_table(conn, archive, table, manifest["tables"].get(table.name, 0))
                _reset_sequences(conn)
                _restore_files(archive, manifest["files"], written)
    except exc.SQLAlchemyError as err:
        _remove(written)
        detail = str(getattr(err, "orig", None) or err).strip().splitlines()[0]
        raise BackupError(
            f"The archive could not be restored; nothing was written. {detail}"
        ) from err
    except UnreadableValue as err:
        _remove(written)
        raise BackupError(
            "The archive's personal data cannot be decrypted with this site's JINGSAI_DATA_KEY "
            f"(restore with the data key of the site that made it); nothing was written. {err}"
        ) from err
    except (ValueError, KeyError, ArithmeticError, BadZipFile) as err:
        _remove(written)
        raise BackupError(f"The archive is damaged; nothing was written. {err!r}") from err
    except BaseException:
        _remove(written)
        raise
    return manifest


def _read_manifest(archive: ZipFile) -> dict:
    """The archive's manifest, checked for format and for tables this code knows."""
    try:
        manifest = json.loads(archive.read("manifest.json"))
    except (KeyError, ValueError):
        raise BackupError("This is not a Jingsai backup: it has no readable manifest.") from None
    if manifest.get("format") != FORMAT or manifest.get("format_version") != FORMAT_VERSION:
        raise BackupError("This is not a Jingsai backup of a format this version reads.")
    unknown = set(manifest["tables"]) - set(db.metadata.tables)
    if unknown:
        raise BackupError(f"The archive has tables this database does not: {sorted(unknown)}.")
    return manifest


def _check_target(conn, manifest: dict) -> None:
    """Refuse a database at another schema revision, without tables, or with any row."""
    ours, theirs = database_revision(conn), manifest["schema_revision"]
    if ours != theirs:
        raise BackupError(
            f"The archive is of schema revision {theirs}, the database is at {ours}: "
            "restore with the version of Jingsai that made it, or upgrade both to one revision."
        )
    existing = set(db.inspect(conn).get_table_names())
    if not existing:
        raise BackupError("The database has no tables: run `flask db upgrade` first.")
    for table in db.metadata.sorted_tables:
        if table.name not in existing:
            raise BackupError(f"The database has no table {table.name}: run `flask db upgrade`.")
        rows = conn.scalar(select(func.count()).select_from(table))
        if rows:
            raise BackupError(
                f"The database is not empty ({table.name} has {rows} rows): "
                "restore only into an empty database."
            )


def _load_table(conn, archive: ZipFile, table: Table, expected: int) -> None:
    """Insert a table's rows in batches. Self-references (a unit's parent…) are filled in
    afterwards, since a row may point at one further down the file."""
    self_refs = [fk.parent.name for fk in table.foreign_keys if fk.column.table is table]
    insert = table.insert().values(
        # None in a JSON column is SQL NULL (as the app writes it), not the JSON 'null'.
        {c.name: bindparam(c.name, type_=JSON(none_as_null=True)) for c in _json(table)}
    )
    later, batch, count = [], [], 0
    for row in _archived_rows(archive, table):
        if any(row[name] is not None for name in self_refs):
            later.append(row)
        batch.append({**row, **dict.fromkeys(self_refs)})
        count += 1
        if len(batch) == BATCH:
            conn.execute(insert, batch)
            batch = []
    if batch:
        conn.execute(insert, batch)
    if count != expected:
        raise BackupError(f"The archive is damaged: {table.name} has {count} rows, not {expected}.")
    for name in self_refs:
        _fill_in(conn, table, name, [row for row in later if row[name] is not None])


def _fill_in(conn, table: Table, column: str, rows: list[dict]) -> None:
    """Set one column of rows already inserted to its archived value."""
    if not rows:
        return
    keys = table.primary_key.columns
    update = table.update().where(*(c == bindparam(f"_pk_{c.name}") for c in keys))
    update = update.values({column: bindparam("_ref")})
    params = [{"_ref": row[column], **{f"_pk_{c.name}": row[c.name] for c in keys}} for row in rows]
    conn.execute(update, params)


def _json(table: Table) -> list:
    return [c for c in table.columns if isinstance(c.type, JSON)]


def _archived_rows(archive: ZipFile, table: Table):
    """The table's rows in the archive, decoded; none if the archive has no file for it."""
    name = f"tables/{table.name}.jsonl"
    if name not in archive.namelist():
        return
    with archive.open(name) as lines:
        for line in lines:
            values = json.loads(line)
            unknown = set(values) - set(table.columns.keys())
            if unknown:
                raise BackupError(f"The archive has columns {table.name} does not: {unknown}.")
            yield {c.name: decode(c, values.get(c.name)) for c in table.columns}


def _reset_sequences(conn) -> None:
    """On PostgreSQL, make each table's id sequence continue after the restored ids."""
    if conn.dialect.name != "postgresql":
        return  # SQLite gives a new row the largest rowid + 1
    for table in db.metadata.sorted_tables:
        column = table.autoincrement_column
        if column is None:
            continue
        sequence = func.pg_get_serial_sequence(f'"{table.name}"', column.name)
        conn.execute(select(func.setval(sequence, func.coalesce(func.max(column), 0) + 1, False)))


def _restore_files(archive: ZipFile, digests: dict, written: list) -> None:
    """Write the archive's files into the certificate folder, checked against the manifest."""
    root = storage_dir().resolve()
    for relative, digest in sorted(digests.items()):
        target = (root / relative).resolve()
        if not target.is_relative_to(root):
            raise BackupError(f"The archive names a file outside the folder: {relative}.")
        data = archive.read(f"files/{relative}")
        if hashlib.sha256(data).hexdigest() != digest:
            raise BackupError(f"The archive is damaged: {relative} is not the file it listed.")
        if target.exists():
            if target.read_bytes() != data:
                raise BackupError(f"The certificate folder has another {relative}: move it away.")
            continue
        target.parent.mkdir(parents=True, exist_ok=True)
        written.append(target)
        target.write_bytes(data)


def _remove(paths: list[Path]) -> None:
    for path in paths:
        path.unlink(missing_ok=True)

"""The SQLAlchemy handle and the declarative base every model uses."""

import json
from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import JSON, MetaData, event, insert
from sqlalchemy.engine import Engine
from sqlalchemy.orm import DeclarativeBase
from werkzeug.routing import IntegerConverter

#: Stable constraint names, so Alembic migrations do not depend on the database's own naming.
NAMING_CONVENTION = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_N_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


class Base(DeclarativeBase):
    """Declarative base with the naming convention on its metadata."""

    metadata = MetaData(naming_convention=NAMING_CONVENTION)


db = SQLAlchemy(model_class=Base)


#: The largest INTEGER the databases hold (PostgreSQL's int4): ids, counts, pages.
MAX_INT = 2**31 - 1


def db_int(text) -> int:
    """A number a request sent, as an int an INTEGER column can be compared with; ValueError
    otherwise (a larger number is no id of ours, and would make the database driver fail)."""
    number = int(text)
    if not -MAX_INT <= number <= MAX_INT:
        raise ValueError(f"{text!r:.40} is out of range")
    return number


class IdConverter(IntegerConverter):
    """``<int:…>`` in URLs: a number beyond what the database holds is a 404, not a crash."""

    def __init__(self, map, *args, **kwargs):
        kwargs.setdefault("max", MAX_INT)
        super().__init__(map, *args, **kwargs)


def utcnow() -> datetime:
    """The current time, timezone-aware in UTC (the one clock models default to)."""
    return datetime.now(UTC)


@event.listens_for(Engine, "connect")
def _sqlite_pragmas(dbapi_connection, connection_record):
    """On SQLite: enforce foreign keys; let the web and the worker share the file (WAL, waits)."""
    module = type(dbapi_connection).__module__
    if not module.startswith("sqlite3"):
        return
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA busy_timeout=30000")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.close()


def bulk_insert(model, rows: list[dict]) -> None:
    """Insert many rows in the session's transaction: COPY on PostgreSQL, else one executemany.

    ``insert(model)`` with the ORM leaves out the keys that are None (so defaults apply) and
    runs one executemany per run of rows with the same keys: with awards scattered over the
    rows, 100,000 results took ~49,000 executions (11.6 s). COPY takes the rows as given.
    """
    connection = db.session.connection()
    if connection.dialect.name != "postgresql":
        db.session.execute(insert(model).execution_options(render_nulls=True), rows)
        return
    table = model.__table__
    columns = list(rows[0])
    # COPY applies server defaults only: the model's Python-side defaults are filled in here.
    defaults = {
        c.name: c.default.arg if c.default.is_scalar else c.default.arg(None)
        for c in table.columns
        if c.name not in columns and c.default is not None and not c.default.is_sequence
    }
    json_columns = {c for c in columns if isinstance(table.c[c].type, JSON)}
    statement = f"COPY {table.name} ({', '.join([*columns, *defaults])}) FROM STDIN"
    fixed = list(defaults.values())
    cursor = connection.connection.driver_connection.cursor()
    with cursor, cursor.copy(statement) as copy:
        for row in rows:
            values = [json.dumps(row[c]) if c in json_columns else row[c] for c in columns]
            copy.write_row(values + fixed)

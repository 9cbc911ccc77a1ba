"""The SQLAlchemy handle and the declarative base every model uses."""

from datetime import UTC, datetime

from flask_sqlalchemy import SQLAlchemy
from sqlalchemy import MetaData, event
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

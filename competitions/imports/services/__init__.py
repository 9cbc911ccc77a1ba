"""Import contestants and entries into a contest: check every row, then save all or nothing.

The database is read in a few set-wise queries (never one per row) and written with bulk
inserts whose audit rows are written alongside. Nothing here commits: the task does.
"""

import logging
from collections.abc import Callable, Iterable
from dataclasses import dataclass, field
from functools import partial

from sqlalchemy import insert, select
from sqlalchemy.orm import selectinload

from competitions.core.audit import log_bulk
from competitions.core.crypto import id_number_hash
from competitions.core.db import db
from competitions.core.words import N_, Reason
from competitions.imports.rules import (
    ImportRow,
    KnownPerson,
    Lookups,
    RowError,
    check_row,
    check_together,
)
from competitions.imports.services import parsing
from competitions.registry.models import ContestTrade, Delegation, Entry, Person
from competitions.registry.services import eligibility_of
from competitions.units.models import Unit

logger = logging.getLogger(__name__)

#: Report progress every this many rows; look up at most this many ID numbers per query.
PROGRESS_EVERY = 500
CHUNK = 500
_COLUMN_ORDER = {c.key: i for i, c in enumerate(parsing.COLUMNS)}

#: Send NULLs as values: otherwise the ORM splits a bulk insert wherever the empty cells differ
#: (one statement per run of rows alike) and splices the RETURNING rows quadratically.
ONE_BATCH = {"render_nulls": True}

Progress = Callable[[int, int, str], None]


def _no_progress(done: int, total: int, message: str) -> None:
    """Progress sink for callers that do not report."""


@dataclass
class Outcome:
    """What an import did: the rows read, its errors (plain data), or what it saved."""

    rows: int
    errors: list[dict] = field(default_factory=list)
    entries_created: int = 0
    persons_created: int = 0
    persons_found: int = 0

    @property
    def ok(self) -> bool:
        """Whether every row was sound and everything was saved."""
        return not self.errors

    def counts(self) -> dict:
        """The counts a succeeded job shows."""
        return {
            "rows": self.rows,
            "entries_created": self.entries_created,
            "persons_created": self.persons_created,
            "persons_found": self.persons_found,
        }


def error_data(row: int, column: str, value: str, reason: Reason) -> dict:
    """An error as JSON-safe data; the UI translates ``msgid`` with ``params`` when it shows it."""
    return {
        "row": row,
        "column": column,
        "value": value,
        "msgid": reason.msgid,
        "params": dict(reason.params),
    }


def import_file(
    contest_id: int, filename: str, data: bytes, progress: Progress = _no_progress
) -> Outcome:
    """Check every row of an upload and, only if none has a problem, add them all (flush only)."""
    progress(0, 0, N_("Reading the file"))
    try:
        sheet = parsing.read_upload(filename, data)
    except parsing.FileProblem as problem:
        return Outcome(0, [error_data(0, "", "", problem.reason)])
    total = len(sheet.rows)
    progress(0, total, N_("Checking rows"))
    lookups = load_lookups(contest_id)
    good, errors = check_rows(sheet, partial(check_row, lookups=lookups), progress)
    known = known_persons({r.person_key for r in good})
    entered = entered_trades({p.id for p in known.values()}, set(lookups.eligibility))
    errors += check_together(good, known, entered, lookups.eligibility)
    if errors:
        errors.sort(key=lambda e: (e.row, _COLUMN_ORDER.get(e.column, 99)))
        return Outcome(total, [_as_data(e, sheet.headers) for e in errors])
    # From here on the transaction writes: on SQLite it holds the lock, so no more progress.
    progress(total, total, N_("Saving"))
    person_ids, created = save_persons(good, known)
    save_entries(good, person_ids)
    logger.info("import into contest %s: %s entries, %s new persons", contest_id, total, created)
    return Outcome(total, [], len(good), created, len({r.person_key for r in good} & set(known)))


def check_rows(sheet: parsing.Sheet, check, progress: Progress):
    """Each row on its own by ``check(number, cells) -> (typed row | None, errors)``: the
    sound rows typed, and the errors of the others."""
    good: list = []
    errors: list[RowError] = []
    total = len(sheet.rows)
    for done, (number, cells) in enumerate(sheet.rows, start=1):
        row, row_errors = check(number, cells)
        if row:
            good.append(row)
        errors += row_errors
        if done % PROGRESS_EVERY == 0:
            progress(done, total, N_("Checking rows"))
    return good, errors


def _as_data(error: RowError, headers: dict[str, str]) -> dict:
    """A row error as data, its column named by the header the file used."""
    return error_data(error.row, headers.get(error.column, error.column), error.value, error.reason)


def load_lookups(contest_id: int) -> Lookups:
    """The names a row may use in this contest: units, its trades and delegations, age rules."""
    cts = db.session.scalars(
        select(ContestTrade)
        .where(ContestTrade.contest_id == contest_id)
        .options(selectinload(ContestTrade.trade), selectinload(ContestTrade.contest))
    ).all()
    trades: dict[str, int] = {}
    for ct in cts:
        trades[ct.trade.name_en.strip().lower()] = ct.id
    for ct in cts:
        trades[ct.trade.name_zh.strip()] = ct.id
    for ct in cts:
        trades[ct.trade.code.strip()] = ct.id
    units = {name: uid for name, uid in db.session.execute(select(Unit.name, Unit.id))}
    delegations = {
        name: did
        for name, did in db.session.execute(
            select(Delegation.name, Delegation.id).where(Delegation.contest_id == contest_id)
        )
    }
    return Lookups(units, trades, delegations, {ct.id: eligibility_of(ct) for ct in cts})


def _chunks(items: Iterable, size: int = CHUNK):
    items = list(items)
    for start in range(0, len(items), size):
        yield items[start : start + size]


def known_persons(keys: set[tuple[str, str]]) -> dict[tuple[str, str], KnownPerson]:
    """The persons already registered with these (document type, number) keys, found by the
    keyed hashes of the numbers (the numbers are kept encrypted)."""
    found: dict[tuple[str, str], KnownPerson] = {}
    by_hash = {id_number_hash(number): number for _, number in keys}
    for hashes in _chunks(sorted(by_hash)):
        rows = db.session.execute(
            select(
                Person.id, Person.name, Person.birth_date, Person.id_type, Person.id_number_hash
            ).where(Person.id_number_hash.in_(hashes))
        )
        for pid, name, birth, id_type, hashed in rows:
            key = (id_type, by_hash[hashed])
            if key in keys:
                found[key] = KnownPerson(pid, name, birth)
    return found


def entered_trades(person_ids: set[int], ct_ids: set[int]) -> set[tuple[int, int]]:
    """The (person id, contest-trade id) pairs among these that already have an entry."""
    pairs: set[tuple[int, int]] = set()
    if not ct_ids:
        return pairs
    for ids in _chunks(sorted(person_ids)):
        rows = db.session.execute(
            select(Entry.person_id, Entry.contest_trade_id).where(
                Entry.person_id.in_(ids), Entry.contest_trade_id.in_(ct_ids)
            )
        )
        pairs.update((pid, ct) for pid, ct in rows)
    return pairs


def save_persons(rows: list[ImportRow], known: dict) -> tuple[dict[tuple[str, str], int], int]:
    """Insert the persons not yet known, once each (first row wins); return ids by key, count."""
    ids = {key: person.id for key, person in known.items()}
    new: dict[tuple[str, str], dict] = {}
    for row in rows:
        if row.person_key not in ids and row.person_key not in new:
            p = row.person
            new[row.person_key] = {
                "name": p.name,
                "gender": p.gender,
                "birth_date": p.birth_date,
                "id_type": p.id_type,
                "id_number": p.id_number,
                "id_number_hash": id_number_hash(p.id_number),
                "unit_id": row.unit_id,
                "skill_level": row.skill_level,
                "phone": row.phone,
            }
    if not new:
        return ids, 0
    inserted = db.session.execute(
        insert(Person).returning(Person.id, Person.id_type, Person.id_number_hash),
        list(new.values()),
        execution_options=ONE_BATCH,
    )
    by_hash = {(key[0], values["id_number_hash"]): key for key, values in new.items()}
    audit = []
    for pid, id_type, hashed in inserted:
        key = by_hash[(id_type, hashed)]
        ids[key] = pid
        audit.append((pid, {"id": pid, **new[key]}))
    log_bulk(db.session, "create", "person", audit)
    return ids, len(new)


def save_entries(rows: list[ImportRow], person_ids: dict[tuple[str, str], int]) -> None:
    """Insert one entry per row, with its audit rows."""
    values = {
        (person_ids[r.person_key], r.contest_trade_id): {
            "person_id": person_ids[r.person_key],
            "contest_trade_id": r.contest_trade_id,
            "delegation_id": r.delegation_id,
            "status": r.status,
            "out_of_competition": r.out_of_competition,
        }
        for r in rows
    }
    inserted = db.session.execute(
        insert(Entry).returning(Entry.id, Entry.person_id, Entry.contest_trade_id),
        list(values.values()),
        execution_options=ONE_BATCH,
    )
    audit = [(eid, {"id": eid, **values[(pid, ct)]}) for eid, pid, ct in inserted]
    log_bulk(db.session, "create", "entry", audit)

"""Load the demo data of ``seeds/data/`` into the database: the same rows in the same order.

The rows go in table by table in file order, flushed in that order, so a fresh database gets the
same ids every run. Everything is attributed to the system in the audit log. The loader flushes;
the caller commits (or rolls back), so a failed load leaves nothing behind.
"""

from datetime import date
from decimal import Decimal
from pathlib import Path

from sqlalchemy import func, select, text, update
from sqlalchemy.orm import Session

from competitions.accounts.models import ContestRole, User
from competitions.core import audit
from competitions.core.db import db
from competitions.registry import rules
from competitions.registry.models import Contest, ContestTrade, Delegation, Entry, Person, Trade
from competitions.stats import services as stats_services
from competitions.stats.models import StatsReader
from competitions.units.models import Unit
from seeds.files import DATA_DIR, read_csv, read_json, walk_units
from seeds.innovation import load_innovation
from seeds.judging import load_judging
from seeds.labour import load_labour

#: ContestTrade settings that are decimals in the model (the JSON gives numbers).
DECIMAL_SETTINGS = ("theory_weight", "practical_weight", "award_min_total")


class SeedError(Exception):
    """The demo data cannot be loaded: the database is not empty, or the files disagree."""


def load_demo(session: Session, reset: bool = False, data_dir: Path = DATA_DIR) -> dict[str, int]:
    """Insert the demo data, first emptying every table if ``reset``; the rows per kind."""
    with audit.acting_as(None):
        if reset:
            wipe(session)
        existing = session.scalar(select(func.count()).select_from(Contest))
        if existing:
            raise SeedError(
                f"the database already has {existing} contests; "
                "use `flask seed --reset` to replace everything with the demo data"
            )
        trades = _load_trades(session, read_json("trades.json", data_dir))
        units = _load_units(session, read_json("units.json", data_dir))
        contests = read_json("contests.json", data_dir)
        by_code = _load_contests(session, contests, units)
        cts, delegations = _load_contest_parts(session, contests, by_code, trades, units)
        persons = _load_persons(session, read_csv("contestants.csv", data_dir), units)
        entry_rows = read_csv("entries.csv", data_dir)
        entries = _load_entries(session, entry_rows, cts, delegations, persons)
        users = _load_accounts(session, read_json("accounts.json", data_dir), by_code, units)
        judging = load_judging(session, data_dir)
        labour = load_labour(session, data_dir, users["organiser"].password_hash)
        innovation = load_innovation(session, data_dir, users["organiser"].password_hash)
        # The union's figures, counted now rather than at the workers' first minute.
        stats_services.refresh()
    return {
        "trades": len(trades),
        "units": len(units),
        "contests": len(by_code),
        "contest_trades": len(cts),
        "delegations": len(delegations),
        "persons": len(persons),
        "entries": len(entries),
        "users": len(users),
        **judging,
        **labour,
        **innovation,
    }


def wipe(session: Session) -> None:
    """Remove every row of every table (and restart PostgreSQL's id sequences)."""
    tables = db.metadata.sorted_tables
    if session.get_bind().dialect.name == "postgresql":
        names = ", ".join(f'"{t.name}"' for t in tables)
        session.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
    else:
        # The unit tree refers to itself with RESTRICT, which SQLite checks row by row.
        session.execute(update(Unit).values(parent_id=None))
        for table in reversed(tables):
            session.execute(table.delete())
    session.expunge_all()


def _load_trades(session: Session, rows: list[dict]) -> dict[str, Trade]:
    """The trades, by code."""
    trades = {row["code"]: Trade(**row) for row in rows}
    session.add_all(trades.values())
    session.flush()
    return trades


def _load_units(session: Session, tree: list[dict]) -> dict[str, Unit]:
    """The unit tree, parents first, by name (``region`` and ``trades`` are for the generator)."""
    units: dict[str, Unit] = {}
    for node, parent in walk_units(tree):
        unit = Unit(name=node["name"], kind=node["kind"])
        unit.parent_id = units[parent["name"]].id if parent else None
        session.add(unit)
        session.flush()
        units[unit.name] = unit
    return units


def _load_contests(session: Session, rows: list[dict], units: dict[str, Unit]) -> dict:
    """The contests, each after the contest it feeds, by code."""
    contests: dict[str, Contest] = {}
    for row in rows:
        parent = contests[row["parent"]] if row["parent"] else None
        if parent and not rules.can_feed(row["tier"], parent.tier):
            raise SeedError(f"{row['code']} ({row['tier']}) cannot feed {parent.code}")
        contest = Contest(
            code=row["code"],
            name=row["name"],
            year=row["year"],
            tier=row["tier"],
            organising_unit_id=units[row["organiser"]].id,
            starts_on=date.fromisoformat(row["starts_on"]),
            ends_on=date.fromisoformat(row["ends_on"]),
            parent_id=parent.id if parent else None,
        )
        session.add(contest)
        session.flush()
        contests[contest.code] = contest
    return contests


def _load_contest_parts(session, rows, contests, trades, units) -> tuple[dict, dict]:
    """Contest-trades by (contest, trade code) and delegations by (contest, name)."""
    cts, delegations = {}, {}
    for row in rows:
        contest = contests[row["code"]]
        for item in row["trades"]:
            settings = {**row.get("settings", {}), **item}
            code = settings.pop("trade")
            for key in DECIMAL_SETTINGS:
                if settings.get(key) is not None:
                    settings[key] = Decimal(str(settings[key]))
            ct = ContestTrade(contest_id=contest.id, trade_id=trades[code].id, **settings)
            cts[contest.code, code] = ct
            session.add(ct)
        for item in row["delegations"]:
            delegation = Delegation(
                contest_id=contest.id, name=item["name"], unit_id=units[item["unit"]].id
            )
            delegations[contest.code, item["name"]] = delegation
            session.add(delegation)
        session.flush()
    return cts, delegations


def _load_persons(session: Session, rows: list[dict], units: dict[str, Unit]) -> dict:
    """The contestants, checked by the registration rules, by ID number."""
    persons: dict[str, Person] = {}
    for row in rows:
        facts = rules.PersonFacts(
            name=row["name"],
            gender=row["gender"],
            birth_date=date.fromisoformat(row["birth_date"]),
            id_type="resident",
            id_number=row["id_number"],
        )
        problems = rules.person_problems(facts)
        if problems:
            raise SeedError(f"contestant {row['id_number']}: {problems}")
        persons[row["id_number"]] = Person(
            name=facts.name,
            gender=facts.gender,
            birth_date=facts.birth_date,
            id_type=facts.id_type,
            id_number=facts.id_number,
            unit_id=units[row["unit"]].id,
            skill_level=int(row["skill_level"]),
            phone=row["phone"],
        )
    session.add_all(persons.values())
    session.flush()
    return persons


def _load_entries(session, rows, cts, delegations, persons) -> dict:
    """The entries, a contest at a time, each after the entry it advanced from."""
    entries: dict[tuple[str, str, str], Entry] = {}
    for index, row in enumerate(rows):
        person = persons[row["id_number"]]
        if person.name != row["name"]:
            raise SeedError(f"entry {index + 1}: {row['id_number']} is {person.name}")
        source = row["advanced_from"]
        entry = Entry(
            person_id=person.id,
            contest_trade_id=cts[row["contest"], row["trade"]].id,
            delegation_id=delegations[row["contest"], row["delegation"]].id,
            status=row["status"],
            source_entry_id=entries[source, row["trade"], row["id_number"]].id if source else None,
        )
        session.add(entry)
        entries[row["contest"], row["trade"], row["id_number"]] = entry
        if index + 1 == len(rows) or rows[index + 1]["contest"] != row["contest"]:
            session.flush()
    return entries


def _load_accounts(session, rows, contests, units) -> dict[str, User]:
    """The demo users, with hashed passwords, and their roles in the contests."""
    users = {}
    hashes: dict[str, str] = {}  # hashing is slow on purpose: once per distinct demo password
    for row in rows:
        user = User(
            username=row["username"],
            display_name=row["display_name"],
            is_registrar=row["is_registrar"],
            unit_id=units[row["unit"]].id,
            admin_role=row.get("admin_role"),
        )
        if row["password"] not in hashes:
            user.set_password(row["password"])
            hashes[row["password"]] = user.password_hash
        user.password_hash = hashes[row["password"]]
        users[user.username] = user
    session.add_all(users.values())
    session.flush()
    for row in rows:
        user = users[row["username"]]
        for code, role in row["roles"]:
            session.add(ContestRole(user_id=user.id, contest_id=contests[code].id, role=role))
        # A union officer reads the figures of a unit's tree (统计).
        if row.get("reads_figures_of"):
            session.add(StatsReader(user_id=user.id, unit_id=units[row["reads_figures_of"]].id))
    session.flush()
    return users

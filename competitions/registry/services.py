"""Registration writes and lookups: they flush, the request or task commits."""

from dataclasses import dataclass

from sqlalchemy import func, select

from competitions.accounts.models import ContestRole
from competitions.accounts.services.permissions import roles_in
from competitions.core import audit_words
from competitions.core.db import db
from competitions.core.i18n import trade_name
from competitions.core.words import N_, Reason
from competitions.registry import rules
from competitions.registry.models import (
    Contest,
    ContestTrade,
    Delegation,
    Entry,
    IdReveal,
    Person,
    Trade,
    id_number_hash,
)
from competitions.units.models import Unit


class RegistrationError(Exception):
    """A registration the rules refuse; ``field`` names the form field it belongs beside."""

    def __init__(self, field: str, reason: Reason):
        super().__init__(str(reason))
        self.field = field
        self.reason = reason


def create_contest(values: dict, organiser_id: int) -> Contest:
    """Add a contest and make its creator its organiser."""
    contest = Contest(**values)
    db.session.add(contest)
    db.session.flush()
    db.session.add(ContestRole(user_id=organiser_id, contest_id=contest.id, role="organiser"))
    return contest


def find_person(id_type: str, id_number: str) -> Person | None:
    """The person registered with this document, if any (by the keyed hash of its number)."""
    return db.session.scalar(
        select(Person).filter_by(id_type=id_type, id_number_hash=id_number_hash(id_number))
    )


@dataclass
class Registration:
    """The outcome of registering: the entry, and whether the person was already known."""

    entry: Entry
    found_existing_person: bool


def eligibility_of(ct: ContestTrade) -> rules.Eligibility:
    """The age rule of a contest-trade as plain data."""
    return rules.Eligibility(ct.min_age, ct.max_age, ct.reference_date)


def register_entry(
    ct: ContestTrade,
    facts: rules.PersonFacts,
    person_fields: dict,
    delegation_id: int | None,
    status: str = "registered",
    out_of_competition: bool = False,
) -> Registration:
    """Register a person (found by ID number, else created) in a contest-trade.

    Refuses, with the field to show it beside: an ID number registered under another name,
    an entry that already exists, and an age outside the contest-trade's rule.
    """
    facts = rules.complete_person(facts)
    person = find_person(facts.id_type, facts.id_number)
    found = person is not None
    if person and person.name != facts.name:
        raise RegistrationError(
            "id_number",
            Reason.of(N_("this ID number is registered to %(name)s"), name=person.name),
        )
    birth = person.birth_date if person else facts.birth_date
    problem = rules.eligibility_problem(eligibility_of(ct), birth)
    if problem:
        raise RegistrationError("birth_date", problem)
    if person is None:
        person = Person(
            name=facts.name,
            gender=facts.gender,
            birth_date=facts.birth_date,
            id_type=facts.id_type,
            id_number=facts.id_number,
            **person_fields,
        )
        db.session.add(person)
        db.session.flush()
    elif db.session.scalar(select(Entry.id).filter_by(person_id=person.id, contest_trade_id=ct.id)):
        raise RegistrationError(
            "contest_trade_id", Reason.of(N_("this person is already entered in this trade"))
        )
    entry = Entry(
        person_id=person.id,
        contest_trade_id=ct.id,
        delegation_id=delegation_id,
        status=status,
        out_of_competition=out_of_competition,
    )
    db.session.add(entry)
    db.session.flush()
    return Registration(entry, found)


def unit_choices() -> list[tuple]:
    """Units as (id, indented name) in tree order, for select fields."""
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    children: dict[int | None, list[Unit]] = {}
    for unit in units:
        children.setdefault(unit.parent_id, []).append(unit)
    out: list[tuple] = []

    def walk(parent_id, depth):
        for unit in children.get(parent_id, []):
            out.append((unit.id, "\u3000" * depth + unit.name))
            walk(unit.id, depth + 1)

    walk(None, 0)
    return out


def unit_tree() -> list[tuple[Unit, int]]:
    """Every unit with its depth, in tree order."""
    by_id = {u.id: u for u in db.session.scalars(select(Unit))}
    return [(by_id[uid], label.count("\u3000")) for uid, label in unit_choices()]


def unit_parents() -> dict[int, int | None]:
    """{unit id: parent id} for cycle checks."""
    return dict(db.session.execute(select(Unit.id, Unit.parent_id)).all())


def contest_trade_choices(contest: Contest) -> list[tuple]:
    """The contest's trades as (contest-trade id, trade name)."""
    return [(ct.id, f"{ct.trade.code} {trade_name(ct.trade)}") for ct in contest.contest_trades]


def entry_counts(contest_id: int) -> dict[int, int]:
    """{contest-trade id: number of entries} for a contest."""
    rows = db.session.execute(
        select(Entry.contest_trade_id, func.count())
        .join(ContestTrade)
        .where(ContestTrade.contest_id == contest_id)
        .group_by(Entry.contest_trade_id)
    )
    return dict(rows.all())


def contest_chain(contest: Contest) -> list[Contest]:
    """The contest and the contests above it that it feeds, bottom first."""
    chain, seen = [], set()
    while contest is not None and contest.id not in seen:
        chain.append(contest)
        seen.add(contest.id)
        contest = contest.parent
    return chain


def _namer(table: str, model, *columns, join=None):
    """Register how the audit log names ``table``'s records: the ``columns``, space-separated."""

    @audit_words.names_records(table)
    def names(ids: set[int]) -> dict[int, str]:
        query = select(model.id, *columns).where(model.id.in_(ids))
        if join is not None:
            query = query.join(*join)
        return {
            row[0]: " ".join(str(part) for part in row[1:]) for row in db.session.execute(query)
        }

    return names


_namer("unit", Unit, Unit.name)
_namer("trade", Trade, Trade.code, Trade.name_zh)
_namer("delegation", Delegation, Delegation.name)
_namer("contest", Contest, Contest.name)
_namer(
    "contest_trade",
    ContestTrade,
    Trade.code,
    Trade.name_zh,
    join=(Trade, Trade.id == ContestTrade.trade_id),
)
_namer("person", Person, Person.name)
_namer("entry", Entry, Person.name, join=(Person, Person.id == Entry.person_id))


def organised_for(user, person: Person) -> set[int]:
    """The contests ``person`` is entered in that ``user`` organises."""
    contests = {e.contest_trade.contest_id for e in person.entries}
    return {c for c in contests if "organiser" in roles_in(user, c)}


def may_read_person(user, person: Person) -> bool:
    """Registrars and the organisers of any of the person's contests read their record."""
    return bool(user.is_registrar or organised_for(user, person))


def reveal_id_number(person: Person, user_id: int, contest_id: int | None, reason: str) -> str:
    """A person's whole ID number for an organiser, recorded with who asked, when and why (the
    audit log keeps it); the pages show it masked otherwise."""
    db.session.add(
        IdReveal(
            user_id=user_id,
            person_id=person.id,
            contest_id=contest_id,
            what="page",
            reason=" ".join(reason.split()),
        )
    )
    db.session.flush()
    return person.id_number


def log_id_export(ct: ContestTrade, user_id: int, what: str) -> None:
    """Record a download of a list with whole ID numbers (``what`` names the list)."""
    db.session.add(
        IdReveal(
            user_id=user_id,
            contest_id=ct.contest_id,
            contest_trade_id=ct.id,
            what="export",
            reason=what[:200],
        )
    )
    db.session.flush()

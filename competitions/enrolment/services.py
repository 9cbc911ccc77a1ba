"""Enrolment writes and look-ups: they flush, the request commits.

A liaison's or team leader's **scope** is their role row: a liaison sees and registers the
people of their unit (and its sub-units), a team leader the entries of their delegation.
"""

import hashlib
from dataclasses import dataclass

from sqlalchemy import and_, func, or_, select

from competitions.accounts.models import ContestRole
from competitions.accounts.services.permissions import roles_in
from competitions.core import audit_words
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.words import N_, Reason
from competitions.enrolment import rules
from competitions.enrolment.models import EntryAttachment
from competitions.registry import services as registry
from competitions.registry.models import Contest, ContestTrade, Delegation, Entry, Person
from competitions.units.models import Unit

#: The roles that register their own people.
SCOPE_ROLES = ("liaison", "team_leader")


class EnrolmentError(Exception):
    """A registration or a step the rules refuse; ``field`` names the form field it belongs
    beside (None: the form as a whole)."""

    def __init__(self, reason: Reason, field: str | None = None):
        super().__init__(str(reason))
        self.reason = reason
        self.field = field


@dataclass(frozen=True)
class Scope:
    """Whom a liaison or team leader registers: their unit's people or their delegation."""

    role_id: int
    role: str
    contest_id: int
    unit_id: int | None
    delegation_id: int | None
    #: The unit's or the delegation's name.
    name: str


def _scope(row: ContestRole) -> Scope:
    if row.role == "liaison":
        name = db.session.get(Unit, row.unit_id).name
    else:
        name = db.session.get(Delegation, row.delegation_id).name
    return Scope(row.id, row.role, row.contest_id, row.unit_id, row.delegation_id, name)


def scopes_of(user, contest_id: int | None = None) -> list[Scope]:
    """The user's scopes (as liaison or team leader), in one contest or in all."""
    if not user.is_authenticated:
        return []
    query = select(ContestRole).where(
        ContestRole.user_id == user.id, ContestRole.role.in_(SCOPE_ROLES)
    )
    if contest_id is not None:
        query = query.where(ContestRole.contest_id == contest_id)
    return [_scope(row) for row in db.session.scalars(query.order_by(ContestRole.id))]


def scope_of_role(user, role_id: int) -> Scope | None:
    """The scope of one of the user's own roles (None: not theirs, or no such scope)."""
    row = db.session.get(ContestRole, role_id)
    if row is None or row.user_id != user.id or row.role not in SCOPE_ROLES:
        return None
    return _scope(row)


def units_under(root: int) -> set[int]:
    """The unit and its sub-units."""
    parents = registry.unit_parents()
    return {unit for unit in parents if rules.in_subtree(unit, root, parents)}


def _scope_condition(scope: Scope):
    """The SQL condition on entries (joined with their person) of the scope's people."""
    if scope.role == "liaison":
        return Person.unit_id.in_(units_under(scope.unit_id))
    return Entry.delegation_id == scope.delegation_id


def entries_in_scope(scope: Scope, ct_id: int | None = None) -> list[Entry]:
    """The scope's entries in its contest (or one contest-trade of it), by trade and name."""
    query = (
        select(Entry)
        .join(Person, Person.id == Entry.person_id)
        .join(ContestTrade, ContestTrade.id == Entry.contest_trade_id)
        .where(ContestTrade.contest_id == scope.contest_id, _scope_condition(scope))
        .order_by(Entry.contest_trade_id, Person.name)
    )
    if ct_id is not None:
        query = query.where(Entry.contest_trade_id == ct_id)
    return list(db.session.scalars(query))


def in_scope(scope: Scope, entry: Entry) -> bool:
    """Whether the entry is one of the scope's (its contest, its unit's people or delegation)."""
    if entry.contest_trade.contest_id != scope.contest_id:
        return False
    if scope.role == "liaison":
        return entry.person.unit_id in units_under(scope.unit_id)
    return entry.delegation_id == scope.delegation_id


def scope_for_entry(user, entry: Entry) -> Scope | None:
    """The user's scope that holds the entry, if any."""
    scopes = scopes_of(user, entry.contest_trade.contest_id)
    return next((s for s in scopes if in_scope(s, entry)), None)


def may_read_entry(user, entry: Entry) -> bool:
    """Its contest's organisers, and the liaison or team leader whose scope holds it."""
    contest_id = entry.contest_trade.contest_id
    return "organiser" in roles_in(user, contest_id) or scope_for_entry(user, entry) is not None


def window_of(contest: Contest, now) -> str:
    """Where the contest's registration window stands (``rules.window_state``)."""
    return rules.window_state(contest.registration_opens, contest.registration_closes, now)


def _counted(ct_id: int):
    return (
        select(func.count())
        .select_from(Entry)
        .join(Person, Person.id == Entry.person_id)
        .where(
            Entry.contest_trade_id == ct_id,
            Entry.status.not_in(rules.NOT_COUNTED),
            Entry.out_of_competition.is_(False),
        )
    )


def quotas(scope: Scope, ct: ContestTrade) -> tuple[rules.Quota | None, rules.Quota | None]:
    """The unit's and the delegation's quota of the trade, as far as the scope's entries count
    against them: a liaison's against their unit's (sub-units included), a team leader's
    against their delegation's."""
    if scope.role == "liaison":
        used = db.session.scalar(
            _counted(ct.id).where(Person.unit_id.in_(units_under(scope.unit_id)))
        )
        return rules.Quota(ct.quota_per_unit, used), None
    used = db.session.scalar(_counted(ct.id).where(Entry.delegation_id == scope.delegation_id))
    return None, rules.Quota(ct.quota_per_delegation, used)


@dataclass
class TradeLine:
    """One trade of a liaison's page: the scope's entries, its quota, what is left of it."""

    ct: ContestTrade
    entries: list
    quota: rules.Quota | None
    left: int | None


def trade_lines(scope: Scope, contest: Contest) -> list[TradeLine]:
    """Per trade of the contest: the scope's entries and its quota."""
    lines = []
    for ct in contest.contest_trades:
        unit_quota, team_quota = quotas(scope, ct)
        quota = unit_quota or team_quota
        left = rules.quota_left(quota.limit, quota.used) if quota else None
        lines.append(TradeLine(ct, entries_in_scope(scope, ct.id), quota, left))
    return lines


def _lock(ct: ContestTrade) -> None:
    """Hold the contest-trade's row until the commit, so that two registrations at once do
    not both take the quota's last place (PostgreSQL; SQLite writes one at a time)."""
    db.session.execute(select(ContestTrade.id).where(ContestTrade.id == ct.id).with_for_update())


@dataclass(frozen=True)
class Upload:
    """A file as sent: its name on the uploader's computer and its bytes."""

    filename: str
    data: bytes


def enrol(
    scope: Scope, ct: ContestTrade, facts, person_fields: dict, uploads: dict, user_id: int, now
) -> Entry:
    """Register a person of the scope as a draft entry, with their proof.

    Refuses (EnrolmentError) outside the window, over the quota, and a person of another unit
    (a liaison registers only their unit's people); then registry's own refusals (ID number
    under another name, already entered, age), beside their fields.
    """
    if ct.contest_id != scope.contest_id:
        raise EnrolmentError(Reason.of(N_("this trade is not in your contest")))
    _lock(ct)
    unit_quota, team_quota = quotas(scope, ct)
    problems = rules.registration_problems(window_of(ct.contest, now), unit_quota, team_quota)
    if problems:
        raise EnrolmentError(problems[0])
    if scope.role == "liaison":
        _check_own_unit(scope, facts, person_fields)
    delegation_id = scope.delegation_id if scope.role == "team_leader" else None
    try:
        outcome = registry.register_entry(ct, facts, person_fields, delegation_id, "draft")
    except registry.RegistrationError as err:
        field = err.field if err.field != "contest_trade_id" else None
        raise EnrolmentError(err.reason, field) from err
    for kind, upload in uploads.items():
        attach(outcome.entry, kind, upload, user_id)
    return outcome.entry


def _check_own_unit(scope: Scope, facts, person_fields: dict) -> None:
    """Refuse a person outside the liaison's unit: one already known under another unit, or a
    new one given another unit."""
    own = units_under(scope.unit_id)
    known = registry.find_person(facts.id_type, facts.id_number)
    if known is not None and known.unit_id not in own:
        raise EnrolmentError(
            Reason.of(N_("this person belongs to another unit: you register your unit's people")),
            "id_number",
        )
    if known is None and person_fields.get("unit_id") not in own:
        raise EnrolmentError(Reason.of(N_("choose your unit or one of its sub-units")), "unit_id")


def attach(entry: Entry, kind: str, upload: Upload, user_id: int | None) -> EntryAttachment:
    """Keep a file as the entry's proof of ``kind`` (replacing the one it had), after the rule
    (``rules.attachment_problem``) accepts its content."""
    if problem := rules.attachment_problem(kind, upload.data):
        raise EnrolmentError(problem, kind)
    row = db.session.scalar(select(EntryAttachment).filter_by(entry_id=entry.id, kind=kind))
    if row is None:
        row = EntryAttachment(entry_id=entry.id, kind=kind)
        db.session.add(row)
    row.filename = (upload.filename or kind).rsplit("/", 1)[-1].rsplit("\\", 1)[-1][:200]
    row.content_type = rules.sniff_type(upload.data)
    row.size = len(upload.data)
    row.sha256 = hashlib.sha256(upload.data).hexdigest()
    row.data = upload.data
    row.uploaded_by = user_id
    db.session.flush()
    return row


def attachments_of(entry_id: int) -> dict[str, EntryAttachment]:
    """The entry's proof by kind (without the files' bytes)."""
    rows = db.session.scalars(select(EntryAttachment).filter_by(entry_id=entry_id))
    return {row.kind: row for row in rows}


def attachment_file(entry_id: int, kind: str) -> EntryAttachment | None:
    """The entry's proof of ``kind`` with its bytes."""
    return db.session.scalar(select(EntryAttachment).filter_by(entry_id=entry_id, kind=kind))


def photo_of(entry_id: int) -> bytes | None:
    """The entry's photo (JPEG or PNG bytes), for the admission ticket; None without one."""
    row = attachment_file(entry_id, "photo")
    return row.data if row is not None else None


def editable_problem(entry: Entry, now) -> Reason | None:
    """Why a liaison or team leader may not change or remove the entry now (None: they may)."""
    if entry.status not in rules.EDITABLE:
        return Reason.of(N_("only entries not yet submitted or returned can be changed"))
    return rules.window_problem(window_of(entry.contest_trade.contest, now))


def remove_draft(entry: Entry, now) -> None:
    """Remove an entry not yet submitted or returned (a wrong person, a wrong ID number)."""
    if problem := editable_problem(entry, now):
        raise EnrolmentError(problem)
    for row in attachments_of(entry.id).values():
        db.session.delete(row)
    db.session.delete(entry)
    db.session.flush()


def to_submit(scope: Scope) -> list[Entry]:
    """The scope's entries that a submission would send: drafts and returned ones."""
    return [e for e in entries_in_scope(scope) if e.status in rules.EDITABLE]


def proof_missing(entries: list[Entry]) -> list[tuple[Entry, list[str]]]:
    """The entries that lack proof their contest-trade asks for, with the kinds they lack."""
    out = []
    for entry in entries:
        ct = entry.contest_trade
        has = set(attachments_of(entry.id))
        missing = rules.missing_proof(ct.requires_photo, ct.requires_employment_proof, has)
        if missing:
            out.append((entry, missing))
    return out


def submit_list(scope: Scope, contest: Contest, now) -> list[Entry]:
    """Submit the scope's drafts and returned entries for review, all or none: refused outside
    the window, with nothing to submit, or when one lacks the proof its trade asks for."""
    if problem := rules.window_problem(window_of(contest, now)):
        raise EnrolmentError(problem)
    entries = to_submit(scope)
    if not entries:
        raise EnrolmentError(Reason.of(N_("there is nothing to submit")))
    if missing := proof_missing(entries):
        names = "、".join(entry.person.name for entry, _kinds in missing)
        raise EnrolmentError(Reason.of(N_("proof is missing for: %(names)s"), names=names))
    for entry in entries:
        entry.status = "submitted"
    db.session.flush()
    return entries


def approve(contest_id: int, entry_ids: list[int]) -> int:
    """Approve the contest's submitted entries among ``entry_ids``; how many were approved."""
    entries = db.session.scalars(
        select(Entry)
        .join(ContestTrade, ContestTrade.id == Entry.contest_trade_id)
        .where(
            ContestTrade.contest_id == contest_id,
            Entry.id.in_(entry_ids),
            Entry.status == "submitted",
        )
    ).all()
    for entry in entries:
        entry.status = "approved"
    db.session.flush()
    return len(entries)


def return_entry(entry: Entry, reason: str) -> None:
    """Send a submitted (or approved) entry back to its liaison or team leader with a reason."""
    if entry.status not in ("submitted", "approved"):
        raise EnrolmentError(Reason.of(N_("only submitted or approved entries can be returned")))
    entry.status = "returned"
    entry.review_note = " ".join(reason.split())[:300]
    db.session.flush()


def review_query(contest_id: int, ct_id=None, unit_id=None, status=None):
    """The contest's entries for the review page, filtered by trade, unit (sub-units included)
    and status."""
    query = (
        select(Entry)
        .join(Person, Person.id == Entry.person_id)
        .join(ContestTrade, ContestTrade.id == Entry.contest_trade_id)
        .where(ContestTrade.contest_id == contest_id)
        .order_by(Entry.contest_trade_id, Person.unit_id, Person.name)
    )
    if ct_id:
        query = query.where(Entry.contest_trade_id == ct_id)
    if unit_id:
        query = query.where(Person.unit_id.in_(units_under(unit_id)))
    if status:
        query = query.where(Entry.status == status)
    return query


def late_entries(contest: Contest, now) -> list[Entry]:
    """Once the window has closed: the entries never submitted (drafts, returned ones); they
    are not in the contest."""
    if window_of(contest, now) != "closed":
        return []
    return list(
        db.session.scalars(review_query(contest.id).where(Entry.status.in_(rules.EDITABLE)))
    )


@dataclass(frozen=True)
class ShortField:
    """A trade with fewer entries in the field than its minimum field size."""

    ct: ContestTrade
    in_field: int
    minimum: int


def short_fields(contest: Contest) -> list[ShortField]:
    """The contest's trades below their minimum field size (开赛人数), with their counts of
    registered and approved entries that compete (not out of competition, 不计名次)."""
    counts = dict(
        db.session.execute(
            select(Entry.contest_trade_id, func.count())
            .join(ContestTrade, ContestTrade.id == Entry.contest_trade_id)
            .where(
                ContestTrade.contest_id == contest.id,
                Entry.status.in_(rules.IN_THE_FIELD),
                Entry.out_of_competition.is_(False),
            )
            .group_by(Entry.contest_trade_id)
        ).all()
    )
    return [
        ShortField(ct, counts.get(ct.id, 0), ct.min_field_size)
        for ct in contest.contest_trades
        if rules.below_field_size(ct.min_field_size, counts.get(ct.id, 0))
    ]


def history_of(entry: Entry) -> list[tuple[AuditLog, list[str]]]:
    """Every logged change of the entry and of its proof, newest first, in people's words."""
    files = select(EntryAttachment.id).where(EntryAttachment.entry_id == entry.id)
    logs = db.session.scalars(
        select(AuditLog)
        .where(
            or_(
                and_(AuditLog.entity.in_(("entry", "subject")), AuditLog.entity_id == entry.id),
                and_(AuditLog.entity == "entry_attachment", AuditLog.entity_id.in_(files)),
            )
        )
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    ).all()
    names = audit_words.referenced_names(logs)
    return [(log, audit_words.describe(log, names)) for log in logs]

"""Panel services: members, items, entries with recusal, relations, codes; flush, never commit."""

import logging
from dataclasses import dataclass

from sqlalchemy import delete, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import selectinload

from competitions.accounts.models import ContestRole, User
from competitions.assessment.models import (
    Assessment,
    Subject,
    every_kinds_facts,
    facts_of,
)
from competitions.core.db import db
from competitions.core.words import N_, Reason
from competitions.judging import rules
from competitions.judging.models import (
    DeclaredRelation,
    JudgeItem,
    JudgeSubject,
    Mark,
    PanelMember,
    SchemeItem,
    SchemePart,
    SubjectCode,
)
from competitions.units.models import Unit

logger = logging.getLogger(__name__)


class PanelError(Exception):
    """A panel change the rules refuse; ``field`` names the form field it belongs beside."""

    def __init__(self, field: str, reason: Reason):
        super().__init__(str(reason))
        self.field = field
        self.reason = reason


@dataclass(frozen=True)
class UnitTree:
    """Every unit's parent, kind and name, loaded in one query."""

    parent: dict[int, int | None]
    kind: dict[int, str]
    name: dict[int, str]

    def path(self, unit_id: int | None) -> tuple[int, ...]:
        """The unit, then its ancestors up to the root (empty for no unit)."""
        out: list[int] = []
        while unit_id is not None and unit_id not in out:
            out.append(unit_id)
            unit_id = self.parent.get(unit_id)
        return tuple(out)

    @property
    def enterprises(self) -> frozenset[int]:
        """The ids of the units of kind enterprise."""
        return frozenset(uid for uid, kind in self.kind.items() if kind == "enterprise")


def load_unit_tree() -> UnitTree:
    """The whole unit tree (one query)."""
    rows = db.session.execute(select(Unit.id, Unit.parent_id, Unit.kind, Unit.name)).all()
    return UnitTree(
        {r.id: r.parent_id for r in rows},
        {r.id: r.kind for r in rows},
        {r.id: r.name for r in rows},
    )


@dataclass(frozen=True)
class EntryFacts:
    """What the panel needs of an entry: its person, unit, delegation and code."""

    id: int
    person_id: int
    name: str
    unit_id: int | None
    delegation_id: int | None
    delegation_unit_id: int | None
    code: str | None
    unit_name: str | None

    @property
    def label(self) -> str:
        """The entry as organisers see it before the reveal: its code once drawn, else the name."""
        if self.code:
            return self.code
        return f"{self.name} ({self.unit_name})" if self.unit_name else self.name

    def affiliation(self, tree: UnitTree) -> rules.Affiliation:
        """The entry's unit path (the delegation's unit if the person has none) and delegation."""
        unit_id = self.unit_id if self.unit_id is not None else self.delegation_unit_id
        return rules.Affiliation(tree.path(unit_id), self.delegation_id)


def marked_entries(ct_id: int, entry_id: int | None = None) -> list[EntryFacts]:
    """The assessment's subjects that are marked (an entry registered or approved), by code
    then name."""
    f = facts_of(ct_id, marked_only=True).c
    query = (
        select(f.subject_id, f.person_id, f.name, f.unit_id, f.delegation_id)
        .add_columns(f.delegation_unit_id, SubjectCode.code, f.unit_name)
        .outerjoin(SubjectCode, SubjectCode.subject_id == f.subject_id)
        .order_by(SubjectCode.code.is_(None), SubjectCode.code, f.name, f.subject_id)
    )
    if entry_id is not None:
        query = query.where(f.subject_id == entry_id)
    return [EntryFacts(*row) for row in db.session.execute(query)]


def declared_persons(user_ids) -> dict[int, frozenset[int]]:
    """{user id: the persons they declared a relation with}."""
    rows = db.session.execute(
        select(DeclaredRelation.user_id, DeclaredRelation.person_id).where(
            DeclaredRelation.user_id.in_(list(user_ids))
        )
    )
    out: dict[int, set[int]] = {}
    for user_id, person_id in rows:
        out.setdefault(user_id, set()).add(person_id)
    return {uid: frozenset(ids) for uid, ids in out.items()}


def recusals(
    member: PanelMember, entries: list[EntryFacts], tree: UnitTree, declared: frozenset[int]
) -> dict[int, Reason]:
    """{entry id: why the member must recuse} for the entries they may not mark."""
    unit_id, group_id = member.assessment.judge_affiliation(member)
    judge = rules.Affiliation(tree.path(unit_id), group_id)
    out = {}
    for entry in entries:
        reason = rules.recusal_reason(
            judge, entry.affiliation(tree), entry.person_id, declared, tree.enterprises
        )
        if reason is not None:
            out[entry.id] = reason
    return out


def members_of(ct_id: int) -> list[PanelMember]:
    """The panel, the chief judge first, then by name."""
    query = (
        select(PanelMember)
        .join(User, User.id == PanelMember.user_id)
        .where(PanelMember.assessment_id == ct_id)
        .options(selectinload(PanelMember.user))
        .order_by(PanelMember.role != "chief_judge", User.display_name)
    )
    return list(db.session.scalars(query))


def add_member(ct: Assessment, username: str, role: str, delegation_id: int | None):
    """Seat a user on the panel; they must hold the same role in the contest."""
    user = db.session.scalar(select(User).where(User.username == username.strip()))
    if user is None:
        raise PanelError("username", Reason.of(N_("No user with this username.")))
    held = select(ContestRole.id).filter_by(user_id=user.id, contest_id=ct.contest_id, role=role)
    if db.session.scalar(held) is None:
        raise PanelError(
            "role",
            Reason.of(
                N_("%(name)s does not hold this role in the contest."), name=user.display_name
            ),
        )
    if db.session.scalar(select(PanelMember.id).filter_by(assessment_id=ct.id, user_id=user.id)):
        raise PanelError("username", Reason.of(N_("This user is already on the panel.")))
    too_many = Reason.of(N_("This trade already has a chief judge."))
    if role == "chief_judge" and db.session.scalar(
        select(PanelMember.id).filter_by(assessment_id=ct.id, role="chief_judge")
    ):
        raise PanelError("role", too_many)
    member = PanelMember(assessment_id=ct.id, user_id=user.id, role=role)
    ct.seat_group(member, delegation_id)
    try:
        with db.session.begin_nested():  # the partial unique index decides a race
            db.session.add(member)
    except IntegrityError:
        raise PanelError("role", too_many) from None
    return member


def _marked_items(member: PanelMember, item_ids=None) -> set[int]:
    """The items of the contest-trade the member has marked (limited to ``item_ids``)."""
    query = (
        select(Mark.item_id)
        .join(Subject, Subject.id == Mark.subject_id)
        .where(Subject.assessment_id == member.assessment_id, Mark.judge_id == member.user_id)
    )
    if item_ids is not None:
        query = query.where(Mark.item_id.in_(list(item_ids)))
    return set(db.session.scalars(query.distinct()))


def remove_member(member: PanelMember) -> None:
    """Take a member off the panel, unless they have entered marks."""
    if _marked_items(member):
        raise PanelError(
            "member", Reason.of(N_("A judge who has entered marks cannot be removed."))
        )
    db.session.delete(member)
    db.session.flush()


def scheme_parts(ct_id: int) -> list[SchemePart]:
    """The contest-trade's scheme parts (theory first) with their items."""
    query = (
        select(SchemePart)
        .where(SchemePart.assessment_id == ct_id)
        .options(selectinload(SchemePart.items))
        .order_by(SchemePart.kind.desc())
    )
    return list(db.session.scalars(query))


def set_items(member: PanelMember, item_ids: set[int]) -> None:
    """Make ``item_ids`` the member's items; marked items cannot be taken away."""
    current = set(db.session.scalars(select(JudgeItem.item_id).filter_by(member_id=member.id)))
    marked = _marked_items(member, current - item_ids)
    if marked:
        codes = db.session.scalars(select(SchemeItem.code).where(SchemeItem.id.in_(marked)))
        raise PanelError(
            "items",
            Reason.of(
                N_("Items already marked cannot be taken away: %(codes)s"), codes=", ".join(codes)
            ),
        )
    db.session.execute(
        delete(JudgeItem).where(
            JudgeItem.member_id == member.id, JudgeItem.item_id.in_(current - item_ids)
        )
    )
    db.session.add_all(JudgeItem(member_id=member.id, item_id=i) for i in item_ids - current)
    db.session.flush()


def _assigned(model, column, member_ids) -> dict[int, set[int]]:
    """{member id: the ids in ``column`` of their ``model`` rows}."""
    out: dict[int, set[int]] = {m: set() for m in member_ids}
    rows = db.session.execute(
        select(model.member_id, column).where(model.member_id.in_(list(member_ids)))
    )
    for member_id, other_id in rows:
        out[member_id].add(other_id)
    return out


def assigned_entries(member_ids) -> dict[int, set[int]]:
    """{member id: the entries assigned to them}."""
    return _assigned(JudgeSubject, JudgeSubject.subject_id, member_ids)


def assigned_items(member_ids) -> dict[int, set[int]]:
    """{member id: the items they score}."""
    return _assigned(JudgeItem, JudgeItem.item_id, member_ids)


def assign_entry(member: PanelMember, entry_id: int) -> None:
    """Assign one marked entry to the member, refused with the reason when they must recuse."""
    found = marked_entries(member.assessment_id, entry_id)
    if not found:
        raise PanelError("entry_id", Reason.of(N_("Choose an entry from the list.")))
    declared = declared_persons([member.user_id]).get(member.user_id, frozenset())
    reason = recusals(member, found, load_unit_tree(), declared).get(entry_id)
    if reason is not None:
        raise PanelError("entry_id", reason)
    if entry_id not in assigned_entries([member.id])[member.id]:
        db.session.add(JudgeSubject(member_id=member.id, subject_id=entry_id))
        db.session.flush()


def assign_all_entries(member: PanelMember) -> tuple[int, list[tuple[EntryFacts, Reason]]]:
    """Assign every marked entry the member may mark; returns the count added and those skipped."""
    entries = marked_entries(member.assessment_id)
    declared = declared_persons([member.user_id]).get(member.user_id, frozenset())
    conflicts = recusals(member, entries, load_unit_tree(), declared)
    have = assigned_entries([member.id])[member.id]
    new = [e.id for e in entries if e.id not in conflicts and e.id not in have]
    db.session.add_all(JudgeSubject(member_id=member.id, subject_id=e) for e in new)
    db.session.flush()
    return len(new), [(e, conflicts[e.id]) for e in entries if e.id in conflicts]


def record_relation(user_id: int, person_id: int, relation: str) -> int:
    """Record the judge's relation with the person (they recuse from them); drop the judge's
    assignments to the person's entries and return how many went."""
    row = db.session.scalar(
        select(DeclaredRelation).filter_by(user_id=user_id, person_id=person_id)
    )
    if row is None:
        row = DeclaredRelation(user_id=user_id, person_id=person_id)
        db.session.add(row)
    row.relation = relation.strip()
    seats = select(PanelMember.id).where(PanelMember.user_id == user_id)
    facts = every_kinds_facts()
    entries = select(facts.c.subject_id).where(facts.c.person_id == person_id)
    removed = db.session.execute(
        delete(JudgeSubject).where(
            JudgeSubject.member_id.in_(seats), JudgeSubject.subject_id.in_(entries)
        )
    ).rowcount
    db.session.flush()
    logger.info("user %s recuses for a declared relation; %s assignments gone", user_id, removed)
    return removed


def declarations(ct_id: int, user_ids) -> list:
    """These users' declarations about this assessment's subjects, oldest first."""
    facts = facts_of(ct_id)
    query = (
        select(User.display_name.label("judge"), DeclaredRelation.relation)
        .add_columns(DeclaredRelation.declared_at, facts.c.name, SubjectCode.code)
        .join(User, User.id == DeclaredRelation.user_id)
        .join(facts, facts.c.person_id == DeclaredRelation.person_id)
        .outerjoin(SubjectCode, SubjectCode.subject_id == facts.c.subject_id)
        .where(DeclaredRelation.user_id.in_(list(user_ids)))
        .order_by(DeclaredRelation.declared_at, DeclaredRelation.id)
    )
    return list(db.session.execute(query))

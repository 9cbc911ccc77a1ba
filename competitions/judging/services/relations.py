"""Judges' declarations of relations: filed blind, acted on by the organisers (flush only).

A judge who declares learns nothing from it: not whether the person exists or is entered in the
trade, nor their code (their grid changes only when an organiser applies it). The organisers see
each pending declaration with the contestant it matches, if any, and apply it (the judge
recuses: ``panel.record_relation``) or dismiss it; both are kept in the audit log.
"""

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from competitions.accounts.models import User
from competitions.assessment.models import facts_of
from competitions.core.db import db
from competitions.core.identity_rules import normalise_id_number
from competitions.core.words import N_, Reason
from competitions.judging.models import RelationDeclaration, SubjectCode
from competitions.judging.services.panel import PanelError, record_relation


@dataclass(frozen=True)
class Pending:
    """A declaration awaiting the organisers, with the contestant of the trade it matches."""

    declaration: RelationDeclaration
    judge: str
    person_id: int | None
    code: str | None


def file_declaration(
    user_id: int, ct_id: int, name: str, id_number: str, relation: str
) -> RelationDeclaration:
    """Keep a judge's declaration as typed, for the organisers; nothing is looked up."""
    declaration = RelationDeclaration(
        assessment_id=ct_id,
        user_id=user_id,
        name=" ".join(name.split()),
        id_number=normalise_id_number(id_number),
        relation=relation.strip(),
    )
    db.session.add(declaration)
    db.session.flush()
    return declaration


def declarations_of(ct_id: int, user_id: int) -> list[RelationDeclaration]:
    """A judge's own declarations in this trade, oldest first (as typed, whatever became of
    them: their state would tell whether the person is entered)."""
    query = (
        select(RelationDeclaration)
        .filter_by(assessment_id=ct_id, user_id=user_id)
        .order_by(RelationDeclaration.declared_at, RelationDeclaration.id)
    )
    return list(db.session.scalars(query))


def _match(declaration: RelationDeclaration) -> tuple[int, str | None] | None:
    """(person id, code) of the trade's contestant with the typed ID number and name, if any."""
    f = facts_of(declaration.assessment_id).c
    row = db.session.execute(
        select(f.person_id, SubjectCode.code)
        .outerjoin(SubjectCode, SubjectCode.subject_id == f.subject_id)
        .where(f.id_number_hash == declaration.id_number_hash, f.name == declaration.name)
    ).first()
    return tuple(row) if row else None


def pending(ct_id: int) -> list[Pending]:
    """The trade's declarations awaiting the organisers, oldest first."""
    rows = db.session.execute(
        select(RelationDeclaration, User.display_name)
        .join(User, User.id == RelationDeclaration.user_id)
        .where(RelationDeclaration.assessment_id == ct_id)
        .where(RelationDeclaration.state == "pending")
        .order_by(RelationDeclaration.declared_at, RelationDeclaration.id)
    )
    out = []
    for declaration, judge in rows:
        person_id, code = _match(declaration) or (None, None)
        out.append(Pending(declaration, judge, person_id, code))
    return out


def decide(declaration: RelationDeclaration, apply: bool, user_id: int, now: datetime) -> None:
    """Apply a pending declaration (the judge recuses from the contestant it matches) or dismiss
    it; refused once decided, or when applying one that matches no contestant of the trade."""
    if declaration.state != "pending":
        raise PanelError("declaration", Reason.of(N_("This declaration is already decided.")))
    if apply:
        found = _match(declaration)
        if found is None:
            raise PanelError(
                "declaration",
                Reason.of(N_("No contestant of this trade matches that ID number and name.")),
            )
        record_relation(declaration.user_id, found[0], declaration.relation)
    declaration.state = "applied" if apply else "dismissed"
    declaration.decided_by, declaration.decided_at = user_id, now
    db.session.flush()

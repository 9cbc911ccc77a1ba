"""A judge's grid: the subjects (by code only) and items assigned to them, and saving a score."""

from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import select

from competitions.assessment.models import facts_of
from competitions.core.db import db
from competitions.core.words import N_, Reason
from competitions.judging import rules
from competitions.judging.models import (
    JudgeItem,
    JudgeSubject,
    Mark,
    PanelMember,
    SchemeItem,
    SchemePart,
    SubjectCode,
)
from competitions.judging.services.marks import MarkingError, save_score


@dataclass(frozen=True)
class GridEntry:
    """An entry as a judge sees it: its anonymous code and station, nothing else."""

    entry_id: int
    code: str
    station: int | None


def assigned_entries(member: PanelMember) -> list[GridEntry]:
    """The coded entries the judge marks, by code (entries without a code are not shown)."""
    marked = facts_of(member.assessment_id, marked_only=True).c
    rows = db.session.execute(
        select(marked.subject_id, SubjectCode.code, SubjectCode.station)
        .join(JudgeSubject, JudgeSubject.subject_id == marked.subject_id)
        .join(SubjectCode, SubjectCode.subject_id == marked.subject_id)
        .where(JudgeSubject.member_id == member.id)
        .order_by(SubjectCode.code)
    )
    return [GridEntry(*row) for row in rows]


def assigned_items(member: PanelMember) -> list[SchemeItem]:
    """The items the judge scores, theory first, in scheme order."""
    return list(
        db.session.scalars(
            select(SchemeItem)
            .join(JudgeItem, JudgeItem.item_id == SchemeItem.id)
            .join(SchemePart)
            .where(JudgeItem.member_id == member.id)
            .order_by(SchemePart.kind.desc(), SchemeItem.position, SchemeItem.id)
        )
    )


def own_marks(member: PanelMember) -> dict[tuple[int, int], Decimal]:
    """{(entry id, item id): value} of the judge's own scores in the contest-trade."""
    rows = db.session.execute(
        select(Mark.subject_id, Mark.item_id, Mark.value)
        .join(SchemeItem, SchemeItem.id == Mark.item_id)
        .join(SchemePart)
        .where(Mark.judge_id == member.user_id, SchemePart.assessment_id == member.assessment_id)
    )
    return {(e, i): v for e, i, v in rows}


def progress(member: PanelMember) -> tuple[int, int]:
    """(scores entered, scores to enter) on the judge's grid."""
    entries = {e.entry_id for e in assigned_entries(member)}
    items = {i.id for i in assigned_items(member)}
    done = sum(1 for (e, i) in own_marks(member) if e in entries and i in items)
    return done, len(entries) * len(items)


def enter_score(member: PanelMember, code: str, item_id: int, raw: str) -> tuple[Decimal, bool]:
    """Save a score a judge typed in their grid; returns the value and whether the cell was new.

    Refuses (MarkingError) a code or item that is not assigned to the judge, a value the item
    does not allow, and any change once the marks are locked.
    """
    facts = facts_of(member.assessment_id, marked_only=True)
    found = db.session.execute(
        select(SubjectCode.subject_id, SchemeItem)
        .join(JudgeSubject, JudgeSubject.subject_id == SubjectCode.subject_id)
        .join(facts, facts.c.subject_id == SubjectCode.subject_id)
        .join(JudgeItem, JudgeItem.member_id == JudgeSubject.member_id)
        .join(SchemeItem, SchemeItem.id == JudgeItem.item_id)
        .where(
            SubjectCode.assessment_id == member.assessment_id,
            SubjectCode.code == str(code),
            JudgeSubject.member_id == member.id,
            JudgeItem.item_id == item_id,
        )
    ).first()
    if found is None:
        raise MarkingError(Reason.of(N_("this entry or item is not assigned to you")))
    entry_id, item = found
    problem = rules.score_problem(raw, item.rule)
    if problem:
        raise MarkingError(problem)
    value = rules.parse_score(raw)
    old = save_score(member.assessment_id, entry_id, item.id, member.user_id, value, member.user_id)
    return value, old is None

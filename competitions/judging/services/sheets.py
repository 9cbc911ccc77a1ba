"""Clerks' double entry of paper score sheets (录分): ORM work that flushes and never commits.

A sheet is one judge's scores for one entry. The first clerk types it; a different clerk types it
again blind; only a matching second entry confirms it, and only then are its scores saved (with
``marks.save_score``). Every change of a sheet goes through a conditional UPDATE on its version,
so a confirmation can never act on a first entry that changed while the second clerk typed.
"""

import logging
from dataclasses import dataclass

import sqlalchemy as sa
from sqlalchemy import exc, select

from competitions.accounts.models import User
from competitions.assessment.models import Subject, facts_of
from competitions.core import audit
from competitions.core.audit import AuditLog
from competitions.core.db import db, utcnow
from competitions.core.words import N_, Reason
from competitions.judging import rules
from competitions.judging.models import (
    JudgeItem,
    JudgeSubject,
    PanelMember,
    SchemeItem,
    SchemePart,
    ScoreSheet,
    SubjectCode,
)
from competitions.judging.services import marks
from competitions.judging.services.marking import assigned_entries

logger = logging.getLogger(__name__)

STATES = ("typed", "mismatch", "confirmed")
#: The states in which a sheet can still change (typed again, corrected).
OPEN_STATES = ("typed", "mismatch")
ENTITY = "score_sheet"


class SheetError(Exception):
    """A sheet action the rules refuse: why, the form field it concerns, and the HTTP status."""

    def __init__(self, reason: Reason, field: str | None = None, status: int = 200):
        super().__init__(str(reason))
        self.reason = reason
        self.field = field
        self.status = status


STALE = Reason.of(N_("the sheet changed while you typed; open it again"))
CONFIRMED = Reason.of(N_("this sheet is confirmed already"))
EXISTS = Reason.of(N_("a sheet for this entry and judge exists already"))
SAME_CLERK = Reason.of(N_("a different clerk must type the second entry"))
NOT_FIRST = Reason.of(N_("only the clerk who typed the first entry can correct it"))


@dataclass(frozen=True)
class SheetStart:
    """What a first entry is for: the entry (known to clerks only by its code), the judge, items."""

    entry_id: int
    code: str
    judge_id: int
    items: tuple[SchemeItem, ...]


def judge_choices(ct_id: int) -> list[tuple[int, str]]:
    """The panel's members as (user id, display name), for the judge select."""
    rows = db.session.execute(
        select(User.id, User.display_name)
        .join(PanelMember, PanelMember.user_id == User.id)
        .where(PanelMember.assessment_id == ct_id)
        .order_by(User.display_name, User.id)
    )
    return [(row.id, row.display_name) for row in rows]


@dataclass(frozen=True)
class BlankSheet:
    """A paper marking sheet for one judge: their codes (rows) × their items (columns), in the
    order of the clerks' double-entry screen."""

    judge_id: int
    judge_name: str
    codes: tuple[str, ...]
    items: tuple[SchemeItem, ...]


def blank_sheets(ct_id: int, judge_id: int | None = None) -> list[BlankSheet]:
    """The blank sheets of the panel (or of one judge), for members with entries and items."""
    names = dict(judge_choices(ct_id))
    members = db.session.scalars(
        select(PanelMember).where(PanelMember.assessment_id == ct_id)
    ).all()
    out = []
    for member in members:
        if judge_id is not None and member.user_id != judge_id:
            continue
        codes = tuple(e.code for e in assigned_entries(member))
        items = tuple(judge_items(ct_id, member.user_id))
        if codes and items:
            out.append(BlankSheet(member.user_id, names[member.user_id], codes, items))
    return sorted(out, key=lambda s: (s.judge_name, s.judge_id))


def judge_items(ct_id: int, judge_id: int) -> list[SchemeItem]:
    """The items the judge scores in the contest-trade (their JudgeItem rows; none if none)."""
    return list(
        db.session.scalars(
            select(SchemeItem)
            .join(SchemePart, SchemePart.id == SchemeItem.part_id)
            .join(JudgeItem, JudgeItem.item_id == SchemeItem.id)
            .join(PanelMember, PanelMember.id == JudgeItem.member_id)
            .where(PanelMember.assessment_id == ct_id, PanelMember.user_id == judge_id)
            .where(SchemePart.assessment_id == ct_id)
            .order_by(SchemePart.id, SchemeItem.position, SchemeItem.id)
        )
    )


def entry_code(entry_id: int) -> str:
    """The entry's anonymous code (the only name clerks ever see for it)."""
    return (
        db.session.scalar(select(SubjectCode.code).where(SubjectCode.subject_id == entry_id)) or "—"
    )


def _sheet_query(ct_id: int, sheet_id: int):
    return (
        select(ScoreSheet)
        .join(Subject, Subject.id == ScoreSheet.subject_id)
        .where(ScoreSheet.id == sheet_id, Subject.assessment_id == ct_id)
    )


def get_sheet(ct_id: int, sheet_id: int) -> ScoreSheet | None:
    """The sheet, if it belongs to an entry of the contest-trade."""
    return db.session.scalar(_sheet_query(ct_id, sheet_id))


def check_start(ct_id: int, code: str, judge_id: int) -> SheetStart:
    """The sheet a first entry would start; SheetError (beside a field) when it may not start."""
    f = facts_of(ct_id).c
    found = db.session.execute(
        select(f.subject_id.label("id"), f.marked)
        .join(SubjectCode, SubjectCode.subject_id == f.subject_id)
        .where(SubjectCode.assessment_id == ct_id, SubjectCode.code == code.strip())
    ).first()
    if found is None:
        raise SheetError(Reason.of(N_("no entry has this code")), "code")
    if not found.marked:
        raise SheetError(Reason.of(N_("this entry is not being marked")), "code")
    member = db.session.scalar(select(PanelMember).filter_by(assessment_id=ct_id, user_id=judge_id))
    if member is None:
        raise SheetError(Reason.of(N_("choose a judge of this panel")), "judge")
    assigned = db.session.get(JudgeSubject, (member.id, found.id))
    if assigned is None:
        raise SheetError(Reason.of(N_("this judge is not assigned to this entry")), "judge")
    items = judge_items(ct_id, judge_id)
    if not items:
        raise SheetError(Reason.of(N_("this judge has no items to score")), "judge")
    if db.session.scalar(select(ScoreSheet.id).filter_by(subject_id=found.id, judge_id=judge_id)):
        raise SheetError(EXISTS, "code")
    _refuse_if_locked(ct_id)
    return SheetStart(found.id, code.strip(), judge_id, tuple(items))


def start_sheet(ct_id: int, start: SheetStart, values: dict[int, str], clerk_id: int) -> ScoreSheet:
    """Save a first entry as a new sheet (state typed, version 1)."""
    _refuse_if_locked(ct_id)
    sheet = ScoreSheet(
        subject_id=start.entry_id,
        judge_id=start.judge_id,
        first_clerk_id=clerk_id,
        first_values=_stored(values),
        state="typed",
        version=1,
        updated_at=utcnow(),
    )
    try:
        with db.session.begin_nested():
            db.session.add(sheet)
    except exc.IntegrityError:
        # Another clerk started the same sheet a moment ago (unique entry and judge).
        logger.info(
            "sheet of entry %s, judge %s: started twice at once", start.entry_id, start.judge_id
        )
        raise SheetError(EXISTS, "code") from None
    _log(sheet.id, clerk_id, "first", "typed", 1)
    return sheet


def type_second(
    ct_id: int, sheet_id: int, seen_version: int, values: dict[int, str], clerk_id: int
) -> ScoreSheet:
    """The blind second entry: a match confirms the sheet and saves its scores, else mismatch."""
    sheet = _sheet_for_update(ct_id, sheet_id)
    if sheet.first_clerk_id == clerk_id:
        raise SheetError(SAME_CLERK, status=403)
    _check_open(ct_id, sheet, seen_version)
    differs = rules.sheet_mismatches(_keyed(sheet.first_values), values)
    state = "mismatch" if differs else "confirmed"
    _update_or_stale(
        sheet,
        seen_version,
        ScoreSheet.first_clerk_id != clerk_id,
        state=state,
        second_clerk_id=clerk_id,
        second_values=_stored(values),
    )
    if not differs:
        _save_marks(ct_id, sheet, values, clerk_id)
    _log(sheet.id, clerk_id, state, state, seen_version + 1)
    db.session.refresh(sheet)
    return sheet


def correct_first(
    ct_id: int, sheet_id: int, seen_version: int, values: dict[int, str], clerk_id: int
) -> ScoreSheet:
    """The first clerk corrects their entry: back to typed, the second entry is cleared."""
    sheet = _sheet_for_update(ct_id, sheet_id)
    if sheet.first_clerk_id != clerk_id:
        raise SheetError(NOT_FIRST, status=403)
    _check_open(ct_id, sheet, seen_version)
    _update_or_stale(
        sheet,
        seen_version,
        ScoreSheet.first_clerk_id == clerk_id,
        state="typed",
        first_values=_stored(values),
        second_clerk_id=None,
        second_values=sa.null(),
    )
    _log(sheet.id, clerk_id, "corrected", "typed", seen_version + 1)
    db.session.refresh(sheet)
    return sheet


def mismatching_items(sheet: ScoreSheet) -> list[int]:
    """The items whose two typed values differ (empty until a second entry exists)."""
    if sheet.second_values is None:
        return []
    return rules.sheet_mismatches(_keyed(sheet.first_values), _keyed(sheet.second_values))


def _keyed(values: dict) -> dict[int, str]:
    return {int(k): v for k, v in values.items()}


def _stored(values: dict[int, str]) -> dict[str, str]:
    """Typed values as stored: {str(item id): text without surrounding spaces}."""
    return {str(k): (v or "").strip() for k, v in values.items()}


def _refuse_if_locked(ct_id: int) -> None:
    if marks.is_locked(ct_id):
        raise SheetError(Reason.of(N_("the marks are locked by the chief judge")), status=409)


def _sheet_for_update(ct_id: int, sheet_id: int) -> ScoreSheet:
    """The sheet read afresh with its row locked (PostgreSQL) until the transaction ends."""
    query = _sheet_query(ct_id, sheet_id).with_for_update(of=ScoreSheet)
    sheet = db.session.scalar(query.execution_options(populate_existing=True))
    if sheet is None:
        raise SheetError(STALE, status=409)
    return sheet


def _check_open(ct_id: int, sheet: ScoreSheet, seen_version: int) -> None:
    """Refuse a change of a confirmed sheet, of a sheet changed since it was opened, when locked."""
    if sheet.state == "confirmed":
        raise SheetError(CONFIRMED, status=409)
    if sheet.version != seen_version:
        raise SheetError(STALE, status=409)
    _refuse_if_locked(ct_id)


def _update_or_stale(sheet: ScoreSheet, seen_version: int, who, **values) -> None:
    """Change the sheet only if it is still open at the version seen; else SheetError (stale)."""
    table = ScoreSheet.__table__
    result = db.session.execute(
        sa.update(table)
        .where(
            table.c.id == sheet.id,
            table.c.version == seen_version,
            table.c.state.in_(OPEN_STATES),
            who,
        )
        .values(version=table.c.version + 1, updated_at=utcnow(), **values)
    )
    if result.rowcount != 1:
        logger.info("sheet %s: stale update refused (version %s)", sheet.id, seen_version)
        raise SheetError(STALE, status=409)


def _save_marks(ct_id: int, sheet: ScoreSheet, values: dict[int, str], clerk_id: int) -> None:
    """Write the confirmed sheet's scores as the judge's marks, naming both clerks."""
    first = db.session.get(User, sheet.first_clerk_id).display_name
    second = db.session.get(User, clerk_id).display_name
    reason = f"double entry confirmed by {first}/{second}"
    for item_id, raw in sorted(values.items()):
        try:
            marks.save_score(
                ct_id,
                sheet.subject_id,
                item_id,
                judge_id=sheet.judge_id,
                value=rules.parse_score(raw),
                changed_by=clerk_id,
                source="sheet",
                reason=reason,
            )
        except marks.MarkingError as err:
            raise SheetError(err.reason, status=409) from None


def _log(sheet_id: int, clerk_id: int, event: str, state: str, version: int) -> None:
    """Record who did what to the sheet, and when, in the audit log (never the values)."""
    with audit.acting_as(clerk_id):
        audit.log_bulk(
            db.session,
            "create" if event == "first" else "update",
            ENTITY,
            [(sheet_id, {"event": event, "state": state, "version": version})],
        )
    logger.info("sheet %s: %s by user %s, now %s v%s", sheet_id, event, clerk_id, state, version)


def history(sheet_id: int) -> list[tuple]:
    """The sheet's events, oldest first, as (time, clerk's display name, event, version)."""
    rows = db.session.execute(
        select(AuditLog.at, User.display_name, AuditLog.changes)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(AuditLog.entity == ENTITY, AuditLog.entity_id == sheet_id)
        .order_by(AuditLog.at, AuditLog.id)
    )
    return [
        (row.at, row.display_name, row.changes["event"][1], row.changes["version"][1])
        for row in rows
    ]

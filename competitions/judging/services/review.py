"""The chief judge's view of a contest-trade's marks: flags, what blocks the lock, lock, unlock."""

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import func, select

from competitions.assessment.models import Subject, facts_of
from competitions.core.db import db, utcnow
from competitions.core.words import N_, Reason
from competitions.judging import rules, signals
from competitions.judging.models import (
    FlagResolution,
    JudgeItem,
    JudgeSubject,
    LockEvent,
    Mark,
    MarkingLock,
    PanelMember,
    SchemeItem,
    SchemePart,
    ScoreSheet,
    SubjectCode,
)
from competitions.judging.services.marks import MarkingError, save_score


@dataclass
class Flag:
    """A disagreement between judges on one item of one entry."""

    entry_id: int
    code: str
    item: SchemeItem
    scores: dict[int, Decimal]  # judge id → score
    spread: Decimal
    #: open, remark (a re-mark was asked for), or confirmed.
    state: str
    resolution: FlagResolution | None


def scores_key(scores: dict[int, Decimal]) -> str:
    """A stable text of the scores a decision was about ("judge:value;…")."""
    return ";".join(f"{judge}:{scores[judge].normalize()}" for judge in sorted(scores))


def _items(ct_id: int) -> dict[int, SchemeItem]:
    rows = db.session.scalars(
        select(SchemeItem).join(SchemePart).where(SchemePart.assessment_id == ct_id)
    )
    return {item.id: item for item in rows}


def _marked_entries(ct_id: int) -> dict[int, str]:
    """{entry id: code} of the entries being marked (code empty when not drawn yet)."""
    marked = facts_of(ct_id, marked_only=True).c
    rows = db.session.execute(
        select(marked.subject_id, SubjectCode.code).outerjoin(
            SubjectCode, SubjectCode.subject_id == marked.subject_id
        )
    )
    return {entry_id: code or "" for entry_id, code in rows}


def _scores(ct_id: int, entries: dict[int, str]) -> dict[tuple[int, int], dict[int, Decimal]]:
    """{(entry, item): {judge: score}} for the marked entries."""
    rows = db.session.execute(
        select(Mark.subject_id, Mark.item_id, Mark.judge_id, Mark.value)
        .join(SchemeItem, SchemeItem.id == Mark.item_id)
        .join(SchemePart)
        .where(SchemePart.assessment_id == ct_id)
    )
    out: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for entry_id, item_id, judge_id, value in rows:
        if entry_id in entries:
            out[(entry_id, item_id)][judge_id] = value
    return out


def _latest_resolutions(ct_id: int) -> dict[tuple[int, int], FlagResolution]:
    rows = db.session.scalars(
        select(FlagResolution)
        .join(SchemeItem, SchemeItem.id == FlagResolution.item_id)
        .join(SchemePart)
        .where(SchemePart.assessment_id == ct_id)
        .order_by(FlagResolution.id)
    )
    return {(r.subject_id, r.item_id): r for r in rows}


def flags(ct_id: int) -> list[Flag]:
    """Every (entry, item) whose judges disagree beyond the tolerance, with its state."""
    entries = _marked_entries(ct_id)
    items = _items(ct_id)
    resolutions = _latest_resolutions(ct_id)
    out = []
    for (entry_id, item_id), scores in _scores(ct_id, entries).items():
        item = items[item_id]
        spread = rules.disagreement(list(scores.values()), item.rule)
        if spread is None:
            continue
        resolution = resolutions.get((entry_id, item_id))
        state = "open"
        if resolution and resolution.scores_key == scores_key(scores):
            state = "confirmed" if resolution.action == "confirm" else "remark"
        out.append(Flag(entry_id, entries[entry_id], item, scores, spread, state, resolution))
    return sorted(out, key=lambda f: (f.code, f.item.position, f.item.id))


def lock_state(ct_id: int) -> rules.LockState:
    """What still blocks the lock: missing scores, unconfirmed sheets, unresolved flags."""
    entries = _marked_entries(ct_id)
    items = _items(ct_id)
    scores = _scores(ct_id, entries)
    assigned: dict[tuple[int, int], set[int]] = defaultdict(set)
    rows = db.session.execute(
        select(JudgeSubject.subject_id, JudgeItem.item_id, PanelMember.user_id)
        .join(JudgeItem, JudgeItem.member_id == JudgeSubject.member_id)
        .join(PanelMember, PanelMember.id == JudgeSubject.member_id)
        .where(PanelMember.assessment_id == ct_id)
    )
    for entry_id, item_id, judge_id in rows:
        assigned[(entry_id, item_id)].add(judge_id)
    unmarked = 0
    for entry_id in entries:
        for item_id, item in items.items():
            judges = assigned.get((entry_id, item_id), set())
            have = scores.get((entry_id, item_id), {})
            missing_assigned = len(judges - set(have))
            unmarked += max(missing_assigned, item.judges - len(have))
    sheets = db.session.scalar(
        select(func.count())
        .select_from(ScoreSheet)
        .join(Subject, Subject.id == ScoreSheet.subject_id)
        .where(Subject.assessment_id == ct_id, ScoreSheet.state != "confirmed")
    )
    open_flags = sum(1 for f in flags(ct_id) if f.state != "confirmed")
    return rules.LockState(unmarked=unmarked, unconfirmed_sheets=sheets, open_flags=open_flags)


def resolve(ct_id: int, entry_id: int, item_id: int, action: str, comment: str, user_id: int):
    """Record the chief judge's decision on a flag: confirm the scores, or ask for a re-mark."""
    resolve_many(ct_id, [(entry_id, item_id)], action, comment, user_id)


def resolve_many(
    ct_id: int, keys: list[tuple[int, int]], action: str, comment: str, user_id: int
) -> int:
    """Record one decision, with one comment, on several flags ((entry id, item id) each);
    returns how many. All or nothing: refuses (MarkingError) an empty choice, a missing comment
    or any key that is not a flag; every decision is kept (and logged) on its own.
    """
    if not comment.strip():
        raise MarkingError(Reason.of(N_("a comment is required")))
    if not keys:
        raise MarkingError(Reason.of(N_("choose at least one disagreement")))
    current = {(f.entry_id, f.item.id): f for f in flags(ct_id)}
    if any(key not in current for key in keys):
        raise MarkingError(Reason.of(N_("there is no disagreement on this item")))
    for entry_id, item_id in dict.fromkeys(keys):
        db.session.add(
            FlagResolution(
                subject_id=entry_id,
                item_id=item_id,
                action=action,
                comment=comment.strip(),
                scores_key=scores_key(current[(entry_id, item_id)].scores),
                resolved_by=user_id,
            )
        )
    db.session.flush()
    return len(dict.fromkeys(keys))


def _lock_row(ct_id: int) -> MarkingLock:
    row = db.session.scalar(
        select(MarkingLock).where(MarkingLock.assessment_id == ct_id).with_for_update()
    )
    if row is None:
        row = MarkingLock(assessment_id=ct_id, locked=False)
        db.session.add(row)
        db.session.flush()
    return row


def lock(ct_id: int, user_id: int) -> list[Reason]:
    """Lock the marks (签字确认); returns why not instead when something is still open."""
    row = _lock_row(ct_id)
    if row.locked:
        return [Reason.of(N_("the marks are already locked"))]
    problems = rules.lock_problems(lock_state(ct_id))
    if problems:
        return problems
    row.locked, row.locked_by, row.locked_at = True, user_id, utcnow()
    db.session.add(LockEvent(assessment_id=ct_id, action="lock", user_id=user_id))
    db.session.flush()
    return []


def _refuse_when_final(ct_id: int) -> None:
    """Final results stand for good: their marks are not reopened nor corrected (the results
    area answers ``signals.marks_may_change``)."""
    for reason in signals.refusals(ct_id):
        raise MarkingError(reason)


def unlock(ct_id: int, user_id: int, reason: str) -> None:
    """Unlock the marks; a written reason is required and kept (never once results are
    final)."""
    _refuse_when_final(ct_id)
    if len(reason.strip()) < 5:
        raise MarkingError(Reason.of(N_("write the reason for unlocking")))
    row = _lock_row(ct_id)
    if not row.locked:
        raise MarkingError(Reason.of(N_("the marks are not locked")))
    row.locked, row.locked_by, row.locked_at = False, None, None
    db.session.add(
        LockEvent(assessment_id=ct_id, action="unlock", user_id=user_id, reason=reason.strip())
    )
    db.session.flush()


def correct_mark(
    ct_id: int, code: str, item_id: int, judge_id: int, raw: str, reason: str, chief_id: int
) -> Decimal:
    """The chief judge corrects one judge's score while the marks are open (after an upheld
    appeal, say), with a written reason; the change is recorded as the chief judge's.

    Refuses (MarkingError) an unknown code, item or score, a value the item does not allow,
    a missing reason, and any change once the marks are locked or the results final.
    """
    _refuse_when_final(ct_id)
    entry_id = db.session.scalar(
        select(SubjectCode.subject_id).filter_by(assessment_id=ct_id, code=str(code).strip())
    )
    item = _items(ct_id).get(item_id)
    if entry_id is None or item is None:
        raise MarkingError(Reason.of(N_("no such anonymous code or item in this contest-trade")))
    current = db.session.scalar(
        select(Mark.value).filter_by(subject_id=entry_id, item_id=item_id, judge_id=judge_id)
    )
    if current is None:
        raise MarkingError(Reason.of(N_("this judge has no score on this item for this code")))
    if len(reason.strip()) < 5:
        raise MarkingError(Reason.of(N_("write the reason for the correction")))
    problem = rules.score_problem(raw, item.rule)
    if problem:
        raise MarkingError(problem)
    value = rules.parse_score(raw)
    save_score(ct_id, entry_id, item_id, judge_id, value, chief_id, "chief", reason.strip())
    return value

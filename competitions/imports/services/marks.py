"""Import marks from outside: theory marks by ID number, practical marks by anonymous code.

Every row is checked first (``imports.rules``); only when none has a problem are the marks
written, each through ``judging.services.marks.save_score`` (the judges' own service: the lock is
checked, the trail kept with the file's name as the reason). An imported item mark is written
as the score of every judge who marks that entry and item, so that any aggregation gives the
imported value and the lock finds nothing missing; with no judge, as the importer's score.
Nothing here commits: the task does.
"""

import logging
from collections import defaultdict
from dataclasses import dataclass
from functools import partial

from sqlalchemy import select

from competitions.core.db import db
from competitions.core.identity_rules import normalise_id_number
from competitions.core.words import N_, Reason
from competitions.imports.rules import (
    ITEM,
    MarkRow,
    MarkTarget,
    check_marks_together,
    check_practical_row,
    check_theory_row,
)
from competitions.imports.services import Outcome, Progress, _no_progress, check_rows, parsing
from competitions.imports.services import error_data as _error
from competitions.judging.models import (
    IMPORT_REASON,
    JudgeItem,
    JudgeSubject,
    Mark,
    MarkingLock,
    PanelMember,
    SchemeItem,
    SchemePart,
)
from competitions.judging.services.marks import save_score
from competitions.registry.models import MARKED_STATUSES, Entry, Person
from competitions.results.services import timing

logger = logging.getLogger(__name__)

PARTS = ("theory", "practical")


@dataclass
class MarksOutcome(Outcome):
    """What a marks import did: rows read, errors, or the marks and times it saved."""

    marks_saved: int = 0
    times_saved: int = 0

    def counts(self) -> dict:
        return {"rows": self.rows, "marks_saved": self.marks_saved, "times_saved": self.times_saved}


def _refused(reason: Reason, rows: int = 0) -> MarksOutcome:
    return MarksOutcome(rows, [_error(0, "", "", reason)])


def scheme_items(ct_id: int, part: str) -> list[SchemeItem]:
    """The items of the contest-trade's theory or practical part, in scheme order."""
    return list(
        db.session.scalars(
            select(SchemeItem)
            .join(SchemePart)
            .where(SchemePart.assessment_id == ct_id, SchemePart.kind == part)
            .order_by(SchemeItem.position, SchemeItem.id)
        )
    )


def part_items(ct_id: int, part: str) -> list[MarkTarget]:
    """The part's items as the import rules take them."""
    return [MarkTarget(i.id, i.code, i.rule) for i in scheme_items(ct_id, part)]


def people(ct_id: int) -> dict[str, tuple[int, str]]:
    """{ID number: (entry id, name)} of the contestants who sit this contest-trade's exams."""
    rows = db.session.execute(
        select(Person.id_number, Entry.id, Person.name)
        .join(Entry, Entry.person_id == Person.id)
        .where(Entry.contest_trade_id == ct_id, Entry.status.in_(MARKED_STATUSES))
    )
    return {normalise_id_number(number): (entry_id, name) for number, entry_id, name in rows}


def import_marks(
    ct_id: int,
    part: str,
    filename: str,
    data: bytes,
    user_id: int,
    progress: Progress = _no_progress,
) -> MarksOutcome:
    """Check every row of a marks file and, only if none has a problem, save them all (flush)."""
    # Read without taking the lock row (on SQLite a write here would block the progress
    # reports); every save checks the lock again, under it.
    if db.session.scalar(select(MarkingLock.locked).filter_by(assessment_id=ct_id)):
        return _refused(Reason.of(N_("the marks are locked by the chief judge")))
    items = part_items(ct_id, part)
    if not items:
        return _refused(Reason.of(N_("the marking scheme of this trade has no items in this part")))
    codes = tuple(i.code for i in items)
    layout = parsing.theory_layout(codes) if part == "theory" else parsing.practical_layout(codes)
    progress(0, 0, N_("Reading the file"))
    try:
        sheet = parsing.read_upload(filename, data, layout)
    except parsing.FileProblem as problem:
        return _refused(problem.reason)
    problem = _columns_problem(sheet, items)
    if problem:
        return _refused(problem, len(sheet.rows))
    total = len(sheet.rows)
    progress(0, total, N_("Checking rows"))
    good, errors = _check_rows(ct_id, part, sheet, items, progress)
    key_column = "id_number" if part == "theory" else "code"
    errors += check_marks_together(good, key_column)
    if errors:
        order = [key_column, "name", *(ITEM + c for c in codes), "time_used"]
        errors.sort(key=lambda e: (e.row, order.index(e.column) if e.column in order else 99))
        headers = sheet.headers
        return MarksOutcome(
            total,
            [_error(e.row, headers.get(e.column, e.column), e.value, e.reason) for e in errors],
        )
    progress(total, total, N_("Saving"))
    marks, times = save_rows(ct_id, good, user_id, IMPORT_REASON + filename[-200:])
    logger.info("marks import into ct %s (%s): %s marks, %s times", ct_id, part, marks, times)
    return MarksOutcome(total, marks_saved=marks, times_saved=times)


def _columns_problem(sheet: parsing.Sheet, items: list[MarkTarget]) -> Reason | None:
    """A theory part score stands for the part's one item; a file needs some marks column."""
    if "part_score" in sheet.headers:
        if len(items) != 1:
            return Reason.of(
                N_("the theory part has several items (%(codes)s): give one column per item"),
                codes=", ".join(i.code for i in items),
            )
        column = ITEM + items[0].code
        if column in sheet.headers:
            return Reason.of(
                N_("give the theory score or the column %(code)s, not both"), code=items[0].code
            )
        sheet.headers[column] = sheet.headers.pop("part_score")
        for _number, cells in sheet.rows:
            cells[column] = cells.pop("part_score")
    if not any(k.startswith(ITEM) or k == "time_used" for k in sheet.headers):
        return Reason.of(
            N_("the file has no marks column: add one column per item (%(codes)s)"),
            codes=", ".join(i.code for i in items),
        )
    return None


def _check_rows(ct_id: int, part: str, sheet, items, progress: Progress):
    if part == "theory":
        check = partial(check_theory_row, people=people(ct_id), items=items)
    else:
        check = partial(check_practical_row, codes=timing.entries_by_code(ct_id), items=items)
    return check_rows(sheet, check, progress)


def markers(ct_id: int) -> dict[tuple[int, int], set[int]]:
    """{(entry, item): judges} who mark it: assigned on the panel, or with a score already."""
    found: dict[tuple[int, int], set[int]] = defaultdict(set)
    assigned = db.session.execute(
        select(JudgeSubject.subject_id, JudgeItem.item_id, PanelMember.user_id)
        .join(JudgeItem, JudgeItem.member_id == JudgeSubject.member_id)
        .join(PanelMember, PanelMember.id == JudgeSubject.member_id)
        .where(PanelMember.assessment_id == ct_id)
    )
    scored = db.session.execute(
        select(Mark.subject_id, Mark.item_id, Mark.judge_id)
        .join(SchemeItem, SchemeItem.id == Mark.item_id)
        .join(SchemePart)
        .where(SchemePart.assessment_id == ct_id)
    )
    for entry_id, item_id, judge_id in [*assigned, *scored]:
        found[(entry_id, item_id)].add(judge_id)
    return found


def save_rows(ct_id: int, rows: list[MarkRow], user_id: int, reason: str) -> tuple[int, int]:
    """Write the rows' marks and times; returns (marks written, times written)."""
    judges = markers(ct_id)
    marks = times = 0
    for row in rows:
        for item_id, value in row.marks:
            for judge_id in sorted(judges.get((row.entry_id, item_id)) or {user_id}):
                save_score(ct_id, row.entry_id, item_id, judge_id, value, user_id, "import", reason)
            marks += 1
        if row.time_used is not None:
            timing.set_time_used(ct_id, row.entry_id, row.time_used)
            times += 1
    return marks, times

"""Time used (用时): the timekeeper types it per entry, by anonymous code, as marks are typed.

The entry's ``time_used_s`` is audited like every entry change (who, old → new); a time cannot
change once the marks are locked, like a mark.
"""

from dataclasses import dataclass

from sqlalchemy import select

from competitions.core.db import db
from competitions.core.words import N_, Reason
from competitions.judging import rules
from competitions.judging.models import SubjectCode
from competitions.judging.services.marks import MarkingError, is_locked
from competitions.registry.models import MARKED_STATUSES, Entry


@dataclass(frozen=True)
class TimedEntry:
    """An entry as the timekeeper sees it: code, station and time used (seconds), no name."""

    entry_id: int
    code: str
    station: int | None
    time_used_s: int | None


def timed_entries(ct_id: int) -> list[TimedEntry]:
    """The contest-trade's coded entries that sit the exam, by code, with their time used."""
    rows = db.session.execute(
        select(Entry.id, SubjectCode.code, SubjectCode.station, Entry.time_used_s)
        .join(SubjectCode, SubjectCode.subject_id == Entry.id)
        .where(Entry.contest_trade_id == ct_id, Entry.status.in_(MARKED_STATUSES))
        .order_by(SubjectCode.code)
    )
    return [TimedEntry(*row) for row in rows]


def entries_by_code(ct_id: int, codes: set[str] | None = None) -> dict[str, int]:
    """{anonymous code: entry id} of the entries that sit the exam (only ``codes`` if given)."""
    query = (
        select(SubjectCode.code, Entry.id)
        .join(Entry, Entry.id == SubjectCode.subject_id)
        .where(SubjectCode.assessment_id == ct_id, Entry.status.in_(MARKED_STATUSES))
    )
    if codes is not None:
        query = query.where(SubjectCode.code.in_(sorted(codes)))
    return {code: entry_id for code, entry_id in db.session.execute(query)}


def set_time_used(ct_id: int, entry_id: int, seconds: int) -> int | None:
    """Write an entry's time used (flush; the audit listener logs it); returns the old value.

    Refuses (MarkingError) once the contest-trade's marks are locked.
    """
    if is_locked(ct_id):
        raise MarkingError(Reason.of(N_("the marks are locked by the chief judge")))
    entry = db.session.get(Entry, entry_id)
    old = entry.time_used_s
    if old != seconds:
        entry.time_used_s = seconds
        db.session.flush()
    return old


def enter_time(ct_id: int, code: str, raw: str) -> tuple[int, bool]:
    """Save a time used typed for an anonymous code; returns it in seconds and whether the
    entry had none before.

    Refuses (MarkingError) an unknown code, a time the rule does not read, and any change once
    the marks are locked.
    """
    entry_id = entries_by_code(ct_id, {str(code)}).get(str(code))
    if entry_id is None:
        raise MarkingError(Reason.of(N_("no entry has the code %(code)s"), code=str(code)[:20]))
    problem = rules.time_used_problem(raw)
    if problem:
        raise MarkingError(problem)
    seconds = rules.parse_time_used(raw)
    return seconds, set_time_used(ct_id, entry_id, seconds) is None

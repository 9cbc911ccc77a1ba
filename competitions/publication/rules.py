"""Pure rules of publication: no Flask, no database, no clock (``now`` is always passed in).

Times are naive local datetimes of the contest's time zone; the caller converts.
``tests/publication/test_rules.py`` pins each rule with a table of cases.
"""

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from competitions.core.words import N_, Reason

STATES = ("draft", "notice", "final")
#: Allowed moves of a contest-trade's results: publish, finalise, and withdraw a notice.
TRANSITIONS = {("draft", "notice"), ("notice", "final"), ("notice", "draft")}


@dataclass(frozen=True)
class Calendar:
    """Which days are working days: Monday to Friday, less public holidays, plus the weekend
    days made working days (调休)."""

    holidays: frozenset[date] = frozenset()
    extra_workdays: frozenset[date] = frozenset()

    def is_working_day(self, day: date) -> bool:
        """Whether people work on ``day``."""
        if day in self.extra_workdays:
            return True
        return day.weekday() < 5 and day not in self.holidays


def notice_deadline(published: datetime, working_days: int, calendar: Calendar) -> datetime:
    """The end of public notice: the end (23:59:59) of the N-th working day after publication.

    Rule: counting starts the day after the results are published; only working days count;
    with N = 0 the notice ends at the end of the day of publication.
    """
    day, counted = published.date(), 0
    while counted < working_days:
        day += timedelta(days=1)
        if calendar.is_working_day(day):
            counted += 1
    return datetime.combine(day, time(23, 59, 59))


def onsite_appeal_until(contest_end: datetime, hours: int) -> datetime:
    """The end of on-site appeals: ``hours`` after the end of the contest (default 2 hours)."""
    return contest_end + timedelta(hours=hours)


@dataclass(frozen=True)
class AppealRequest:
    """What someone submits to appeal an entry's result."""

    real_name: str
    #: The name registered for the entry the appeal is about.
    entry_name: str
    reason: str
    onsite: bool = False


def appeal_problem(
    request: AppealRequest,
    state: str,
    now: datetime,
    deadline: datetime | None,
    onsite_until: datetime | None,
) -> Reason | None:
    """Why an appeal is refused, or None when it is accepted.

    Rule: appeals are accepted only while the results are under public notice and before its
    deadline (an on-site appeal: before the on-site window closes); they are written (a reason
    of at least 10 characters) and signed with the real name of the contestant they concern
    (anonymous or mismatched names are refused).
    """
    if state != "notice":
        return Reason.of(N_("appeals are accepted only while the results are under public notice"))
    closes = onsite_until if request.onsite else deadline
    if closes is not None and now > closes:
        return Reason.of(N_("the appeal period ended on %(when)s"), when=f"{closes:%Y-%m-%d %H:%M}")
    if not request.real_name.strip():
        return Reason.of(N_("anonymous appeals are not accepted: sign with your real name"))
    if request.real_name.strip() != request.entry_name.strip():
        return Reason.of(N_("the name does not match the contestant of this result"))
    if len(request.reason.strip()) < 10:
        return Reason.of(N_("write the reason for the appeal (at least 10 characters)"))
    return None


@dataclass(frozen=True)
class Objection:
    """What a member of the public sends against one line of a public notice (公示): a
    nominee of a selection, an awarded achievement of an innovation contest."""

    #: The result's subject the objection is about (None: none chosen).
    subject_id: int | None
    real_name: str
    contact: str
    text: str


#: An objection taken while the notice is not open.
OBJECTION_CLOSED = N_("objections are taken only while the results are under public notice")


def objection_problem(
    objection: Objection, state: str, open_until: datetime | None, listed: set[int]
) -> tuple[str, Reason] | None:
    """Why a public objection is refused, with the field it is about ("subject_id",
    "real_name", "contact", "reason": the objection form's; "" for the notice itself), or None
    when it is taken.

    Rule: an objection is taken only while the results are under public notice and before its
    deadline (``open_until``: the deadline, None once passed); it is about a line the notice
    lists (``listed``); it is signed with a real name, says how the arbitrator can reach the
    objector, and is written (at least 10 characters). The arbitrator then decides it as an
    appeal; while it is pending the results cannot become final.
    """
    if state != "notice" or open_until is None:
        return "", Reason.of(OBJECTION_CLOSED)
    if objection.subject_id not in listed:
        return "subject_id", Reason.of(N_("choose one of those listed in the notice"))
    if not objection.real_name.strip():
        return "real_name", Reason.of(N_("sign with your real name"))
    if not objection.contact.strip():
        return "contact", Reason.of(N_("say how the arbitrator can reach you"))
    if len(objection.text.strip()) < 10:
        return "reason", Reason.of(N_("write the objection (at least 10 characters)"))
    return None


def finalise_problem(
    state: str,
    pending_appeals: int,
    settled: bool = True,
    open_until: datetime | None = None,
) -> Reason | None:
    """Why results cannot become final now, or None.

    Rule: only results under public notice become final, never while the notice is still open
    (``open_until``: its deadline, when it has not passed; the results become final at the
    deadline by themselves), never while an appeal is undecided, and never while the marks are
    reopened (an upheld appeal) or the results not yet recomputed from the marks as last locked
    (``settled`` False): final results are never recomputed, so a correction would be lost.
    """
    if state != "notice":
        return Reason.of(N_("only results under public notice can become final"))
    if open_until is not None:
        return Reason.of(
            N_(
                "the public notice is open until %(when)s: the results become final at its "
                "deadline, by themselves, when nothing is pending"
            ),
            when=f"{open_until:%Y-%m-%d %H:%M}",
        )
    if pending_appeals:
        return Reason.of(N_("%(n)s appeals are not decided yet"), n=pending_appeals)
    if not settled:
        return Reason.of(
            N_(
                "the marks are reopened or not recomputed since the last lock: lock them and "
                "wait for the results"
            )
        )
    return None


def finalises_by_itself(
    state: str, now: datetime, deadline: datetime | None, pending: int, settled: bool = True
) -> bool:
    """Whether results become final without anyone acting: at the deadline, with no appeal
    pending and the marks settled (otherwise they wait for the arbitrator, the chief judge and
    the organiser)."""
    return finalise_problem(state, pending, settled) is None and (
        deadline is not None and now > deadline
    )


def transition_allowed(current: str, target: str) -> bool:
    """Whether results may move from ``current`` to ``target`` (draft → notice → final; a
    notice may be withdrawn to draft; final is final)."""
    return (current, target) in TRANSITIONS


def settled(locked: bool, locked_at: datetime | None, computed_at: datetime | None) -> bool:
    """Whether results stand on the marks as they are.

    Rule: the marks are locked, and the results were computed at or after the lock (not while
    an upheld appeal has the marks reopened, nor before the recompute that follows a lock). A
    lock without a time (older data) counts as before any computation.
    """
    return bool(
        locked and (locked_at is None or (computed_at is not None and computed_at >= locked_at))
    )

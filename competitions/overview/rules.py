"""Where a contest-trade stands and what to do next: a pure rule over counted facts.

No Flask, no database, no clock: the service counts the facts, ``tests/overview/test_rules.py``
pins the rule with a table of cases.
"""

from dataclasses import dataclass
from datetime import datetime

#: The stages in the order a contest-trade goes through them.
STAGES = (
    "registration",
    "scheme",
    "panel",
    "codes",
    "marking",
    "disagreements",
    "lock",
    "computing",
    "computed",
    "notice",
    "final",
    "certificates",
)


@dataclass(frozen=True)
class TradeFacts:
    """What is counted about one contest-trade (all counts over the entries being marked)."""

    entries: int
    scheme_items: int
    judges: int
    has_chief: bool
    codes: int
    cells_entered: int
    cells_expected: int
    open_disagreements: int
    locked: bool
    #: None (not computed), draft, notice or final.
    result_state: str | None = None
    #: Whether the results were computed after the last lock (not an older draft).
    computed_after_lock: bool = False
    notice_deadline: datetime | None = None
    pending_appeals: int = 0
    certificates: int = 0


@dataclass(frozen=True)
class Standing:
    """A contest-trade's stage and the one next action (a key; None when nothing is to do)."""

    stage: str
    action: str | None
    #: On a notice: whether its deadline has passed (it becomes final by itself then).
    deadline_passed: bool = False


def standing(facts: TradeFacts, now: datetime) -> Standing:
    """The stage a contest-trade is in and the one next action.

    Rule, first match wins: no entries → registration (register contestants); no scheme items
    → scheme (write the scheme); no judge or no chief judge → panel (appoint the panel); fewer
    codes than entries → codes (draw the codes); once locked, the results decide: final with
    certificates → certificates issued (nothing to do), final → issue the certificates, notice
    → decide the appeals while any are pending, else wait for the deadline (after it, make
    final), draft computed after the lock → publish, else computing (wait); before the lock:
    scores missing → marking (wait for the judges), open disagreements → disagreements
    (resolve them), else → lock (the chief judge locks). Results under notice or final stay
    in their stage even when an upheld appeal reopens the marks (then the chief judge locks).
    """
    if facts.entries == 0:
        return Standing("registration", "register")
    if facts.scheme_items == 0:
        return Standing("scheme", "scheme")
    if facts.judges == 0 or not facts.has_chief:
        return Standing("panel", "panel")
    if facts.codes < facts.entries:
        return Standing("codes", "codes")
    if facts.result_state in ("notice", "final") and not facts.locked:
        return Standing(facts.result_state, "lock")
    if facts.locked:
        published = _published(facts, now)
        if published:
            return published
    if not facts.locked:
        if facts.cells_entered < facts.cells_expected:
            return Standing("marking", None)
        if facts.open_disagreements:
            return Standing("disagreements", "resolve")
        return Standing("lock", "lock")
    if facts.result_state == "draft" and facts.computed_after_lock:
        return Standing("computed", "publish")
    return Standing("computing", None)


def _published(facts: TradeFacts, now: datetime) -> Standing | None:
    """The stage of results under notice or final, or None before publication."""
    if facts.result_state == "final":
        if facts.certificates:
            return Standing("certificates", None)
        return Standing("final", "issue")
    if facts.result_state == "notice":
        passed = facts.notice_deadline is not None and now > facts.notice_deadline
        if facts.pending_appeals:
            return Standing("notice", "appeals", passed)
        return Standing("notice", "finalise" if passed else None, passed)
    return None

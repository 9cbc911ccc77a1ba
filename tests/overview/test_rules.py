"""The overview's rule: a contest-trade's stage and its one next action, as a table of cases."""

from dataclasses import replace
from datetime import datetime

import pytest

from competitions.overview.rules import Standing, TradeFacts, standing

NOW = datetime(2026, 12, 10, 12, 0)
BEFORE, AFTER = datetime(2026, 12, 9, 23, 59, 59), datetime(2026, 12, 11, 23, 59, 59)

#: A contest-trade with everything before the lock done: 4 entries, scored, nothing open.
READY = TradeFacts(
    entries=4,
    scheme_items=2,
    judges=3,
    has_chief=True,
    codes=4,
    cells_entered=24,
    cells_expected=24,
    open_disagreements=0,
    locked=False,
)
LOCKED = replace(READY, locked=True)

CASES = [
    ("no entries", replace(READY, entries=0, codes=0), Standing("registration", "register")),
    ("no scheme", replace(READY, scheme_items=0), Standing("scheme", "scheme")),
    ("no judges", replace(READY, judges=0), Standing("panel", "panel")),
    ("no chief judge", replace(READY, has_chief=False), Standing("panel", "panel")),
    ("codes missing", replace(READY, codes=3), Standing("codes", "codes")),
    ("scores missing", replace(READY, cells_entered=20), Standing("marking", None)),
    (
        "disagreements open",
        replace(READY, open_disagreements=2),
        Standing("disagreements", "resolve"),
    ),
    ("ready to lock", READY, Standing("lock", "lock")),
    ("locked, not computed", LOCKED, Standing("computing", None)),
    (
        "locked, draft older than the lock",
        replace(LOCKED, result_state="draft"),
        Standing("computing", None),
    ),
    (
        "computed after the lock",
        replace(LOCKED, result_state="draft", computed_after_lock=True),
        Standing("computed", "publish"),
    ),
    (
        "under notice before the deadline",
        replace(LOCKED, result_state="notice", notice_deadline=AFTER),
        Standing("notice", None, False),
    ),
    (
        "under notice with an appeal pending",
        replace(LOCKED, result_state="notice", notice_deadline=AFTER, pending_appeals=1),
        Standing("notice", "appeals", False),
    ),
    (
        "deadline passed with nothing pending",
        replace(LOCKED, result_state="notice", notice_deadline=BEFORE),
        Standing("notice", "finalise", True),
    ),
    (
        "deadline passed, an appeal still pending",
        replace(LOCKED, result_state="notice", notice_deadline=BEFORE, pending_appeals=2),
        Standing("notice", "appeals", True),
    ),
    (
        "an upheld appeal reopened the marks",
        replace(READY, result_state="notice", notice_deadline=AFTER),
        Standing("notice", "lock"),
    ),
    ("final", replace(LOCKED, result_state="final"), Standing("final", "issue")),
    (
        "certificates issued",
        replace(LOCKED, result_state="final", certificates=5),
        Standing("certificates", None),
    ),
]


@pytest.mark.parametrize(("facts", "expected"), [c[1:] for c in CASES], ids=[c[0] for c in CASES])
def test_standing(facts, expected):
    assert standing(facts, NOW) == expected

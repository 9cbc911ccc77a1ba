"""The publication rules, each pinned by a table of cases (no app, no database, no clock)."""

from datetime import date, datetime

import pytest

from competitions.publication import rules
from competitions.publication.rules import AppealRequest, Calendar

# 2026-10-01..07: National Day holidays; 2026-10-10 (Saturday) a make-up working day.
GOLDEN_WEEK = Calendar(
    holidays=frozenset(date(2026, 10, d) for d in range(1, 8)),
    extra_workdays=frozenset({date(2026, 10, 10)}),
)


@pytest.mark.parametrize(
    ("published", "days", "calendar", "deadline"),
    [
        # Published on a Monday: five working days → the next Monday, end of day.
        (datetime(2026, 11, 16, 15, 0), 5, Calendar(), datetime(2026, 11, 23, 23, 59, 59)),
        # Published on a Friday evening: counting starts on Monday.
        (datetime(2026, 11, 20, 20, 0), 5, Calendar(), datetime(2026, 11, 27, 23, 59, 59)),
        # Over the National Day holidays, with the make-up Saturday counted.
        (datetime(2026, 9, 30, 10, 0), 5, GOLDEN_WEEK, datetime(2026, 10, 13, 23, 59, 59)),
        (datetime(2026, 11, 16, 9, 0), 0, Calendar(), datetime(2026, 11, 16, 23, 59, 59)),
        (datetime(2026, 11, 16, 9, 0), 1, Calendar(), datetime(2026, 11, 17, 23, 59, 59)),
    ],
)
def test_notice_deadline_counts_working_days(published, days, calendar, deadline):
    assert rules.notice_deadline(published, days, calendar) == deadline


def test_onsite_appeals_close_hours_after_the_contest():
    end = datetime(2026, 11, 16, 17, 0)
    assert rules.onsite_appeal_until(end, 2) == datetime(2026, 11, 16, 19, 0)


DEADLINE = datetime(2026, 11, 23, 23, 59, 59)
ONSITE = datetime(2026, 11, 16, 19, 0)
GOOD = AppealRequest("王芳", "王芳", "第三项测量结果与现场记录不一致，请复核。")


@pytest.mark.parametrize(
    ("request_", "state", "now", "msgid"),
    [
        (GOOD, "notice", datetime(2026, 11, 20, 9), None),
        (GOOD, "notice", datetime(2026, 11, 23, 23, 59), None),
        (GOOD, "notice", datetime(2026, 11, 24, 0, 0), "the appeal period ended on %(when)s"),
        (
            GOOD,
            "draft",
            datetime(2026, 11, 20, 9),
            "appeals are accepted only while the results are under public notice",
        ),
        (
            GOOD,
            "final",
            datetime(2026, 11, 20, 9),
            "appeals are accepted only while the results are under public notice",
        ),
        (
            AppealRequest(" ", "王芳", GOOD.reason),
            "notice",
            datetime(2026, 11, 20),
            "anonymous appeals are not accepted: sign with your real name",
        ),
        (
            AppealRequest("李强", "王芳", GOOD.reason),
            "notice",
            datetime(2026, 11, 20),
            "the name does not match the contestant of this result",
        ),
        (
            AppealRequest("王芳", "王芳", "不服"),
            "notice",
            datetime(2026, 11, 20),
            "write the reason for the appeal (at least 10 characters)",
        ),
        (
            AppealRequest("王芳", "王芳", GOOD.reason, onsite=True),
            "notice",
            datetime(2026, 11, 16, 18, 30),
            None,
        ),
        (
            AppealRequest("王芳", "王芳", GOOD.reason, onsite=True),
            "notice",
            datetime(2026, 11, 16, 19, 1),
            "the appeal period ended on %(when)s",
        ),
    ],
)
def test_appeals_are_written_signed_and_in_time(request_, state, now, msgid):
    problem = rules.appeal_problem(request_, state, now, DEADLINE, ONSITE)
    assert (problem.msgid if problem else None) == msgid


def test_a_late_appeal_says_when_the_period_ended():
    problem = rules.appeal_problem(GOOD, "notice", datetime(2026, 11, 25), DEADLINE, ONSITE)
    assert str(problem) == "the appeal period ended on 2026-11-23 23:59"


REOPENED = (
    "the marks are reopened or not recomputed since the last lock: lock them and wait for the "
    "results"
)


@pytest.mark.parametrize(
    ("state", "pending", "settled", "msgid"),
    [
        ("notice", 0, True, None),
        ("notice", 2, True, "%(n)s appeals are not decided yet"),
        ("notice", 0, False, REOPENED),
        ("notice", 1, False, "%(n)s appeals are not decided yet"),
        ("draft", 0, True, "only results under public notice can become final"),
        ("final", 0, True, "only results under public notice can become final"),
    ],
)
def test_final_is_refused_while_an_appeal_or_a_correction_is_open(state, pending, settled, msgid):
    problem = rules.finalise_problem(state, pending, settled)
    assert (problem.msgid if problem else None) == msgid


def test_final_is_refused_while_the_notice_is_open():
    problem = rules.finalise_problem("notice", 0, True, open_until=DEADLINE)
    assert str(problem).startswith("the public notice is open until 2026-11-23 23:59")
    problem = rules.finalise_problem("notice", 2, True, open_until=DEADLINE)
    assert problem.msgid.startswith("the public notice is open")
    assert rules.finalise_problem("notice", 0, True, open_until=None) is None


@pytest.mark.parametrize(
    ("state", "now", "pending", "settled", "final"),
    [
        ("notice", datetime(2026, 11, 24, 0, 0), 0, True, True),
        ("notice", datetime(2026, 11, 24, 0, 0), 1, True, False),  # waits for the arbitrator
        ("notice", datetime(2026, 11, 24, 0, 0), 0, False, False),  # a correction is open
        ("notice", datetime(2026, 11, 23, 12, 0), 0, True, False),  # not yet
        ("draft", datetime(2026, 11, 24, 0, 0), 0, True, False),
        ("final", datetime(2026, 11, 24, 0, 0), 0, True, False),  # already
    ],
)
def test_results_become_final_by_themselves_only_at_the_deadline_with_nothing_pending(
    state, now, pending, settled, final
):
    assert rules.finalises_by_itself(state, now, DEADLINE, pending, settled) is final


@pytest.mark.parametrize(
    ("current", "target", "ok"),
    [
        ("draft", "notice", True),
        ("notice", "final", True),
        ("notice", "draft", True),
        ("draft", "final", False),
        ("final", "notice", False),
        ("final", "draft", False),
    ],
)
def test_state_moves(current, target, ok):
    assert rules.transition_allowed(current, target) is ok


@pytest.mark.parametrize(
    ("locked", "locked_at", "computed_at", "stands"),
    [
        (True, datetime(2026, 5, 1, 9), datetime(2026, 5, 1, 9, 5), True),  # computed after
        (True, datetime(2026, 5, 1, 9), datetime(2026, 5, 1, 9), True),  # at the lock
        (True, datetime(2026, 5, 1, 9), datetime(2026, 5, 1, 8), False),  # recompute pending
        (False, datetime(2026, 5, 1, 9), datetime(2026, 5, 1, 10), False),  # reopened
        (True, None, datetime(2026, 5, 1, 10), True),  # a lock of older data, no time kept
        (True, datetime(2026, 5, 1, 9), None, False),  # never computed
    ],
)
def test_results_are_settled_on_locked_marks_computed_after_the_lock(
    locked, locked_at, computed_at, stands
):
    assert rules.settled(locked, locked_at, computed_at) is stands


SIGNED = rules.Objection(7, "张伟", "13800000000", "该成果在2019年已获同类奖项，属重复申报。")
LATER = datetime(2026, 11, 23, 23, 59, 59)


@pytest.mark.parametrize(
    ("objection", "state", "open_until", "expected"),
    [
        (SIGNED, "notice", LATER, None),
        (SIGNED, "draft", LATER, ("", rules.OBJECTION_CLOSED)),
        (SIGNED, "final", None, ("", rules.OBJECTION_CLOSED)),
        (SIGNED, "notice", None, ("", rules.OBJECTION_CLOSED)),  # the deadline has passed
        (
            rules.Objection(8, "张伟", "138", "该成果在2019年已获同类奖项。"),
            "notice",
            LATER,
            ("subject_id", "choose one of those listed in the notice"),
        ),
        (
            rules.Objection(None, "张伟", "138", "该成果在2019年已获同类奖项。"),
            "notice",
            LATER,
            ("subject_id", "choose one of those listed in the notice"),
        ),
        (
            rules.Objection(7, "  ", "138", "该成果在2019年已获同类奖项。"),
            "notice",
            LATER,
            ("real_name", "sign with your real name"),
        ),
        (
            rules.Objection(7, "张伟", "", "该成果在2019年已获同类奖项。"),
            "notice",
            LATER,
            ("contact", "say how the arbitrator can reach you"),
        ),
        (
            rules.Objection(7, "张伟", "138", "重复申报。"),
            "notice",
            LATER,
            ("reason", "write the objection (at least 10 characters)"),
        ),
    ],
)
def test_a_public_objection_is_signed_reachable_written_and_in_time(
    objection, state, open_until, expected
):
    problem = rules.objection_problem(objection, state, open_until, {7, 9})
    assert (problem and (problem[0], problem[1].msgid)) == expected

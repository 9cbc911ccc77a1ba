"""The audit log's words: a table of logged changes and how people read them."""

import pytest
from flask_babel import force_locale

from competitions.core.audit_words import change_text

CASES = [
    ("result_set", "update", "state", ["draft", "notice"], "State: Draft → Under public notice"),
    (
        "result_set",
        "update",
        "notice_deadline",
        [None, "2026-11-27T23:59:59"],
        "Public notice until: — → November 27, 2026 23:59",
    ),  # kept in local time
    (
        "entry",
        "create",
        "created_at",
        [None, "2026-11-20T07:30:00"],
        "Created at: November 20, 2026 15:30",
    ),  # kept in UTC, shown in Beijing time
    (
        "contest",
        "update",
        "starts_on",
        ["2018-07-09", "2018-07-10"],
        "Starts on: July 9, 2018 → July 10, 2018",
    ),
    ("person", "update", "phone", ["", "13900000000"], "Phone: — → 13900000000"),
    ("entry", "update", "status", ["registered", "withdrawn"], "Status: Registered → Withdrawn"),
    ("certificate", "create", "award", [None, "third"], "Award: Third prize"),
    ("lock_event", "create", "action", [None, "unlock"], "Action: Unlocked"),
    ("appeal", "update", "onsite", [False, True], "On site: No → Yes"),
    ("contest_trade", "update", "theory_weight", ["30.00", "20.00"], "Theory weight (%): 30 → 20"),
    (
        "contest_trade",
        "update",
        "tie_breaks",
        ["practical,time,theory", "theory"],
        "Tie-break chain: Practical score (higher first) → Time used (less first) → Theory "
        "score (higher first) → Theory score (higher first)",
    ),
    (
        "result_set",
        "update",
        "undecided",
        [{"medal_places": [[1, 2]]}, {"medal_places": []}],
        "Ties to decide: Medal places: 2 entries → Medal places: —",
    ),
    ("contest", "delete", "name", ["旧名", None], "Name: 旧名"),
]


@pytest.mark.parametrize(("entity", "action", "column", "pair", "text"), CASES)
def test_changes_in_peoples_words(app, entity, action, column, pair, text):
    with force_locale("en"):
        assert change_text(entity, action, column, pair) == text


def test_chinese_labels(app):
    with force_locale("zh_Hans_CN"):
        assert change_text("certificate", "create", "award", [None, "third"]).endswith("三等奖")

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


def _audited_tables():
    from competitions import models  # noqa: F401  (every model mapped)
    from competitions.core.db import db

    for mapper in db.Model.registry.mappers:
        if getattr(mapper.class_, "__audited__", False):
            yield mapper


def test_every_audited_column_has_a_word():
    """A column the trail logs is named in people's words, never by its raw name."""
    from competitions.core.audit_words import FIELD_LABELS, HIDDEN

    missing = sorted(
        f"{mapper.local_table.name}.{attr.key}"
        for mapper in _audited_tables()
        for attr in mapper.column_attrs
        if attr.columns[0].info.get("audited") is not False
        and attr.columns[0] is not mapper.polymorphic_on
        and attr.key not in HIDDEN
        and attr.key not in FIELD_LABELS
    )
    assert missing == []


def test_every_coded_column_of_the_trail_has_labels():
    """A column holding codes (a CHECK … IN list) shows each code as a label, not the code."""
    import re

    from competitions.core.audit_words import VALUE_LABELS

    missing = []
    for mapper in _audited_tables():
        table = mapper.local_table
        for constraint in table.constraints:
            found = re.match(r"\s*\"?(\w+)\"? IN \((.*)\)", str(getattr(constraint, "sqltext", "")))
            if not found:
                continue
            column, codes = found[1], re.findall(r"'([^']*)'", found[2])
            labels = VALUE_LABELS.get((table.name, column)) or VALUE_LABELS.get(column) or {}
            missing += [f"{table.name}.{column}={code}" for code in codes if code not in labels]
    assert missing == []

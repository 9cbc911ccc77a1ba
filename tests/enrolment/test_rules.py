"""The enrolment rules, each pinned by a table of cases (no app, no database)."""

from datetime import datetime

import pytest

from competitions.enrolment import rules
from competitions.enrolment.rules import Quota

OPENS, CLOSES = datetime(2026, 3, 1, 9, 0), datetime(2026, 3, 15, 17, 0)
JPEG, PNG, PDF = b"\xff\xd8\xff\xe0" + b"x" * 20, b"\x89PNG\r\n\x1a\n" + b"x" * 20, b"%PDF-1.7\n"
EXE = b"MZ\x90\x00" + b"x" * 20


@pytest.mark.parametrize(
    ("opens", "closes", "now", "state"),
    [
        (None, None, datetime(2026, 3, 5), "unset"),
        (OPENS, CLOSES, datetime(2026, 2, 28, 23, 59), "before"),
        (OPENS, CLOSES, OPENS, "open"),  # the opening minute is in
        (OPENS, CLOSES, datetime(2026, 3, 15, 16, 59), "open"),
        (OPENS, CLOSES, CLOSES, "closed"),  # the closing minute is out
        (OPENS, None, datetime(2030, 1, 1), "open"),  # no end: open for good
        (None, CLOSES, datetime(2020, 1, 1), "open"),  # no start: open already
        (None, CLOSES, datetime(2026, 4, 1), "closed"),
    ],
)
def test_window_state(opens, closes, now, state):
    assert rules.window_state(opens, closes, now) == state


@pytest.mark.parametrize(
    ("quota", "used", "left"),
    [(None, 7, None), (3, 0, 3), (3, 2, 1), (3, 3, 0), (3, 5, 0), (0, 0, 0)],
)
def test_quota_left(quota, used, left):
    assert rules.quota_left(quota, used) == left


UNIT_FULL = "the unit's quota of this trade is used up (%(used)s of %(limit)s)"
TEAM_FULL = "the delegation's quota of this trade is used up (%(used)s of %(limit)s)"


@pytest.mark.parametrize(
    ("window", "unit", "team", "msgids"),
    [
        ("open", None, None, []),
        ("open", Quota(3, 2), None, []),
        ("open", Quota(3, 3), None, [UNIT_FULL]),
        ("open", Quota(None, 50), None, []),  # no limit
        ("open", None, Quota(5, 5), [TEAM_FULL]),
        ("open", Quota(3, 3), Quota(1, 1), [UNIT_FULL, TEAM_FULL]),
        ("closed", Quota(3, 0), None, ["the registration window is closed"]),
        ("before", None, None, ["the registration window is not open yet"]),
        ("unset", None, None, ["the registration window is not set yet"]),
        ("closed", Quota(3, 3), None, ["the registration window is closed", UNIT_FULL]),
    ],
)
def test_registration_problems(window, unit, team, msgids):
    assert [r.msgid for r in rules.registration_problems(window, unit, team)] == msgids


@pytest.mark.parametrize(
    ("data", "content_type"),
    [(JPEG, "image/jpeg"), (PNG, "image/png"), (PDF, "application/pdf"), (EXE, None),
     (b"GIF89a", None), (b"", None), (b"<html>%PDF-", None)],
)  # fmt: skip
def test_sniff_type_reads_the_content(data, content_type):
    assert rules.sniff_type(data) == content_type


PHOTO_ONLY = "a photo must be a JPEG or PNG image (this file is not one)"
PROOF_ONLY = "proof must be a PDF, JPEG or PNG file (this file is none of them)"


@pytest.mark.parametrize(
    ("kind", "data", "msgid"),
    [
        ("photo", JPEG, None),
        ("photo", PNG, None),
        ("photo", PDF, PHOTO_ONLY),  # a PDF is no photo
        ("photo", EXE, PHOTO_ONLY),  # a renamed .exe
        ("employment", PDF, None),
        ("employment", JPEG, None),
        ("employment", EXE, PROOF_ONLY),
        ("photo", b"", "the file is empty"),
        ("photo", JPEG + b"x" * rules.MAX_ATTACHMENT_BYTES, "the file is larger than %(mb)s MB"),
    ],
)
def test_attachment_problem(kind, data, msgid):
    problem = rules.attachment_problem(kind, data)
    assert (problem.msgid if problem else None) == msgid


@pytest.mark.parametrize(
    ("photo", "employment", "has", "missing"),
    [
        (False, False, set(), []),
        (True, False, set(), ["photo"]),
        (True, True, {"photo"}, ["employment"]),
        (True, True, {"photo", "employment"}, []),
        (False, True, {"photo"}, ["employment"]),
    ],
)
def test_missing_proof(photo, employment, has, missing):
    assert rules.missing_proof(photo, employment, has) == missing


@pytest.mark.parametrize(
    ("minimum", "in_field", "short"),
    [(None, 0, False), (30, 29, True), (30, 30, False), (1, 0, True), (5, 8, False)],
)
def test_below_field_size(minimum, in_field, short):
    assert rules.below_field_size(minimum, in_field) is short


PARENTS = {1: None, 2: 1, 3: 2, 4: None, 5: 5}  # 1 > 2 > 3; 4 alone; 5 its own parent


@pytest.mark.parametrize(
    ("unit", "root", "inside"),
    [(1, 1, True), (3, 1, True), (3, 2, True), (1, 2, False), (4, 1, False), (None, 1, False),
     (5, 1, False)],
)  # fmt: skip
def test_in_subtree(unit, root, inside):
    assert rules.in_subtree(unit, root, PARENTS) is inside


@pytest.mark.parametrize(
    ("status", "apart", "counts"),
    [
        ("draft", False, True),
        ("submitted", False, True),
        ("returned", False, True),
        ("approved", False, True),
        ("registered", False, True),
        ("withdrawn", False, False),
        ("approved", True, False),  # 不计名次 uses no slot
        ("draft", True, False),
    ],
)
def test_who_takes_a_place_of_the_quota(status, apart, counts):
    assert rules.counts_against_quota(status, apart) is counts

"""The rules of two-layer encryption (二次加密), each pinned by a table of cases (no app, no
database): who may draw which layer, when a layer can be drawn, when the setting may change,
who may be an encryption officer, and when decoding (解密) and the one-step list open."""

import pytest

from competitions.judging import rules

A, B, C = 1, 2, 3  # three encryption officers (user ids)
FIRST, SECOND = rules.FIRST_LAYER, rules.SECOND_LAYER
NONE, STEP1, BOTH = frozenset(), frozenset({"decode1"}), frozenset({"decode1", "decode2"})


@pytest.mark.parametrize(
    ("layer", "officer", "other_layer_drawn_by", "drawn_by", "refused"),
    [
        (FIRST, A, None, None, None),  # nothing drawn: anyone may start
        (FIRST, A, None, A, None),  # their own layer: add to it, read it
        (SECOND, B, A, None, None),  # another officer takes the second layer
        (SECOND, B, A, B, None),
        (SECOND, A, A, None, "you drew the first layer"),  # the same officer: refused
        (FIRST, B, B, A, "you drew the second layer"),  # the second layer's officer
        (FIRST, C, B, A, "another encryption officer drew this layer"),  # a third officer
        (SECOND, C, A, B, "another encryption officer drew this layer"),
        (FIRST, B, None, A, "another encryption officer drew this layer"),
    ],
)
def test_two_different_officers_each_hold_their_own_layer(
    layer, officer, other_layer_drawn_by, drawn_by, refused
):
    reason = rules.may_draw(layer, officer, other_layer_drawn_by, drawn_by)
    if refused is None:
        assert reason is None
    else:
        assert reason is not None and str(reason).startswith(refused)


@pytest.mark.parametrize(
    ("layer", "two_layer", "locked", "first_numbers", "refused"),
    [
        (FIRST, True, False, 0, None),
        (FIRST, True, False, 12, None),  # more entries since: the new ones get a number
        (SECOND, True, False, 12, None),
        (SECOND, True, False, 0, "the first layer (the check-in numbers) is not drawn yet"),
        (FIRST, False, False, 0, "two-layer encryption is off for this trade"),
        (SECOND, False, False, 5, "two-layer encryption is off for this trade"),
        (FIRST, True, True, 0, "the marks are locked by the chief judge"),
        (SECOND, True, True, 5, "the marks are locked by the chief judge"),
    ],
)
def test_a_layer_is_drawn_while_on_and_open_the_second_over_the_first(
    layer, two_layer, locked, first_numbers, refused
):
    reason = rules.layer_problem(layer, two_layer, locked, first_numbers)
    assert (None if reason is None else str(reason)) == refused


@pytest.mark.parametrize(
    ("codes_drawn", "locked", "refused"),
    [
        (0, False, None),
        (1, False, "codes are drawn already: the setting can no longer change"),
        (0, True, "the marks are locked by the chief judge"),
        (3, True, "the marks are locked by the chief judge"),
    ],
)
def test_the_setting_changes_only_before_any_code_is_drawn(codes_drawn, locked, refused):
    reason = rules.switch_problem(codes_drawn, locked)
    assert (None if reason is None else str(reason)) == refused


@pytest.mark.parametrize(
    ("two_layer", "refused"),
    [(False, False), (True, True)],
)
def test_the_organiser_draws_in_one_step_only_without_two_layers(two_layer, refused):
    assert (rules.one_step_draw_problem(two_layer) is not None) is refused


@pytest.mark.parametrize(
    ("roles", "refused"),
    [
        ({"encryption_officer"}, False),
        ({"encryption_officer", "check_in"}, False),
        ({"encryption_officer", "arbitrator"}, False),
        ({"encryption_officer", "organiser"}, True),
        ({"encryption_officer", "chief_judge"}, True),
        ({"encryption_officer", "judge"}, True),
        ({"encryption_officer", "clerk"}, True),
    ],
)
def test_an_officer_holds_no_duty_that_reads_marks_codes_or_people(roles, refused):
    assert (rules.officer_problem(roles) is not None) is refused


@pytest.mark.parametrize(
    ("step", "locked", "done", "refused"),
    [
        ("decode1", False, NONE, "decoding opens after the chief judge locks the marks"),
        ("decode2", False, STEP1, "decoding opens after the chief judge locks the marks"),
        ("decode1", True, NONE, None),
        ("decode2", True, NONE, "decode the secret codes to check-in numbers first"),
        ("decode2", True, STEP1, None),
        ("decode1", True, BOTH, None),  # looking again is allowed (and logged again)
        ("decode2", True, frozenset({"page"}), "decode the secret codes to check-in numbers first"),
    ],
)
def test_decoding_after_the_lock_layer_by_layer(step, locked, done, refused):
    reason = rules.decode_problem(step, locked, done)
    assert (None if reason is None else str(reason)) == refused


@pytest.mark.parametrize(
    ("two_layer", "locked", "done", "open_"),
    [
        (False, False, NONE, False),
        (False, True, NONE, True),  # one layer: the list opens at the lock
        (True, False, BOTH, False),
        (True, True, NONE, False),  # two layers: not before decoding
        (True, True, STEP1, False),
        (True, True, BOTH, True),
    ],
)
def test_the_one_step_list_never_skips_the_decoding(two_layer, locked, done, open_):
    assert rules.names_open(two_layer, locked, done) is open_

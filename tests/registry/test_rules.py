"""The registration rules, each pinned by a table of cases (no app, no database)."""

from datetime import date
from decimal import Decimal

import pytest

from competitions.core import identity_rules
from competitions.registry import rules
from competitions.registry.rules import Eligibility, PersonFacts

# 11010519491231002X is the worked example of GB 11643-1999.
VALID = "11010519491231002X"


@pytest.mark.parametrize(
    ("number", "birth"),
    [
        ("11010519491231002X", date(1949, 12, 31)),
        ("11010519491231002x", date(1949, 12, 31)),  # a lower-case x is accepted
        (" 110105 19491231 002X ", date(1949, 12, 31)),  # spaces are ignored
        (
            "370102199003071234"[:17] + rules.resident_id_check_char("37010219900307123"),
            date(1990, 3, 7),
        ),
    ],
)
def test_valid_resident_ids_give_their_birth_date(number, birth):
    assert rules.parse_resident_id(number) == birth


@pytest.mark.parametrize(
    ("number", "msgid"),
    [
        ("110105194912310021", "check digit is wrong (expected %(c)s)"),
        ("11010519491231002", "must be 18 characters, got %(n)s"),
        ("1101051949123100211", "must be 18 characters, got %(n)s"),
        ("11010519491231A02X", "must be 17 digits followed by a digit or X"),
        ("", "must be 18 characters, got %(n)s"),
        # 1949-02-30 does not exist; the check digit is right for those digits.
        (
            "11010519490230002" + rules.resident_id_check_char("11010519490230002"),
            "the birth date it contains is not a real date",
        ),
    ],
)
def test_invalid_resident_ids_say_why(number, msgid):
    with pytest.raises(rules.IdNumberError) as err:
        rules.parse_resident_id(number)
    assert err.value.reason.msgid == msgid


def test_check_digit_error_names_the_expected_character():
    with pytest.raises(rules.IdNumberError) as err:
        rules.parse_resident_id("110105194912310021")
    assert str(err.value) == "check digit is wrong (expected X)"


@pytest.mark.parametrize(
    ("number", "gender"),
    [(VALID, "F"), ("11010519491231001" + rules.resident_id_check_char("11010519491231001"), "M")],
)
def test_gender_comes_from_the_17th_digit(number, gender):
    assert rules.gender_from_resident_id(number) == gender


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("370102199003071234", "3701**********1234"),
        ("E12345678", "E123*5678"),
        ("12345678", "******78"),
        ("AB", "AB"),
    ],
)
def test_masking_keeps_only_the_ends(raw, masked):
    assert identity_rules.mask_id_number(raw) == masked


@pytest.mark.parametrize(
    ("raw", "masked"),
    [
        ("13812345678", "138****5678"),
        ("138 1234 5678", "138****5678"),
        ("0531-88886666", "053*****6666"),
        ("+8613812345678", "+86*******5678"),
        ("12345678", "******78"),
        ("", ""),
    ],
)
def test_phone_masking_keeps_the_first_3_and_last_4(raw, masked):
    assert identity_rules.mask_phone(raw) == masked


@pytest.mark.parametrize(
    ("child", "parent", "ok"),
    [
        ("enterprise", "county", True),
        ("enterprise", "national", True),
        ("city", "province", True),
        ("city", "industry", True),
        ("province", "national", True),
        ("industry", "national", True),
        ("province", "industry", False),  # same level
        ("province", "city", False),
        ("city", "city", False),
        ("national", "national", False),
        ("county", "enterprise", False),
    ],
)
def test_a_contest_feeds_only_a_higher_tier(child, parent, ok):
    assert rules.can_feed(child, parent) is ok


@pytest.mark.parametrize(
    ("theory", "practical", "ok"),
    [
        ("30", "70", True),
        ("20", "80", True),
        ("0", "100", True),
        ("30.5", "69.5", True),
        ("30", "60", False),
        ("50", "60", False),
        ("-10", "110", False),
    ],
)
def test_weights_add_up_to_100(theory, practical, ok):
    assert rules.weights_sum_to_100(Decimal(theory), Decimal(practical)) is ok


@pytest.mark.parametrize(
    ("birth", "on", "age"),
    [
        (date(2000, 5, 10), date(2016, 5, 10), 16),  # birthday on the day counts
        (date(2000, 5, 11), date(2016, 5, 10), 15),
        (date(2000, 2, 29), date(2017, 2, 28), 16),
        (date(2000, 2, 29), date(2017, 3, 1), 17),
    ],
)
def test_age_on_a_date(birth, on, age):
    assert rules.age_on(birth, on) == age


RULE = Eligibility(min_age=16, max_age=60, reference_date=date(2019, 5, 10))


@pytest.mark.parametrize(
    ("birth", "msgid"),
    [
        (date(2003, 5, 10), None),  # 16 on the day
        (date(2003, 5, 11), "age %(age)s on %(on)s is below the minimum %(min)s"),
        (date(1958, 5, 11), None),  # 60
        (date(1958, 5, 10), "age %(age)s on %(on)s is above the maximum %(max)s"),  # 61
    ],
)
def test_eligibility_by_age_on_the_reference_date(birth, msgid):
    problem = rules.eligibility_problem(RULE, birth)
    assert (problem.msgid if problem else None) == msgid


def test_eligibility_reason_reads_in_plain_words():
    assert str(rules.eligibility_problem(RULE, date(2004, 1, 1))) == (
        "age 15 on 2019-05-10 is below the minimum 16"
    )


@pytest.mark.parametrize(
    ("facts", "fields"),
    [
        (PersonFacts("王芳", None, None, "resident", VALID), set()),
        (PersonFacts("王芳", "F", date(1949, 12, 31), "resident", VALID), set()),
        (PersonFacts("王芳", "M", None, "resident", VALID), {"gender"}),
        (PersonFacts("王芳", None, date(1950, 1, 1), "resident", VALID), {"birth_date"}),
        (PersonFacts("王芳", None, None, "resident", "110105194912310021"), {"id_number"}),
        (PersonFacts(" ", None, None, "resident", VALID), {"name"}),
        (PersonFacts("王芳", None, None, "resident", ""), {"id_number"}),
        (PersonFacts("John", None, None, "passport", "E1234567"), {"birth_date", "gender"}),
        (PersonFacts("John", "M", date(1990, 1, 1), "passport", "E1234567"), set()),
    ],
)
def test_person_problems_by_field(facts, fields):
    assert set(rules.person_problems(facts)) == fields


def test_complete_person_fills_birth_and_gender_from_the_id():
    done = rules.complete_person(PersonFacts(" 王芳 ", None, None, "resident", VALID.lower()))
    assert (done.name, done.gender, done.birth_date, done.id_number) == (
        "王芳",
        "F",
        date(1949, 12, 31),
        VALID,
    )


@pytest.mark.parametrize(
    ("node", "parent", "tree", "cycle"),
    [
        (1, None, {1: None, 2: 1}, False),
        (1, 2, {1: None, 2: 1}, True),  # under its own child
        (1, 1, {1: None}, True),  # under itself
        (3, 2, {1: None, 2: 1, 3: None}, False),
        (1, 3, {1: None, 2: 1, 3: 2}, True),  # under its grandchild
    ],
)
def test_unit_tree_refuses_loops(node, parent, tree, cycle):
    assert rules.would_make_cycle(node, parent, tree) is cycle


@pytest.mark.parametrize(
    ("mode", "numbers", "ok"),
    [
        ("proportion", [10, 20, 30], True),
        ("proportion", [50, 40, 20], False),
        ("proportion", [10, 20, 30, 40], False),
        ("fixed", [1, 2, 3], True),
        ("fixed", [2, 4, 6], True),
        ("fixed", [], False),
        ("bands", [5, 20], True),
        ("bands", [20, 5], False),
        ("medals", [], True),
    ],
)
def test_award_numbers_fit_their_mode(mode, numbers, ok):
    assert (rules.award_numbers_problem(mode, numbers) is None) is ok


@pytest.mark.parametrize(
    ("text", "numbers"), [("10,20,30", [10, 20, 30]), ("1， 2， 3", [1, 2, 3]), ("5", [5])]
)
def test_number_lists_parse(text, numbers):
    assert rules.parse_number_list(text) == numbers


@pytest.mark.parametrize("text", ["", "a,b", "1,,2", "1.5"])
def test_bad_number_lists_are_refused(text):
    with pytest.raises(ValueError):
        rules.parse_number_list(text)


@pytest.mark.parametrize(
    ("keys", "ok"),
    [
        (["practical", "time", "theory"], True),
        (["theory"], True),
        ([], True),
        (["practical", "practical"], False),
        (["speed"], False),
    ],
)
def test_tie_break_chain(keys, ok):
    assert (rules.tie_break_problem(keys, ("practical", "time", "theory")) is None) is ok


@pytest.mark.parametrize(
    ("value", "formula"),
    [("=SUM(A1:A2)", True), ("=1+1", True), ("王芳", False), (12, False), (None, False)],
)
def test_formula_cells(value, formula):
    assert rules.cell_is_formula(value) is formula


CONTROL = "must not contain control characters such as tabs or line breaks"
BIDI = "must not contain characters that turn the direction of the text"
FORMULA = "must not begin with %(char)s: a spreadsheet would run it as a formula"


@pytest.mark.parametrize(
    ("name", "msgid"),
    [
        ("王芳", None),
        ("欧阳 明", None),
        ("Jean-Luc O'Neill", None),  # a hyphen inside is fine
        ("阿卜杜拉·买买提", None),
        ("济南第二机床厂（集团）", None),
        ("王\t芳", CONTROL),
        ("王芳\n", CONTROL),
        ("王\x1b[31m芳", CONTROL),
        ("王\x7f芳", CONTROL),
        ("王\x85芳", CONTROL),  # C1 control
        ("王芳\u202egpj.exe", BIDI),  # right-to-left override
        ("\u202a王芳\u202c", BIDI),
        ("王\u2067芳\u2069", BIDI),  # isolates
        ("王\u200f芳", BIDI),  # right-to-left mark
        ('=HYPERLINK("http://x","王芳")', FORMULA),
        ("+86 王芳", FORMULA),
        ("-2+3", FORMULA),
        ("@SUM(A1)", FORMULA),
        ("  =1+1", FORMULA),  # spaces first do not hide it
    ],
)
def test_what_can_be_a_name(name, msgid):
    problem = rules.name_problem(name)
    assert (problem.msgid if problem else None) == msgid


def test_a_formula_name_says_which_character():
    assert rules.name_problem("@王芳").params == (("char", "@"),)


@pytest.mark.parametrize(
    ("name", "fields"),
    [("王\u202e芳", {"name"}), ("=王芳", {"name"}), ("王芳", set())],
)
def test_a_persons_name_is_checked_like_any_name(name, fields):
    assert set(rules.person_problems(PersonFacts(name, None, None, "resident", VALID))) == fields


@pytest.mark.parametrize(
    ("registrar", "organised", "entered_in", "refused_naming"),
    [
        (True, set(), {1: "省赛", 2: "市赛"}, None),  # the keeper of the registers
        (True, set(), {}, None),
        (False, {1, 2}, {1: "省赛", 2: "市赛"}, None),  # organises every contest
        (False, {1}, {1: "省赛"}, None),
        (False, {1}, {1: "省赛", 2: "市赛"}, "市赛"),  # another organiser's contest
        (False, {3}, {1: "省赛", 2: "市赛"}, "市赛、省赛"),
        (False, set(), {}, ""),  # in no contest: registrars only
    ],
)
def test_who_may_edit_a_person(registrar, organised, entered_in, refused_naming):
    problem = rules.person_edit_problem(registrar, organised, entered_in)
    if refused_naming is None:
        assert problem is None
    else:
        assert problem is not None and refused_naming in str(problem)


@pytest.mark.parametrize(
    ("current", "settable"),
    [
        (None, ("registered", "approved", "withdrawn", "disqualified", "absent")),
        ("registered", ("registered", "approved", "withdrawn", "disqualified", "absent")),
        ("absent", ("registered", "approved", "withdrawn", "disqualified", "absent")),
        ("draft", ("draft",)),
        ("submitted", ("submitted",)),
        ("returned", ("returned",)),
        ("recommended", ("recommended",)),
    ],
)
def test_statuses_an_organiser_sets_by_hand(current, settable):
    assert rules.settable_statuses(current) == settable

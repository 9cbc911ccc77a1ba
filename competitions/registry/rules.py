"""Pure rules of registration: no Flask, no database, no clock.

Each function states its rule in the docstring; ``tests/registry/test_rules.py`` pins it with a
table of cases.
"""

import re
import unicodedata
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from itertools import pairwise

from competitions.core.identity_rules import normalise_id_number
from competitions.core.words import N_, Reason

#: The tiers from the bottom up; industry contests stand at the province's level.
TIER_LEVEL = {
    "enterprise": 1,
    "county": 2,
    "city": 3,
    "province": 4,
    "industry": 4,
    "national": 5,
}
TIERS = tuple(TIER_LEVEL)

#: The version of the privacy notice (``/privacy``) people agree to; a new text, a new version.
PRIVACY_NOTICE_VERSION = "2026-12-04"

#: GB 11643-1999: weights of the first 17 digits and the check character for (sum mod 11).
_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")


class IdNumberError(ValueError):
    """A resident ID number that is malformed or fails its check digit."""

    def __init__(self, reason: Reason):
        super().__init__(str(reason))
        self.reason = reason


def resident_id_check_char(first17: str) -> str:
    """The GB 11643 check character of the first 17 digits: weights 7,9,10,5,8,4,2,1,6,3,…

    The weighted sum modulo 11 indexes "10X98765432".
    """
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def parse_resident_id(raw: str) -> date:
    """Check an 18-character resident ID and return the birth date it encodes.

    Rule: 17 digits and a check character (digit or X) that matches GB 11643; characters 7-14
    are the birth date YYYYMMDD and must be a real date. Raises IdNumberError with the reason.
    """
    number = normalise_id_number(raw)
    if len(number) != 18:
        raise IdNumberError(Reason.of(N_("must be 18 characters, got %(n)s"), n=len(number)))
    if not _ID_SHAPE.match(number):
        raise IdNumberError(Reason.of(N_("must be 17 digits followed by a digit or X")))
    expected = resident_id_check_char(number[:17])
    if number[17] != expected:
        raise IdNumberError(Reason.of(N_("check digit is wrong (expected %(c)s)"), c=expected))
    try:
        return date(int(number[6:10]), int(number[10:12]), int(number[12:14]))
    except ValueError:
        raise IdNumberError(
            Reason.of(N_("the birth date it contains is not a real date"))
        ) from None


def gender_from_resident_id(raw: str) -> str:
    """The gender a resident ID encodes: the 17th digit odd for men ("M"), even for women ("F")."""
    return "M" if int(normalise_id_number(raw)[16]) % 2 else "F"


def can_feed(child_tier: str, parent_tier: str) -> bool:
    """Whether a contest of ``child_tier`` may feed one of ``parent_tier``: the parent is higher."""
    return TIER_LEVEL[parent_tier] > TIER_LEVEL[child_tier]


def feeds_in_time(child_year: int, child_ends: date, parent_year: int, parent_ends: date) -> bool:
    """Whether a contest may feed (name as its parent) a contest on these dates.

    Rule: the parent takes place after the child, or while the child ends: it ends on or after
    the child's last day, and its year is the same or later. (A 2026 contest never feeds a 2018
    one; a provincial final that runs on while a city contest ends may take its winners.)
    """
    return parent_ends >= child_ends and parent_year >= child_year


def weights_sum_to_100(theory: Decimal, practical: Decimal) -> bool:
    """Theory and practical weights are each 0-100 and add up to exactly 100."""
    return theory >= 0 and practical >= 0 and theory + practical == Decimal(100)


def age_on(birth: date, on: date) -> int:
    """Age in whole years on a date (a birthday on that date counts)."""
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


@dataclass(frozen=True)
class Eligibility:
    """The age rule of a contest-trade: an age range on a reference date."""

    min_age: int
    max_age: int
    reference_date: date


def eligibility_problem(rule: Eligibility, birth: date) -> Reason | None:
    """Why a person born on ``birth`` may not enter, or None if they may.

    Rule: the age on the reference date must be within [min_age, max_age], both inclusive.
    """
    age = age_on(birth, rule.reference_date)
    if age < rule.min_age:
        return Reason.of(
            N_("age %(age)s on %(on)s is below the minimum %(min)s"),
            age=age,
            on=rule.reference_date.isoformat(),
            min=rule.min_age,
        )
    if age > rule.max_age:
        return Reason.of(
            N_("age %(age)s on %(on)s is above the maximum %(max)s"),
            age=age,
            on=rule.reference_date.isoformat(),
            max=rule.max_age,
        )
    return None


def person_edit_problem(
    is_registrar: bool, organised: set[int], entered_in: dict[int, str]
) -> Reason | None:
    """Whether a user may change a contestant's record (name, unit, ID…), which every contest
    the person is entered in shows.

    Rule: a registrar (keeper of the shared registers) may. Anyone else must organise every
    contest the person is entered in (``entered_in``: {contest id: name}), and at least one:
    an organiser of one contest never changes what another organiser's contest shows. The
    reason names the contests the user does not organise.
    """
    if is_registrar:
        return None
    others = sorted(name for cid, name in entered_in.items() if cid not in organised)
    if others:
        return Reason.of(
            N_(
                "this contestant is also entered in contests you do not organise (%(contests)s): "
                "only a registrar or an organiser of all of them may change the record"
            ),
            contests="、".join(others),
        )
    if not entered_in:
        return Reason.of(N_("only a registrar may change a contestant entered in no contest"))
    return None


def would_make_cycle(
    node_id: int, new_parent_id: int | None, parent_of: dict[int, int | None]
) -> bool:
    """Whether giving ``node_id`` the parent ``new_parent_id`` makes a loop in a tree.

    ``parent_of`` maps each node to its current parent. Walking up from the new parent must
    never reach the node itself.
    """
    seen = set()
    current = new_parent_id
    while current is not None and current not in seen:
        if current == node_id:
            return True
        seen.add(current)
        current = parent_of.get(current)
    return False


def cell_is_formula(value) -> bool:
    """A spreadsheet cell that would run as a formula: text starting with "=" (as stored)."""
    return isinstance(value, str) and value.startswith("=")


#: Characters that turn the direction of the text that follows: embeddings and overrides
#: (U+202A–U+202E), isolates (U+2066–U+2069) and the marks (U+200E, U+200F, U+061C).
BIDI_CONTROLS = frozenset(
    [chr(c) for c in range(0x202A, 0x202F)] + [chr(c) for c in range(0x2066, 0x206A)]
) | {"\u200e", "\u200f", "\u061c"}
#: A cell starting with one of these runs as a formula in a spreadsheet.
FORMULA_STARTS = ("=", "+", "-", "@")


def name_problem(name: str) -> Reason | None:
    """Why text cannot be a name (a person's, a unit's, a delegation's), or None.

    Rule: no control characters (tabs, line breaks, NUL…), no characters that turn the
    direction of the text (a name printed on a certificate or in a file name must read as
    typed), and no "=", "+", "-" or "@" first (a spreadsheet would run it as a formula).
    """
    if any(unicodedata.category(char) == "Cc" for char in name):
        return Reason.of(N_("must not contain control characters such as tabs or line breaks"))
    if any(char in BIDI_CONTROLS for char in name):
        return Reason.of(N_("must not contain characters that turn the direction of the text"))
    if name.strip().startswith(FORMULA_STARTS):
        return Reason.of(
            N_("must not begin with %(char)s: a spreadsheet would run it as a formula"),
            char=name.strip()[0],
        )
    return None


@dataclass(frozen=True)
class PersonFacts:
    """What a registration says about a person, already parsed into types."""

    name: str
    gender: str | None
    birth_date: date | None
    id_type: str
    id_number: str


def person_problems(p: PersonFacts) -> dict[str, Reason]:
    """The problems of a person's registration, by field; empty if it is sound.

    Rule: a name is required and must pass ``name_problem``; for a resident ID the number
    passes GB 11643, and the birth date and gender, when given, agree with what it encodes; for
    other documents the number, the birth date and the gender are required.
    """
    problems: dict[str, Reason] = {}
    if not p.name.strip():
        problems["name"] = Reason.of(N_("a name is required"))
    elif problem := name_problem(p.name):
        problems["name"] = problem
    if not p.id_number:
        problems["id_number"] = Reason.of(N_("an ID number is required"))
    elif p.id_type == "resident":
        try:
            encoded = parse_resident_id(p.id_number)
        except IdNumberError as err:
            problems["id_number"] = err.reason
        else:
            if p.birth_date and p.birth_date != encoded:
                problems["birth_date"] = Reason.of(
                    N_("does not match the ID number, which says %(d)s"), d=encoded.isoformat()
                )
            if p.gender and p.gender != gender_from_resident_id(p.id_number):
                problems["gender"] = Reason.of(N_("does not match the ID number"))
    else:
        if p.birth_date is None:
            problems["birth_date"] = Reason.of(N_("a birth date is required"))
        if p.gender is None:
            problems["gender"] = Reason.of(N_("a gender is required"))
    return problems


def complete_person(p: PersonFacts) -> PersonFacts:
    """Fill a resident ID holder's missing birth date and gender from the number (once sound)."""
    if p.id_type != "resident":
        return p
    return PersonFacts(
        name=p.name.strip(),
        gender=p.gender or gender_from_resident_id(p.id_number),
        birth_date=p.birth_date or parse_resident_id(p.id_number),
        id_type=p.id_type,
        id_number=normalise_id_number(p.id_number),
    )


def parse_number_list(text: str) -> list[int]:
    """Comma-separated whole numbers ("10, 20,30" → [10, 20, 30]); ValueError if any is not one."""
    parts = [part.strip() for part in (text or "").replace("，", ",").split(",")]
    if not parts or any(not part.isdigit() for part in parts):
        raise ValueError(text)
    return [int(part) for part in parts]


def award_numbers_problem(mode: str, numbers: list[int]) -> Reason | None:
    """Why award numbers do not fit their mode, or None.

    Rule: proportion takes 1-3 percentages adding up to at most 100; fixed takes 1-3 counts;
    bands takes increasing last ranks of each band; medals takes none or the 3 medal places.
    """
    if mode == "proportion" and (len(numbers) > 3 or sum(numbers) > 100):
        return Reason.of(N_("up to three percentages adding up to at most 100"))
    if mode == "fixed" and not 1 <= len(numbers) <= 3:
        return Reason.of(N_("one to three counts, first prize first"))
    if mode == "bands" and any(b <= a for a, b in pairwise(numbers)):
        return Reason.of(N_("band ends must increase, e.g. 5,20"))
    return None


def tie_break_problem(keys: list[str], allowed: tuple[str, ...]) -> Reason | None:
    """Why a tie-break chain is invalid (unknown or repeated keys), or None."""
    unknown = [k for k in keys if k not in allowed]
    if unknown:
        return Reason.of(N_("unknown tie-break %(k)s"), k=", ".join(unknown))
    if len(set(keys)) != len(keys):
        return Reason.of(N_("a tie-break is repeated"))
    return None


#: The states an entry takes in the field: what an organiser sets on the entry form.
HAND_SET_STATUSES = ("registered", "approved", "withdrawn", "disqualified", "absent")


def settable_statuses(current: str | None) -> tuple[str, ...]:
    """The states an organiser may choose by hand for an entry now in ``current`` (None: a new
    one): those of the field (registered, approved, withdrawn, disqualified, absent). An entry
    still awaiting review (draft, submitted, returned, recommended) keeps its state here: it is
    decided on the registration or recommendation review, with their quotas."""
    if current is None or current in HAND_SET_STATUSES:
        return HAND_SET_STATUSES
    return (current,)

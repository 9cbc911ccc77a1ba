"""The contest day's rules, by tables of cases: the draw, ticket numbers and tokens, check-in."""

from collections import Counter
from datetime import date, datetime, time

import pytest

from competitions.contestday import rules
from competitions.contestday.rules import Scan, SessionSlots
from competitions.core.words import Reason

TWO = [SessionSlots(11, 3), SessionSlots(12, 3)]


@pytest.mark.parametrize(
    ("n", "capacities", "counts"),
    [
        (0, [3, 3], [0, 0]),
        (1, [3, 3], [1, 0]),
        (5, [3, 3], [3, 2]),
        (6, [3, 3], [3, 3]),
        (7, [2, 10], [2, 5]),  # the small session is full, the rest go to the big one
        (4, [10, 10, 10], [2, 1, 1]),
        (3, [1, 1, 1], [1, 1, 1]),
    ],
)
def test_session_counts_are_as_even_as_the_workstations_allow(n, capacities, counts):
    slots = [SessionSlots(i, c) for i, c in enumerate(capacities)]
    assert rules.session_counts(n, slots) == counts


@pytest.mark.parametrize(("n", "capacities"), [(7, [3, 3]), (1, []), (2, [1])])
def test_too_few_workstations_is_a_reason_and_no_seats(n, capacities):
    slots = [SessionSlots(i, c) for i, c in enumerate(capacities)]
    assert isinstance(rules.session_counts(n, slots), Reason)
    refused = rules.draw_seats(range(n), slots, "123")
    assert isinstance(refused, Reason) and "workstations" in str(refused)


@pytest.mark.parametrize("seed", ["20261205", "0", "abc-DEF_9"])
def test_the_same_seed_gives_the_same_seats_whatever_the_order_of_the_entries(seed):
    once = rules.draw_seats([5, 3, 9, 1, 7], TWO, seed)
    again = rules.draw_seats([9, 7, 5, 3, 1], TWO, seed)
    assert once == again
    assert sorted(once) == [1, 3, 5, 7, 9]
    assert Counter(session for session, _ws in once.values()) == {11: 3, 12: 2}
    assert len(set(once.values())) == 5  # nobody shares a workstation
    assert all(1 <= ws <= 3 for _s, ws in once.values())


def test_a_recorded_draw_stays_the_same_draw():
    """The algorithm's output for a fixed seed is pinned: a change of the algorithm must get a
    new DRAW_ALGORITHM name, or the team leaders' re-runs would disagree with the record."""
    assert rules.DRAW_ALGORITHM == "jingsai-draw-v1"
    assert rules.draw_seats([1, 2, 3, 4, 5], TWO, "20261205") == PINNED


PINNED = {5: (11, 1), 3: (11, 2), 4: (11, 3), 2: (12, 2), 1: (12, 3)}


def test_the_pinned_draw_follows_the_documented_steps():
    """Re-implemented from the docstring only: SHA-256 of "<seed>:<k>", 8-byte numbers,
    rejection, Fisher-Yates from the end; sessions filled in order."""
    import hashlib

    def numbers(seed):
        k = 0
        while True:
            block = hashlib.sha256(f"{seed}:{k}".encode()).digest()
            for i in range(0, 32, 8):
                yield int.from_bytes(block[i : i + 8], "big")
            k += 1

    stream = numbers("20261205")

    def below(n):
        limit = (2**64 // n) * n
        while (x := next(stream)) >= limit:
            pass
        return x % n

    def shuffle(items):
        for i in range(len(items) - 1, 0, -1):
            j = below(i + 1)
            items[i], items[j] = items[j], items[i]
        return items

    order = shuffle([1, 2, 3, 4, 5])
    seats = [(11, w) for w in sorted(shuffle([1, 2, 3])[:3])]
    seats += [(12, w) for w in sorted(shuffle([1, 2, 3])[:2])]
    assert dict(zip(order, seats, strict=True)) == PINNED


def test_different_seeds_give_different_draws():
    draws = {tuple(sorted(rules.draw_seats(range(6), TWO, str(s)).items())) for s in range(50)}
    assert len(draws) > 40


def test_the_draw_is_fair_every_entry_gets_every_seat_about_as_often():
    """Over 3000 seeds each of 3 entries lands in each of 3 single-workstation sessions about a
    third of the time (binomial: 1000 ± 4 standard deviations ≈ ± 103)."""
    sessions = [SessionSlots(s, 1) for s in (1, 2, 3)]
    seen = Counter()
    for seed in range(3000):
        for entry, seat in rules.draw_seats([10, 20, 30], sessions, str(seed)).items():
            seen[entry, seat[0]] += 1
    assert all(abs(count - 1000) < 103 for count in seen.values()), seen
    assert len(seen) == 9


@pytest.mark.parametrize(
    ("seed", "ok"),
    [
        ("20261205", True),
        ("a", True),
        ("x" * 40, True),
        ("", False),
        ("x" * 41, False),
        ("12 34", False),
        ("种子", False),
        ("1;2", False),
    ],
)
def test_seeds_that_can_be_read_out_and_retyped(seed, ok):
    assert (rules.seed_problem(seed) is None) == ok


@pytest.mark.parametrize(
    ("ct_id", "session", "workstation", "number"),
    [(1, 1, 1, "0001010013"), (42, 2, 17, "0042020178"), (12345, 3, 999, "12345039990")],
)
def test_ticket_numbers_are_digits_with_a_check_digit(ct_id, session, workstation, number):
    made = rules.ticket_number(ct_id, session, workstation)
    assert made[:-1] == number[:-1]
    assert made[-1] == rules.luhn_digit(made[:-1])
    assert rules.typed_ticket_number(made) == made


@pytest.mark.parametrize(
    ("typed", "read"),
    [
        (rules.ticket_number(7, 1, 5), rules.ticket_number(7, 1, 5)),
        (" 0007-01-005" + rules.ticket_number(7, 1, 5)[-1] + " ", rules.ticket_number(7, 1, 5)),
        ("0007010050" if rules.ticket_number(7, 1, 5)[-1] != "0" else "0007010051", None),
        ("12345", None),  # too short
        ("abc", None),
        ("", None),
    ],
)
def test_typed_ticket_numbers(typed, read):
    assert rules.typed_ticket_number(typed) == read


@pytest.mark.parametrize(("digits", "check"), [("7992739871", "3"), ("0", "0"), ("000101001", "6")])
def test_luhn_check_digits(digits, check):
    assert rules.luhn_digit(digits) == check


def test_a_signed_token_names_its_ticket_and_nothing_else_verifies():
    token = rules.ticket_token("site-key", 5, "0001010013", 11)
    assert rules.read_token("site-key", token) == (5, "0001010013", 11)
    assert rules.read_token("another-site", token) is None
    forged = rules.ticket_token("guess", 5, "0001010013", 11)
    assert rules.read_token("site-key", forged) is None
    payload, signature = token.rsplit(".", 1)
    assert rules.read_token("site-key", payload + "." + signature[::-1]) is None
    assert rules.read_token("site-key", "not a token") is None


DAY = date(2026, 12, 5)
STARTS, ENDS = datetime(2026, 12, 5, 8, 30), datetime(2026, 12, 5, 11, 30)


@pytest.mark.parametrize(
    ("now", "state", "absent_ok"),
    [
        (datetime(2026, 12, 5, 6, 29), "before", False),
        (datetime(2026, 12, 5, 6, 30), "open", False),
        (datetime(2026, 12, 5, 8, 29), "open", False),
        (datetime(2026, 12, 5, 8, 30), "open", True),
        (datetime(2026, 12, 5, 11, 29), "open", True),
        (datetime(2026, 12, 5, 11, 30), "closed", True),
        (datetime(2026, 12, 6, 8, 0), "closed", True),
        (datetime(2026, 12, 4, 9, 0), "before", False),
    ],
)
def test_check_in_state_and_when_absence_is_marked(now, state, absent_ok):
    starts, ends = rules.session_moments(DAY, time(8, 30), time(11, 30))
    assert (starts, ends) == (STARTS, ENDS)
    assert rules.check_in_state(now, starts, ends) == state
    assert rules.may_mark_absent(now, starts) is absent_ok


@pytest.mark.parametrize(
    ("expected", "checked_in", "absent"),
    [
        ({1: "registered", 2: "approved", 3: "registered"}, {2}, [1, 3]),
        ({1: "registered"}, {1}, []),
        ({1: "withdrawn", 2: "disqualified", 3: "absent", 4: "approved"}, set(), [4]),
        ({}, set(), []),
    ],
)
def test_who_is_marked_absent(expected, checked_in, absent):
    assert rules.absentees(expected, checked_in) == absent


AT = datetime(2026, 12, 5, 8, 0)


@pytest.mark.parametrize(
    ("scan", "state", "refused"),
    [
        (Scan(11, 1, "registered", None), "open", None),
        (Scan(11, 1, "approved", None), "open", None),
        (Scan(11, 1, "registered", AT), "open", None),  # already in: told, not refused
        (Scan(11, 1, "registered", AT), "closed", None),
        (Scan(11, 2, "registered", None), "open", "This ticket is for another trade."),
        (Scan(12, 1, "registered", None), "open", "This ticket is for another session."),
        (Scan(11, 1, "registered", None), "before", "Check-in has not opened yet."),
        (Scan(11, 1, "registered", None), "closed", "Check-in has closed: the session is over."),
        (Scan(11, 1, "absent", None), "open", "This contestant has been marked absent."),
        (Scan(11, 1, "withdrawn", None), "open", "This entry is withdrawn or disqualified."),
    ],
)
def test_what_the_desk_refuses(scan, state, refused):
    reason = rules.check_in_refusal(scan, 11, 1, state)
    assert (reason.msgid if reason else None) == refused

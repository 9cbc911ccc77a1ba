"""The selection's rules, each with its table of cases."""

from datetime import datetime, timedelta
from decimal import Decimal

import pytest

from competitions.selection import rules
from competitions.selection.rules import Candidate, Eligibility, Standing, VoteRecord

BASE = Eligibility(min_years_in_trade=10, max_age=None, needs_lower_title=False)
HIGHER = Eligibility(min_years_in_trade=15, max_age=55, needs_lower_title=True)
GOOD = Candidate(
    in_service=True, years_in_trade=12, age=45, disciplinary_record=False, holds_lower_title=True
)


@pytest.mark.parametrize(
    "rule, candidate, expected",
    [
        (BASE, GOOD, []),
        (BASE, Candidate(True, 10, 45, False, False), []),  # exactly the years asked
        (BASE, Candidate(True, 9, 45, False, False), ["years in the trade"]),
        (BASE, Candidate(False, 12, 45, False, False), ["not an in-service worker"]),
        (BASE, Candidate(True, 12, 45, True, False), ["has a disciplinary record"]),
        (BASE, Candidate(True, 12, 70, False, False), []),  # no age limit set
        (HIGHER, Candidate(True, 20, 50, False, True), []),
        (HIGHER, Candidate(True, 20, 56, False, True), ["older than"]),
        (HIGHER, Candidate(True, 20, 50, False, False), ["the level below"]),
        (
            HIGHER,
            Candidate(False, 3, 60, True, False),
            ["in-service", "years", "older", "disc", "below"],
        ),
    ],
)
def test_eligibility(rule, candidate, expected):
    problems = [str(p) for p in rules.eligibility_problems(rule, candidate)]
    assert len(problems) == len(expected)
    for text, part in zip(problems, expected, strict=True):
        assert part in text


CLOSE = datetime(2026, 6, 30, 23, 59)


@pytest.mark.parametrize(
    "quota, used, now, on_panel, already, expected",
    [
        (3, 0, CLOSE, False, False, None),
        (3, 2, CLOSE - timedelta(days=1), False, False, None),
        (3, 3, CLOSE, False, False, "quota is used up (3 of 3)"),
        (0, 0, CLOSE, False, False, "quota is used up (0 of 0)"),
        (3, 0, CLOSE + timedelta(minutes=1), False, False, "deadline has passed"),
        (3, 3, CLOSE + timedelta(days=1), False, False, "deadline has passed"),  # first reason
        (3, 0, CLOSE, True, False, "expert panel"),
        (3, 0, CLOSE, False, True, "already nominated"),
    ],
)
def test_nomination_limits(quota, used, now, on_panel, already, expected):
    problem = rules.nomination_problem(quota, used, CLOSE, now, on_panel, already)
    assert (problem is None) if expected is None else (expected in str(problem))


@pytest.mark.parametrize(
    "tier, award, year, expected",
    [
        ("province", "first", 2026, True),
        ("province", "first", 2024, True),  # three years: 2024, 2025, 2026
        ("province", "first", 2023, False),
        ("national", "first", 2025, True),
        ("city", "first", 2026, False),
        ("province", "second", 2026, False),
        ("province", None, 2026, False),
        ("province", "first", 2027, False),  # a later contest is not "the last 3 years"
    ],
)
def test_proposed_from_contest_results(tier, award, year, expected):
    assert rules.proposed_award(tier, award, year, 2026) is expected


T0 = datetime(2026, 7, 1, 20, 0)


def _votes(n, every, address="1.2.3.4", family="iPhone/Safari", start=T0):
    return [VoteRecord(start + timedelta(seconds=every * i), address, family) for i in range(n)]


@pytest.mark.parametrize(
    "votes, expected",
    [
        (_votes(20, 10), set()),  # 20 in 3 min: at the limit, not over
        (_votes(21, 10), {"address:1.2.3.4", "device:iPhone/Safari"}),
        (_votes(21, 20), set()),  # 21 votes over 6 min 40 s: never 21 within 5 min
        # 30 addresses of one device family within a minute: the family bursts, no address
        (
            [VoteRecord(T0 + timedelta(seconds=i), f"10.0.0.{i}", "Bot/1") for i in range(30)],
            {"device:Bot/1"},
        ),
        # one address, many families (a school's network): the address bursts
        (
            [VoteRecord(T0 + timedelta(seconds=i), "8.8.8.8", f"fam{i}") for i in range(25)],
            {"address:8.8.8.8"},
        ),
        ([], set()),
    ],
)
def test_bursts(votes, expected):
    assert rules.bursts(votes) == expected


@pytest.mark.parametrize(
    "gaps, expected",
    [
        ([10.0] * 6, True),  # every 10.0 s
        ([10.0, 10.2, 9.9, 10.1, 10.0, 9.8], True),  # within half a second
        ([10.0] * 4, False),  # too few to say
        ([3, 40, 7, 300, 12, 65], False),  # people
        ([10.0, 10.0, 10.0, 10.0, 10.0, 12.0], False),  # one gap off
    ],
)
def test_machine_regular(gaps, expected):
    times = [T0]
    for g in gaps:
        times.append(times[-1] + timedelta(seconds=g))
    assert rules.machine_regular(times) is expected


D = Decimal


@pytest.mark.parametrize(
    "rows, weights, expected",
    [
        # experts 70 / public 30: 90 and 1000 votes beat 100 and 0 votes
        (
            [Standing(1, D(100), 0), Standing(2, D(90), 1000)],
            (70, 30),
            [(2, D("93.00")), (1, D("70.00"))],
        ),
        # a tie on the combined score (80 each) goes to the higher expert score
        (
            [Standing(1, D(60), 100), Standing(2, D(100), 60)],
            (50, 50),
            [(2, D("80.00")), (1, D("80.00"))],
        ),
        # all equal: the chair's recorded order decides
        (
            [Standing(1, D(80), 10, 2), Standing(2, D(80), 10, 1)],
            (70, 30),
            [(2, D("100.00")), (1, D("100.00"))],
        ),
        # no votes at all: the experts alone, scaled
        (
            [Standing(1, D(50), 0), Standing(2, D(100), 0)],
            (70, 30),
            [(2, D("70.00")), (1, D("35.00"))],
        ),
        ([], (70, 30), []),
    ],
)
def test_combined_ranking(rows, weights, expected):
    assert rules.combined_ranking(rows, D(weights[0]), D(weights[1])) == expected


OPEN, SHUT = datetime(2026, 7, 1), datetime(2026, 7, 10, 23, 59)


@pytest.mark.parametrize(
    "today, again, now, expected",
    [
        (0, False, datetime(2026, 7, 2), None),
        (9, False, datetime(2026, 7, 2), None),
        (10, False, datetime(2026, 7, 2), "today's 10 votes"),  # the 11th vote
        (0, True, datetime(2026, 7, 2), "already voted for this nominee today"),
        (0, False, datetime(2026, 6, 30), "not opened"),
        (0, False, datetime(2026, 7, 11), "closed"),
    ],
)
def test_may_vote(today, again, now, expected):
    problem = rules.may_vote(today, again, OPEN, SHUT, now, 10)
    assert (problem is None) if expected is None else (expected in str(problem))


@pytest.mark.parametrize(
    "rule, candidate, fields",
    [
        (BASE, Candidate(True, 12, 45, False, False), []),
        (BASE, Candidate(True, 10, 45, False, False), []),
        (BASE, Candidate(True, 9, 45, False, False), ["years_in_trade"]),
        (BASE, Candidate(False, 12, 45, False, False), ["in_service"]),
        (BASE, Candidate(True, 12, 45, True, False), ["disciplinary_record"]),
        (BASE, Candidate(True, 12, 70, False, False), []),
        (HIGHER, Candidate(True, 20, 56, False, True), ["id_number"]),
        (HIGHER, Candidate(True, 20, 50, False, False), ["holds_lower_title"]),
    ],
)
def test_eligibility_by_field(rule, candidate, fields):
    """The nomination form shows each refusal beside the field it is about."""
    assert list(rules.eligibility_by_field(rule, candidate)) == fields


@pytest.mark.parametrize(
    "written, read, problem",
    [
        ("", {}, None),
        (
            "web 40, wechat 30, app 20, offline 10",
            {"web": 40, "wechat": 30, "app": 20, "offline": 10},
            None,
        ),
        ("web:100", {"web": 100}, None),
        ("Web 50，offline 50", {"web": 50, "offline": 50}, None),
        ("web 60, app 30", {}, "add up to 90, not 100"),
        ("web 50, fax 50", {}, "fax is not a channel"),
        ("web 50, web 50", {}, "web is written twice"),
        ("web fifty", {}, "write each channel and its weight"),
    ],
)
def test_parse_channel_weights(written, read, problem):
    weights, reason = rules.parse_channel_weights(written)
    assert weights == read
    if problem is None:
        assert reason is None
    else:
        assert problem in str(reason)


D = Decimal


@pytest.mark.parametrize(
    "weights, votes, shares",
    [
        ({}, {1: {"web": 30, "app": 10}, 2: {"web": 60}}, {1: D("0.4"), 2: D("0.6")}),
        (
            {"web": 50, "offline": 50},
            {1: {"web": 10}, 2: {"web": 30, "offline": 5}},
            {1: D("0.125"), 2: D("0.875")},
        ),
        (
            {"web": 40, "wechat": 30, "app": 20, "offline": 10},
            {1: {"web": 10, "wechat": 10}, 2: {"web": 10, "wechat": 10}},
            {1: D("0.5"), 2: D("0.5")},
        ),
        (
            {"web": 80, "app": 20},
            {1: {"web": 10, "media": 99}, 2: {"app": 1}},
            {1: D("0.8"), 2: D("0.2")},
        ),
        ({"web": 100}, {1: {}, 2: {}}, {1: D(0), 2: D(0)}),
    ],
)
def test_weighted_vote_share(weights, votes, shares):
    assert rules.weighted_vote_share(votes, weights) == shares


@pytest.mark.parametrize(
    "address, family, challenge",
    [(0, 0, False), (19, 99, False), (20, 0, True), (3, 100, True)],
)
def test_needs_challenge(address, family, challenge):
    assert rules.needs_challenge(address, family, 20, 100) is challenge


def _found(nonce, bits):
    return next(str(n) for n in range(10**6) if rules.work_done(nonce, str(n), bits))


@pytest.mark.parametrize(
    "nonce, answer, bits, solved",
    [
        ("abc", _found("abc", 8), 8, True),
        ("abc", "22421", 16, True),  # what the vote page's script finds (static/js)
        ("abc", "22420", 16, False),
        ("abd", "22421", 16, False),  # the answer belongs to its nonce
        ("abc", "", 0, False),
        ("abc", "x1", 0, False),
        ("abc", "1" * 17, 0, False),
        ("abc", "7", 0, True),
    ],
)
def test_work_done(nonce, answer, bits, solved):
    assert rules.work_done(nonce, answer, bits) is solved


@pytest.mark.parametrize(
    "digest, bits",
    [(b"\xff", 0), (b"\x80", 0), (b"\x7f", 1), (b"\x00\x01", 15), (b"\x00\x00", 16)],
)
def test_leading_zero_bits(digest, bits):
    assert rules.leading_zero_bits(digest) == bits


@pytest.mark.parametrize(
    "ranked, experts, titles, tie",
    [
        ([(1, D(90)), (2, D(80)), (3, D(70))], {}, 2, []),
        ([(1, D(90)), (2, D(80)), (3, D(80))], {2: D(50), 3: D(50)}, 2, [2, 3]),
        ([(1, D(90)), (2, D(80)), (3, D(80))], {2: D(60), 3: D(50)}, 2, []),
        ([(1, D(80)), (2, D(80)), (3, D(80))], {1: D(50), 2: D(50), 3: D(50)}, 1, [1, 2, 3]),
        ([(1, D(90)), (2, D(80))], {}, 2, []),
    ],
)
def test_tie_at_the_line(ranked, experts, titles, tie):
    assert rules.tie_at_the_line(ranked, experts, titles) == tie


def test_the_chairs_order_parts_a_tie_the_expert_score_leaves():
    rows = [Standing(1, D(50), 3, 2), Standing(2, D(50), 3, 1), Standing(3, D(60), 0)]
    # 1 and 2: 50/60 × 70 + 30 = 88.33 each, the same expert score: the chair put 2 first
    assert [s for s, _ in rules.combined_ranking(rows, D(70), D(30))] == [2, 1, 3]

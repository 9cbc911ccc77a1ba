"""The rules of a 工匠 selection, pure: eligibility, nomination limits, fraud (刷票) signals and
the combined ranking. Each rule is written in its docstring; tests hold a table of cases."""

import itertools
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import ROUND_HALF_UP, Decimal

from competitions.core.words import N_, Reason

#: A title's levels, lowest first: a higher title asks for the one below it (a three-level climb).
LEVELS = ("city", "province", "chief")
BODY_KINDS = ("city_union", "industry_union", "enterprise")
NOMINEE_STATES = ("nominated", "passed", "returned")
CHANNELS = ("web", "app", "wechat", "media")
#: How far back a contest's first prize is proposed as a candidate.
AWARD_YEARS = 3


@dataclass(frozen=True)
class Eligibility:
    """A campaign's conditions."""

    min_years_in_trade: int
    max_age: int | None
    needs_lower_title: bool


@dataclass(frozen=True)
class Candidate:
    """What is known of a nominee on the day of the review."""

    in_service: bool
    years_in_trade: int
    age: int
    disciplinary_record: bool
    holds_lower_title: bool


def eligibility_problems(rule: Eligibility, c: Candidate) -> list[Reason]:
    """Why a nominee may not be selected (empty: eligible).

    Rule: an in-service worker; at least ``min_years_in_trade`` years in the trade; not older
    than ``max_age`` when the campaign sets one; no disciplinary record; for a higher title (大工匠,
    首席工匠) the title at the level below already held.
    """
    problems = []
    if not c.in_service:
        problems.append(Reason.of(N_("not an in-service worker")))
    if c.years_in_trade < rule.min_years_in_trade:
        problems.append(
            Reason.of(
                N_("%(years)s years in the trade, fewer than the %(min)s asked"),
                years=c.years_in_trade,
                min=rule.min_years_in_trade,
            )
        )
    if rule.max_age is not None and c.age > rule.max_age:
        problems.append(Reason.of(N_("older than %(max)s"), max=rule.max_age))
    if c.disciplinary_record:
        problems.append(Reason.of(N_("has a disciplinary record")))
    if rule.needs_lower_title and not c.holds_lower_title:
        problems.append(Reason.of(N_("does not hold the title of the level below")))
    return problems


def nomination_problem(
    quota: int, used: int, deadline: datetime, now: datetime, on_panel: bool, already: bool
) -> Reason | None:
    """Why a body may not nominate one more person now (None: it may).

    Rule: not after the deadline; within the body's quota (its earlier nominations, returned
    ones included, take their places); a person is nominated once per campaign; a member of the
    expert panel is never a nominee.
    """
    if now > deadline:
        return Reason.of(N_("the nomination deadline has passed"))
    if used >= quota:
        return Reason.of(
            N_("the body's quota is used up (%(used)s of %(quota)s)"), used=used, quota=quota
        )
    if already:
        return Reason.of(N_("this person is already nominated in this campaign"))
    if on_panel:
        return Reason.of(N_("this person sits on the expert panel and cannot be nominated"))
    return None


def proposed_award(tier: str, award: str | None, contest_year: int, campaign_year: int) -> bool:
    """Whether a contest result is proposed as a candidate.

    Rule: a first prize of a provincial (or national) contest held in the campaign's year or the
    ``AWARD_YEARS`` - 1 years before it.
    """
    return (
        award == "first"
        and tier in ("province", "national")
        and campaign_year - AWARD_YEARS < contest_year <= campaign_year
    )


@dataclass(frozen=True)
class VoteRecord:
    """One vote as the fraud rules see it."""

    at: datetime
    address: str
    device_family: str


def bursts(
    votes: list[VoteRecord], window: timedelta = timedelta(minutes=5), limit: int = 20
) -> set[str]:
    """The sources (``address:…``, ``device:…``) that cast a burst.

    Rule: more than ``limit`` votes from one address, or from one device family, within any
    ``window``.
    """
    flagged = set()
    for key in ("address", "device_family"):
        by: dict[str, list[datetime]] = {}
        for v in votes:
            by.setdefault(getattr(v, key), []).append(v.at)
        for source, times in by.items():
            times.sort()
            start = 0
            for end, t in enumerate(times):
                while t - times[start] > window:
                    start += 1
                if end - start + 1 > limit:
                    flagged.add(f"{'address' if key == 'address' else 'device'}:{source}")
                    break
    return flagged


def machine_regular(times: list[datetime], min_votes: int = 6, spread: float = 0.5) -> bool:
    """Whether votes come at machine-regular intervals.

    Rule: at least ``min_votes`` votes whose gaps differ from their mean by at most ``spread``
    seconds each (people do not vote every 10.0 s).
    """
    if len(times) < min_votes:
        return False
    times = sorted(times)
    gaps = [(b - a).total_seconds() for a, b in itertools.pairwise(times)]
    mean = sum(gaps) / len(gaps)
    return all(abs(g - mean) <= spread for g in gaps)


@dataclass(frozen=True)
class Standing:
    subject_id: int
    expert: Decimal
    votes: int
    chair_order: int | None = None


def combined_ranking(
    rows: list[Standing], expert_weight: Decimal, vote_weight: Decimal
) -> list[tuple[int, Decimal]]:
    """The nominees best first with their combined scores (0–100, two decimals).

    Rule: the expert score is normalised by the best expert score, the votes by the most votes
    (each 0–1, 0 when nobody has any), weighted as set (the weights add up to 100); ties go
    to the higher expert score, then to the panel chair's recorded order (lower first).
    """
    top_expert = max((r.expert for r in rows), default=Decimal(0))
    top_votes = max((r.votes for r in rows), default=0)

    def score(r: Standing) -> Decimal:
        e = r.expert / top_expert if top_expert else Decimal(0)
        v = Decimal(r.votes) / top_votes if top_votes else Decimal(0)
        return (e * expert_weight + v * vote_weight).quantize(Decimal("0.01"), ROUND_HALF_UP)

    scored = [(r, score(r)) for r in rows]
    scored.sort(key=lambda p: (-p[1], -p[0].expert, p[0].chair_order or 10**9, p[0].subject_id))
    return [(r.subject_id, s) for r, s in scored]


def may_vote(
    today_votes: int,
    voted_for_today: bool,
    opens: datetime,
    closes: datetime,
    now: datetime,
    daily_limit: int = 10,
) -> Reason | None:
    """Why a voter's vote is refused (None: counted).

    Rule: only between the vote's opening and close; one vote per nominee per day; at most
    ``daily_limit`` votes per voter per day.
    """
    if now < opens:
        return Reason.of(N_("the vote has not opened yet"))
    if now > closes:
        return Reason.of(N_("the vote has closed"))
    if voted_for_today:
        return Reason.of(N_("you have already voted for this nominee today"))
    if today_votes >= daily_limit:
        return Reason.of(N_("you have used today's %(n)s votes"), n=daily_limit)
    return None


def years_between(start: date, on: date) -> int:
    """Whole years from ``start`` to ``on``."""
    return on.year - start.year - ((on.month, on.day) < (start.month, start.day))

"""The rules of a 工匠 selection, pure: eligibility, nomination limits, fraud (刷票) signals and
the combined ranking. Each rule is written in its docstring; tests hold a table of cases."""

import hashlib
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
#: The channels a campaign may weigh: the online ones, and paper ballots the organiser enters.
WEIGHTED_CHANNELS = ("web", "wechat", "app", "media", "offline")
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
    """Why a nominee may not be selected (empty: eligible): ``eligibility_by_field``'s reasons."""
    return list(eligibility_by_field(rule, c).values())


def eligibility_by_field(rule: Eligibility, c: Candidate) -> dict[str, Reason]:
    """Why a nominee may not be selected, by the nomination form's field it is about (empty:
    eligible). The nomination is refused with these beside their fields; the qualification
    review shows them again on the day of the review.

    Rule: an in-service worker; at least ``min_years_in_trade`` years in the trade; not older
    than ``max_age`` when the campaign sets one (the age from the ID number); no disciplinary
    record; for a higher title (大工匠, 首席工匠) the title at the level below already held.

    ======================  ==============================  =================================
    campaign                candidate                       refused at
    ======================  ==============================  =================================
    10 years                in service, 12 years            nothing
    10 years                10 years (exactly)              nothing
    10 years                9 years                         years_in_trade
    10 years                not in service                  in_service
    10 years                disciplinary record             disciplinary_record
    no age limit            aged 70                         nothing
    max 55                  aged 56                         id_number (the age is from it)
    title below asked       not holding it                  holds_lower_title
    ======================  ==============================  =================================
    """
    problems: dict[str, Reason] = {}
    if not c.in_service:
        problems["in_service"] = Reason.of(N_("not an in-service worker"))
    if c.years_in_trade < rule.min_years_in_trade:
        problems["years_in_trade"] = Reason.of(
            N_("%(years)s years in the trade, fewer than the %(min)s asked"),
            years=c.years_in_trade,
            min=rule.min_years_in_trade,
        )
    if rule.max_age is not None and c.age > rule.max_age:
        problems["id_number"] = Reason.of(N_("older than %(max)s"), max=rule.max_age)
    if c.disciplinary_record:
        problems["disciplinary_record"] = Reason.of(N_("has a disciplinary record"))
    if rule.needs_lower_title and not c.holds_lower_title:
        problems["holds_lower_title"] = Reason.of(N_("does not hold the title of the level below"))
    return problems


ON_PANEL = N_("this person sits on the expert panel and cannot be nominated")


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
        return Reason.of(ON_PANEL)
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
    #: The votes, or the channel-weighted vote share (``weighted_vote_share``).
    votes: int | Decimal
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
    top_votes = max((Decimal(r.votes) for r in rows), default=Decimal(0))

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


def parse_channel_weights(text: str) -> tuple[dict[str, int], Reason | None]:
    """The vote's channels and their weights among themselves, as the organiser writes them
    (``web 40, wechat 30, app 20, offline 10``); an empty text: every vote counts alike.

    Rule: pairs of a known channel (``WEIGHTED_CHANNELS``) and a whole weight 0–100, separated
    by commas; each channel once; the weights add up to 100.

    ==================================  ==========================================
    written                             read
    ==================================  ==========================================
    ""                                  {} (every vote alike)
    "web 40, wechat 30, app 20,         {web: 40, wechat: 30, app: 20, offline: 10}
    offline 10"
    "web:100"                           {web: 100}
    "web 60, app 30"                    refused: the weights add up to 90, not 100
    "web 50, fax 50"                    refused: fax is not a channel
    "web 50, web 50"                    refused: web twice
    "web fifty"                         refused: not a weight
    ==================================  ==========================================
    """
    weights: dict[str, int] = {}
    if not text.strip():
        return {}, None
    for part in text.replace("，", ",").split(","):
        bits = part.replace(":", " ").replace("：", " ").split()
        if not bits:
            continue
        if len(bits) != 2 or not bits[1].isdigit():
            return {}, Reason.of(N_("write each channel and its weight, e.g. web 40"))
        channel, weight = bits[0].lower(), int(bits[1])
        if channel not in WEIGHTED_CHANNELS:
            return {}, Reason.of(
                N_("%(channel)s is not a channel (%(known)s)"),
                channel=channel,
                known=", ".join(WEIGHTED_CHANNELS),
            )
        if channel in weights:
            return {}, Reason.of(N_("%(channel)s is written twice"), channel=channel)
        if weight > 100:
            return {}, Reason.of(N_("a weight is at most 100"))
        weights[channel] = weight
    if sum(weights.values()) != 100:
        return {}, Reason.of(
            N_("the channels' weights add up to %(sum)s, not 100"), sum=sum(weights.values())
        )
    return weights, None


def weighted_vote_share(
    votes: dict[int, dict[str, int]], weights: dict[str, int]
) -> dict[int, Decimal]:
    """Each nominee's channel-weighted vote share (0–1, six decimals).

    Rule: within each weighted channel a nominee's share is their votes over all the
    channel's votes; the shares are weighted as set. A channel that got no vote at all drops
    out and the others' weights are scaled up to fill its place (a channel nobody used does
    not pull everybody down). Without weights every vote counts alike: the share of all votes.
    Votes of a channel without a weight do not count.

    =======================  ===============================  ===========================
    weights                  votes (nominee: channel votes)   share
    =======================  ===============================  ===========================
    none                     1: web 30, app 10; 2: web 60      1: 0.4, 2: 0.6
    web 50, offline 50       1: web 10; 2: web 30, offline 5   1: 0.125, 2: 0.875
    web 40, wechat 30,       1: web 10, wechat 10;             1: 0.5, 2: 0.5
    app 20, offline 10       2: web 10, wechat 10              (app, offline drop out)
    web 80, app 20           1: web 10, media 99; 2: app 1     1: 0.8, 2: 0.2 (media unweighted)
    web 100                  no votes                          everyone 0
    =======================  ===============================  ===========================
    """
    nominees = list(votes)
    if not weights:
        total = sum(sum(v.values()) for v in votes.values())
        return {
            n: (Decimal(sum(votes[n].values())) / total if total else Decimal(0)).quantize(
                Decimal("0.000001"), ROUND_HALF_UP
            )
            for n in nominees
        }
    totals = {c: sum(v.get(c, 0) for v in votes.values()) for c in weights}
    used = {c: w for c, w in weights.items() if totals[c] and w}
    scale = sum(used.values())
    out = {}
    for n in nominees:
        share = Decimal(0)
        for c, w in used.items():
            share += Decimal(w) / scale * Decimal(votes[n].get(c, 0)) / totals[c]
        out[n] = share.quantize(Decimal("0.000001"), ROUND_HALF_UP)
    return out


def needs_challenge(address_votes: int, family_votes: int, limit: int, family_limit: int) -> bool:
    """Whether a vote must pass a challenge first (a burst from one place).

    Rule: an address that has cast ``limit`` votes or more in the current five minutes, or a
    device family (one phone model and browser) with ``family_limit`` or more, proves work for
    each further vote in those minutes (the counts are of accepted votes).

    =========  ==========  ======  =============  =========
    address    family      limit   family limit   challenge
    =========  ==========  ======  =============  =========
    0          0           20      100            no
    19         99          20      100            no
    20         0           20      100            yes
    3          100         20      100            yes
    =========  ==========  ======  =============  =========
    """
    return address_votes >= limit or family_votes >= family_limit


def leading_zero_bits(digest: bytes) -> int:
    """How many zero bits a digest starts with."""
    bits = 0
    for byte in digest:
        if byte == 0:
            bits += 8
            continue
        return bits + 8 - byte.bit_length()
    return bits


def work_done(nonce: str, answer: str, bits: int) -> bool:
    """Whether an answer solves a proof-of-work challenge.

    Rule: SHA-256 of ``nonce + ":" + answer`` (UTF-8) starts with at least ``bits`` zero bits;
    the answer is 1–16 digits (a counter the page's script counts up). About 2**bits hashes
    are needed: 16 bits take a phone well under a second, a vote farm every vote's worth.

    =============================  =====  ======
    nonce, answer                  bits   solved
    =============================  =====  ======
    "abc", an answer found         8      yes
    the same, one digit changed    8      no (almost always)
    "abc", "" or "x1"              0      no (not digits)
    any, any digits                0      yes
    =============================  =====  ======
    """
    if not (answer.isascii() and answer.isdigit() and 1 <= len(answer) <= 16):
        return False
    digest = hashlib.sha256(f"{nonce}:{answer}".encode()).digest()
    return leading_zero_bits(digest) >= bits


def tie_at_the_line(
    ranked: list[tuple[int, Decimal]], experts: dict[int, Decimal], titles: int
) -> list[int]:
    """The nominees tied across the title line that the expert score does not part (empty:
    the line is clear): the panel chair records the order among them.

    Rule: the last title's holder and the first one below the line share the combined score
    and the expert score; every nominee sharing both with them is in the tie (in the
    ranking's order). With no one below the line there is no tie.

    ======================================  =======  ===============
    ranked (id, combined), experts          titles   tie
    ======================================  =======  ===============
    1: 90, 2: 80, 3: 70                     2        none
    1: 90, 2: 80 (e 50), 3: 80 (e 50)       2        2, 3
    1: 90, 2: 80 (e 60), 3: 80 (e 50)       2        none (experts part them)
    1: 80, 2: 80, 3: 80 (e all 50)          1        1, 2, 3
    1: 90, 2: 80                            2        none (nobody below)
    ======================================  =======  ===============
    """
    if len(ranked) <= titles:
        return []
    last, first_out = ranked[titles - 1], ranked[titles]

    def key(p):
        return (p[1], experts.get(p[0], Decimal(0)))

    if key(last) != key(first_out):
        return []
    return [s for s, c in ranked if key((s, c)) == key(last)]

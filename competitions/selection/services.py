"""A 工匠 selection's services: the campaign and its bodies, nomination, the qualification
review, the experts' ranking, the public vote (counted in Redis, its trail written by the
workers in batches) with fraud flags, voids and resets, and the combined ranking written as
``result`` rows for publication and certificates (flush, never commit)."""

import json
import secrets
import time
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from decimal import Decimal

import redis
from flask import current_app
from itsdangerous import BadSignature, SignatureExpired, URLSafeTimedSerializer
from sqlalchemy import func, insert, select, update

from competitions.accounts.models import ContestRole, User
from competitions.assessment.models import Assessment, every_kinds_facts
from competitions.certificates.models import Certificate
from competitions.core import audit_words
from competitions.core.crypto import id_number_hash
from competitions.core.db import db, utcnow
from competitions.core.words import N_, Reason
from competitions.enrolment.rules import sniff_type
from competitions.judging import rules as judging_rules
from competitions.judging.models import Mark, PanelMember, SchemeItem, SchemePart
from competitions.publication import rules as publication_rules
from competitions.publication import services as publication
from competitions.publication.models import Appeal
from competitions.registry import rules as registry_rules
from competitions.registry.models import Contest, Person
from competitions.registry.services import find_person
from competitions.results.models import Result, ResultSet
from competitions.selection import rules
from competitions.selection.models import (
    ChannelTally,
    NominatingBody,
    Nominee,
    NomineeAttachment,
    SelectionCampaign,
    SelectionExpert,
    TieDecision,
    Vote,
    VoteVoid,
)

#: The largest attachment of a nomination.
ATTACHMENT_MAX_BYTES = 5 * 1024 * 1024


class SelectionError(Exception):
    """A change the rules refuse; ``reason`` says why, ``field`` where (for the form)."""

    def __init__(self, reason: Reason, field: str | None = None):
        super().__init__(str(reason))
        self.reason, self.field = reason, field


def campaign_of(contest_id: int) -> SelectionCampaign | None:
    """The selection campaign held in the contest, if any."""
    return db.session.scalar(select(SelectionCampaign).filter_by(contest_id=contest_id))


def create_campaign(contest_id: int, **settings) -> SelectionCampaign:
    """A campaign in the contest (one per contest), with its expert-review scheme part."""
    if campaign_of(contest_id):
        raise SelectionError(Reason.of(N_("this contest already holds a selection campaign")))
    campaign = SelectionCampaign(contest_id=contest_id, **_checked(settings))
    db.session.add(campaign)
    db.session.flush()
    db.session.add(SchemePart(assessment_id=campaign.id, kind="practical", name="专家评审"))
    db.session.flush()
    return campaign


#: What the organiser may change of a campaign after setting it up (until its ranking goes
#: under public notice).
EDITABLE = (
    "name",
    "title_name",
    "level",
    "titles",
    "vote_nominees",
    "min_years_in_trade",
    "max_age",
    "needs_lower_title",
    "nominations_close",
    "vote_opens",
    "vote_closes",
    "expert_weight",
    "vote_weight",
    "daily_votes",
    "channel_weights",
    "challenge_after",
)


def update_campaign(campaign: SelectionCampaign, **settings) -> SelectionCampaign:
    """Change a campaign's settings (the dates, the numbers, the weights, eligibility) until
    its ranking goes under public notice; the same checks as when it was set up. The vote's
    settings kept in Redis are dropped, so the next vote reads the new ones."""
    result_set = db.session.get(ResultSet, campaign.id)
    if result_set is not None and result_set.state != "draft":
        raise SelectionError(
            Reason.of(N_("the ranking is under public notice or final: the campaign is fixed"))
        )
    settings = _checked(settings, campaign)
    for name in EDITABLE:
        if name in settings:
            setattr(campaign, name, settings[name])
    db.session.flush()
    client = _redis()
    if client is not None:
        client.delete(_settings_key(campaign.id), f"jingsai:vote:{campaign.id}:nominees")
    return campaign


def _checked(settings: dict, campaign: SelectionCampaign | None = None) -> dict:
    """A campaign's settings as they are kept, once checked: the experts' and the vote's weights
    add up to 100 (one not given is the campaign's, or 70/30 for a new one); the channels'
    weights read (:func:`rules.parse_channel_weights`) and are written one way; the burst after
    which a check is asked is 1-10000 votes. Raises SelectionError beside the field."""
    expert = settings.get("expert_weight", campaign.expert_weight if campaign else 70)
    vote = settings.get("vote_weight", campaign.vote_weight if campaign else 30)
    if Decimal(expert) + Decimal(vote) != 100:
        raise SelectionError(Reason.of(N_("the weights must add up to 100")), "vote_weight")
    if "channel_weights" in settings:
        weights, problem = rules.parse_channel_weights(settings["channel_weights"] or "")
        if problem:
            raise SelectionError(problem, "channel_weights")
        written = ", ".join(f"{c} {w}" for c, w in weights.items())
        settings = {**settings, "channel_weights": written}
    if "challenge_after" in settings and not 1 <= (settings["challenge_after"] or 0) <= 10000:
        raise SelectionError(Reason.of(N_("between 1 and 10000")), "challenge_after")
    return settings


def set_vote_settings(campaign: SelectionCampaign, channel_weights: str, challenge_after: int):
    """The vote's channels and their weights, and the burst after which a challenge is asked."""
    settings = _checked(
        {"channel_weights": channel_weights, "challenge_after": challenge_after}, campaign
    )
    campaign.channel_weights = settings["channel_weights"]
    campaign.challenge_after = challenge_after
    db.session.flush()
    client = _redis()
    if client is not None:  # the vote reads its settings from Redis: drop the kept ones
        client.delete(f"jingsai:vote:{campaign.id}:settings")


def add_body(
    campaign: SelectionCampaign,
    name: str,
    kind: str,
    unit_id: int | None,
    nominator: str,
    quota: int,
) -> NominatingBody:
    """A nominating body; its nominator is an existing account, named by its username."""
    user = db.session.scalar(select(User).filter_by(username=nominator.strip()))
    if user is None:
        raise SelectionError(Reason.of(N_("no account with this username")), "nominator")
    if quota < 0:
        raise SelectionError(Reason.of(N_("must not be negative")), "quota")
    if db.session.scalar(select(NominatingBody).filter_by(campaign_id=campaign.id, name=name)):
        raise SelectionError(Reason.of(N_("this body is already listed")), "name")
    body = NominatingBody(
        campaign_id=campaign.id,
        name=name.strip(),
        kind=kind,
        unit_id=unit_id,
        nominator_id=user.id,
        quota=quota,
    )
    db.session.add(body)
    db.session.flush()
    return body


def bodies_of_nominator(campaign: SelectionCampaign, user_id: int) -> list[NominatingBody]:
    return list(
        db.session.scalars(
            select(NominatingBody).filter_by(campaign_id=campaign.id, nominator_id=user_id)
        )
    )


def nominating_for(user_id: int) -> list[NominatingBody]:
    """The nominating bodies, of every campaign, whose nominator is the account (newest first)."""
    return list(
        db.session.scalars(
            select(NominatingBody)
            .filter_by(nominator_id=user_id)
            .order_by(NominatingBody.campaign_id.desc(), NominatingBody.name)
        )
    )


def used_quota(body: NominatingBody) -> int:
    return db.session.scalar(select(func.count()).select_from(Nominee).filter_by(body_id=body.id))


def _on_panel(campaign: SelectionCampaign, name: str, unit_id: int | None, id_hash: str) -> bool:
    """Whether an expert of the campaign (a panel member or a judge of its contest) is this
    person: the ID number recorded for the expert (``set_expert``) is theirs, or, for an expert
    without one, the same name and unit (accounts carry no ID number)."""
    recorded = dict(
        db.session.execute(
            select(SelectionExpert.user_id, SelectionExpert.id_number_hash).where(
                SelectionExpert.campaign_id == campaign.id, SelectionExpert.id_number_hash != ""
            )
        ).all()
    )
    if id_hash in recorded.values():
        return True
    experts = (
        select(PanelMember.user_id)
        .where(PanelMember.assessment_id == campaign.id)
        .union(
            select(ContestRole.user_id).where(
                ContestRole.contest_id == campaign.contest_id,
                ContestRole.role.in_(("judge", "chief_judge")),
            )
        )
    )
    users = db.session.scalars(select(User).where(User.id.in_(experts)))
    return any(
        u.id not in recorded
        and u.display_name.strip() == name.strip()
        and (u.unit_id is None or u.unit_id == unit_id)
        for u in users
    )


def experts_of(campaign: SelectionCampaign) -> list[tuple[User, SelectionExpert | None]]:
    """The campaign's experts (its panel and the contest's judges) with what the campaign
    records of them."""
    ids = (
        select(PanelMember.user_id)
        .where(PanelMember.assessment_id == campaign.id)
        .union(
            select(ContestRole.user_id).where(
                ContestRole.contest_id == campaign.contest_id,
                ContestRole.role.in_(("judge", "chief_judge")),
            )
        )
    )
    users = db.session.scalars(select(User).where(User.id.in_(ids)).order_by(User.display_name))
    kept = {
        e.user_id: e
        for e in db.session.scalars(select(SelectionExpert).filter_by(campaign_id=campaign.id))
    }
    return [(u, kept.get(u.id)) for u in users]


def set_expert(
    campaign: SelectionCampaign,
    user_id: int,
    body_id: int | None,
    unit_id: int | None,
    id_number: str,
) -> SelectionExpert:
    """Record an expert's nominating body and unit (they recuse from its nominees and their
    unit's) and, when given, their ID number (a nominee with it is refused, and an expert who
    is already a nominee cannot be recorded)."""
    if user_id not in {u.id for u, _ in experts_of(campaign)}:
        raise SelectionError(Reason.of(N_("not an expert of this campaign")), "user_id")
    if body_id and body_id not in {b.id for b in campaign.bodies}:
        raise SelectionError(Reason.of(N_("not a nominating body of this campaign")), "body_id")
    expert = db.session.scalar(
        select(SelectionExpert).filter_by(campaign_id=campaign.id, user_id=user_id)
    )
    if expert is None:
        expert = SelectionExpert(campaign_id=campaign.id, user_id=user_id)
        db.session.add(expert)
    if id_number.strip():
        facts = registry_rules.PersonFacts("-", None, None, "resident", id_number)
        problems = registry_rules.person_problems(facts)
        if "id_number" in problems:
            raise SelectionError(problems["id_number"], "id_number")
        number = registry_rules.complete_person(facts).id_number
        hashed = id_number_hash(number)
        nominated = db.session.scalar(
            select(Person.name)
            .join(Nominee, Nominee.person_id == Person.id)
            .where(Nominee.campaign_id == campaign.id, Person.id_number_hash == hashed)
        )
        if nominated:
            raise SelectionError(
                Reason.of(
                    N_("%(name)s with this ID number is a nominee: they cannot sit on the panel"),
                    name=nominated,
                ),
                "id_number",
            )
        expert.id_number_hash, expert.id_number_tail = hashed, number[-4:]
    expert.body_id, expert.unit_id = body_id or None, unit_id or None
    db.session.flush()
    return expert


@dataclass
class Nomination:
    name: str
    id_number: str
    unit_id: int | None
    trade: str
    deeds: str
    achievements: str = ""
    years_in_trade: int = 0
    in_service: bool = True
    disciplinary_record: bool = False
    holds_lower_title: bool = False
    award_subject_id: int | None = None


def nominate(
    body: NominatingBody,
    n: Nomination,
    now: datetime,
    files: list[tuple[str, bytes]] = (),
) -> Nominee:
    """Nominate a person; refused whole (nothing saved) over quota, after the deadline, for an
    unsound ID, for an expert of the panel, or for a bad attachment."""
    campaign = body.campaign
    problems = registry_rules.person_problems(
        registry_rules.PersonFacts(n.name, None, None, "resident", n.id_number)
    )
    if problems:
        field, reason = next(iter(problems.items()))
        raise SelectionError(reason, field)
    if not n.trade.strip():
        raise SelectionError(Reason.of(N_("a trade is required")), "trade")
    if not n.deeds.strip():
        raise SelectionError(Reason.of(N_("the deeds are required")), "deeds")
    facts = registry_rules.complete_person(
        registry_rules.PersonFacts(n.name, None, None, "resident", n.id_number)
    )
    person = find_person("resident", facts.id_number)
    already = person is not None and (
        db.session.scalar(
            select(Nominee.id).filter_by(campaign_id=campaign.id, person_id=person.id)
        )
        is not None
    )
    on_panel = _on_panel(campaign, facts.name, n.unit_id, id_number_hash(facts.id_number))
    problem = rules.nomination_problem(
        body.quota, used_quota(body), campaign.nominations_close, now, on_panel, already
    )
    if problem:
        panel = problem.msgid == rules.ON_PANEL
        raise SelectionError(problem, "id_number" if panel else None)
    ineligible = rules.eligibility_by_field(
        eligibility(campaign),
        rules.Candidate(
            in_service=n.in_service,
            years_in_trade=n.years_in_trade,
            age=registry_rules.age_on(facts.birth_date, now.date()),
            disciplinary_record=n.disciplinary_record,
            holds_lower_title=n.holds_lower_title,
        ),
    )
    if ineligible:
        field, reason = next(iter(ineligible.items()))
        raise SelectionError(reason, field)
    for _filename, data in files:
        if len(data) > ATTACHMENT_MAX_BYTES:
            raise SelectionError(
                Reason.of(N_("the file is larger than %(mb)s MB"), mb=5), "attachment"
            )
        if sniff_type(data) is None:
            raise SelectionError(
                Reason.of(N_("an attachment must be a PDF or an image (PNG, JPEG)")), "attachment"
            )
    if person is None:
        person = Person(
            name=facts.name,
            gender=facts.gender,
            birth_date=facts.birth_date,
            id_type="resident",
            id_number=facts.id_number,
            unit_id=n.unit_id,
        )
        db.session.add(person)
        db.session.flush()
    nominee = Nominee(
        campaign_id=campaign.id,
        person_id=person.id,
        body_id=body.id,
        trade=n.trade.strip(),
        deeds=n.deeds.strip(),
        achievements=n.achievements.strip(),
        years_in_trade=n.years_in_trade,
        in_service=n.in_service,
        disciplinary_record=n.disciplinary_record,
        holds_lower_title=n.holds_lower_title,
        award_subject_id=n.award_subject_id,
        nominated_at=now,
    )
    db.session.add(nominee)
    db.session.flush()
    for filename, data in files:
        db.session.add(
            NomineeAttachment(
                nominee_id=nominee.id,
                filename=filename[:200] or "attachment",
                content_type=sniff_type(data),
                size=len(data),
                data=data,
            )
        )
    db.session.flush()
    return nominee


def proposed_candidates(campaign: SelectionCampaign) -> list[tuple[Result, object]]:
    """First prizes of provincial contests in the last three years, from Jingsai's own final
    results: (the result, its facts) — the person, their unit and the contest."""
    facts = every_kinds_facts()
    rows = db.session.execute(
        select(Result, facts, Contest)
        .join(facts, facts.c.subject_id == Result.subject_id)
        .join(Assessment, Assessment.id == Result.assessment_id)
        .join(Contest, Contest.id == Assessment.contest_id)
        .where(Result.award == "first", Contest.id != campaign.contest_id)
    ).all()
    year = campaign.contest.year
    return [
        row
        for row in rows
        if row.person_id and rules.proposed_award(row.Contest.tier, "first", row.Contest.year, year)
    ]


def eligibility(campaign: SelectionCampaign) -> rules.Eligibility:
    return rules.Eligibility(
        campaign.min_years_in_trade, campaign.max_age, campaign.needs_lower_title
    )


def candidate_facts(nominee: Nominee, on: date) -> rules.Candidate:
    return rules.Candidate(
        in_service=nominee.in_service,
        years_in_trade=nominee.years_in_trade,
        age=registry_rules.age_on(nominee.person.birth_date, on),
        disciplinary_record=nominee.disciplinary_record,
        holds_lower_title=nominee.holds_lower_title,
    )


def review_problems(nominee: Nominee, on: date) -> list[Reason]:
    """What the eligibility rules find against a nominee (shown to the reviewer)."""
    return rules.eligibility_problems(
        eligibility(nominee.body.campaign), candidate_facts(nominee, on)
    )


def pass_nominee(nominee: Nominee, on: date) -> None:
    """Pass the qualification review; refused while the rules find a problem."""
    problems = review_problems(nominee, on)
    if problems:
        raise SelectionError(problems[0])
    nominee.state, nominee.return_reason = "passed", ""
    db.session.flush()


def return_nominee(nominee: Nominee, reason: str) -> None:
    """Return a nomination with a reason (the nominating body reads it)."""
    if not reason.strip():
        raise SelectionError(Reason.of(N_("a reason is required")), "reason")
    nominee.state, nominee.return_reason = "returned", reason.strip()
    db.session.flush()


def expert_scores(campaign: SelectionCampaign) -> dict[int, Decimal]:
    """Each passed nominee's expert score: the sum of its items' marks, aggregated by
    judging's rule per item (mean, trimmed…)."""
    items = list(
        db.session.scalars(
            select(SchemeItem)
            .join(SchemePart, SchemePart.id == SchemeItem.part_id)
            .where(SchemePart.assessment_id == campaign.id)
        )
    )
    by_item = {i.id: i for i in items}
    values: dict[tuple[int, int], list] = {}
    for m in db.session.scalars(select(Mark).where(Mark.item_id.in_(list(by_item)))):
        values.setdefault((m.subject_id, m.item_id), []).append(m.value)
    totals: dict[int, Decimal] = {
        n: Decimal(0)
        for n in db.session.scalars(
            select(Nominee.id).filter_by(campaign_id=campaign.id, state="passed")
        )
    }
    for (subject, item_id), marks in values.items():
        if subject in totals:
            totals[subject] += judging_rules.item_mark(marks, by_item[item_id].rule)
    return totals


def vote_nominees(campaign: SelectionCampaign) -> list[int]:
    """The experts' best ``vote_nominees`` (by expert score, then id): put to the public vote."""
    scores = expert_scores(campaign)
    order = sorted(scores, key=lambda s: (-scores[s], s))
    return order[: campaign.vote_nominees]


# --- the public vote ----------------------------------------------------------------------------

#: Votes one address may cast in a day, whatever its devices.
ADDRESS_DAILY_LIMIT = 200


def _redis() -> redis.Redis | None:
    url = current_app.config.get("REDIS_URL")
    if not url:
        return None
    clients = current_app.extensions.setdefault("jingsai_vote_clients", {})
    if url not in clients:
        clients[url] = redis.Redis.from_url(url, socket_timeout=2, socket_connect_timeout=2)
    return clients[url]


def stream_key(campaign_id: int) -> str:
    return f"jingsai:vote:{campaign_id}:trail"


#: Atomic, in one round trip: the vote's settings (kept 30 s in Redis; ``unknown`` when not
#: kept, and the caller keeps them and asks again), then :func:`rules.may_vote` (the window,
#: one vote per nominee a day, the daily limit), the address's day, the burst
#: (:func:`rules.needs_challenge`: an address or a device family past its limit in these five
#: minutes must bring a solved challenge, each used once), then the trail (XADD to the stream,
#: which the workers write to PostgreSQL), the counts and whether the workers should be asked
#: to write the trail (at most once a second). Returns {'ok', stream id, ask} or {refusal
#: word, its number}.
_CAST = """
local voter, addr, count, stream, settings, scheduled =
  KEYS[1], KEYS[2], KEYS[3], KEYS[4], KEYS[5], KEYS[6]
local burst_a, burst_f, proof = KEYS[7], KEYS[8], KEYS[9]
local nominee, addr_limit, moment = ARGV[1], tonumber(ARGV[2]), ARGV[3]
local trust, family_factor, proved = tonumber(ARGV[9]), tonumber(ARGV[10]), ARGV[11]
local s = redis.call('HMGET', settings, 'opens', 'closes', 'daily', 'nominees', 'challenge_after')
if not s[1] then return {'unknown'} end
if not string.find(s[4], ',' .. nominee .. ',', 1, true) then return {'nominee'} end
if moment < s[1] then return {'before'} end
if moment > s[2] then return {'closed'} end
if redis.call('SISMEMBER', voter, nominee) == 1 then return {'again'} end
if redis.call('SCARD', voter) >= tonumber(s[3]) then return {'daily', s[3]} end
if tonumber(redis.call('GET', addr) or '0') >= addr_limit then return {'address'} end
local limit = tonumber(s[5]) * trust
if proved == '1' then
  if not redis.call('SET', proof, 1, 'NX', 'EX', 1800) then return {'replayed'} end
elseif tonumber(redis.call('GET', burst_a) or '0') >= limit
    or tonumber(redis.call('GET', burst_f) or '0') >= limit * family_factor then
  return {'challenge'}
end
local id = redis.call('XADD', stream, '*', 'n', nominee, 'd', ARGV[4], 'f', ARGV[5],
  'a', ARGV[6], 'c', ARGV[7], 't', ARGV[8])
redis.call('SADD', voter, nominee)
redis.call('EXPIRE', voter, 172800)
redis.call('INCR', addr)
redis.call('EXPIRE', addr, 172800)
redis.call('INCR', burst_a)
redis.call('EXPIRE', burst_a, 600)
redis.call('INCR', burst_f)
redis.call('EXPIRE', burst_f, 600)
redis.call('HINCRBY', count, nominee, 1)
local ask = redis.call('SET', scheduled, '1', 'NX', 'PX', 1000) and 1 or 0
return {'ok', id, ask}
"""

REFUSALS = {
    "nominee": N_("no such nominee in this vote"),
    "before": N_("the vote has not opened yet"),
    "closed": N_("the vote has closed"),
    "again": N_("you have already voted for this nominee today"),
    "daily": N_("you have used today's %(n)s votes"),
    "address": N_("too many votes from your network today"),
    "replayed": N_("this check was already used: vote again to get a new one"),
}
CHALLENGE = N_("many votes come from your network just now: your phone solves a short check")
#: A device family's burst limit is this many times an address's.
FAMILY_BURST_FACTOR = 5
#: How long a challenge may be answered, in seconds.
CHALLENGE_MAX_AGE = 600


class ChallengeNeeded(SelectionError):
    """A burst comes from the voter's place: the vote counts once this challenge is solved."""

    def __init__(self, challenge: dict):
        super().__init__(Reason.of(CHALLENGE))
        self.challenge = challenge


def _trust() -> int:
    """How many times the usual a day's votes the site trusts one address with
    (``VOTE_ADDRESS_DAILY_LIMIT`` over ``ADDRESS_DAILY_LIMIT``: a factory behind one address,
    or the load bench, whose phones are all 127.0.0.1); the burst limits rise alike."""
    daily = current_app.config.get("VOTE_ADDRESS_DAILY_LIMIT", ADDRESS_DAILY_LIMIT)
    return max(1, daily // ADDRESS_DAILY_LIMIT)


def burst_limits(challenge_after: int) -> tuple[int, int]:
    """The burst limits of an address and of a device family in five minutes: the campaign's,
    raised in proportion to the site's trust in one address (:func:`_trust`)."""
    address = challenge_after * _trust()
    return address, address * FAMILY_BURST_FACTOR


#: Moments compared as text in the script: fixed width, so text order is time order.
_MOMENT = "%Y%m%d%H%M%S%f"


def new_device() -> str:
    return secrets.token_urlsafe(16)


def _challenges() -> URLSafeTimedSerializer:
    return URLSafeTimedSerializer(current_app.secret_key, salt="selection-challenge")


def issue_challenge(campaign_id: int, device: str) -> dict:
    """A proof-of-work challenge for this device's next vote: a signed nonce (the campaign,
    the device, a random id, the time) and the bits of work asked (``rules.work_done``)."""
    nonce = _challenges().dumps([campaign_id, device, secrets.token_hex(8)])
    return {"nonce": nonce, "bits": current_app.config.get("VOTE_CHALLENGE_BITS", 16)}


def proof_id(campaign_id: int, device: str, nonce: str, answer: str) -> str:
    """The id of a solved challenge (used once), or refused: a nonce we did not sign for this
    campaign and device, an expired one, or an answer that does not do the work."""
    try:
        cid, dev, rid = _challenges().loads(nonce, max_age=CHALLENGE_MAX_AGE)
    except SignatureExpired:
        raise SelectionError(Reason.of(N_("the check expired: vote again"))) from None
    except (BadSignature, ValueError, TypeError):
        raise SelectionError(Reason.of(N_("the check's answer is not valid"))) from None
    bits = current_app.config.get("VOTE_CHALLENGE_BITS", 16)
    if (cid, dev) != (campaign_id, device) or not rules.work_done(nonce, answer, bits):
        raise SelectionError(Reason.of(N_("the check's answer is not valid")))
    return rid


@dataclass(frozen=True)
class Cast:
    """An acknowledged vote: its trail id, and whether the workers should write the trail."""

    id: str
    ask_workers: bool


def _cast_script(client: redis.Redis):
    """The counting script, sent to Redis once and then called by its digest (EVALSHA)."""
    scripts = current_app.extensions.setdefault("jingsai_vote_scripts", {})
    if id(client) not in scripts:
        scripts[id(client)] = client.register_script(_CAST)
    return scripts[id(client)]


def cast_vote(
    campaign,
    nominee_id: int,
    device: str,
    family: str,
    address: str,
    channel: str,
    now: datetime,
    proof: tuple[str, str] | None = None,
) -> str:
    """Count one vote of ``campaign`` (its id is enough with Redis); returns its trail id once
    it is safe (see :func:`cast`)."""
    return cast(campaign, nominee_id, device, family, address, channel, now, proof).id


def cast(
    campaign,
    nominee_id: int,
    device: str,
    family: str,
    address: str,
    channel: str,
    now: datetime,
    proof: tuple[str, str] | None = None,
) -> Cast:
    """Count one vote; acknowledged once it is safe: in the Redis stream that the workers copy
    to PostgreSQL (Redis answers the script once it is written), or, without Redis, in the
    database itself (the caller commits). ``proof`` is a solved challenge (nonce, answer):
    asked for (:class:`ChallengeNeeded`) once a burst comes from the voter's address or device
    family; checked here, used once (in the same Redis call). Raises :class:`SelectionError`
    with the refusal, and LookupError when there is no such campaign."""
    proved = proof_id(campaign.id, device, *proof) if proof else ""
    family = family[:60]
    client = _redis()
    if client is None:
        settings = campaign if isinstance(campaign, VoteSettings) else vote_settings(campaign.id)
        if settings is None:
            raise LookupError(campaign.id)
        token = _cast_in_database(
            settings, nominee_id, device, family, address, channel, now, proved
        )
        return Cast(token, False)
    day = now.date().isoformat()
    window = int(time.time()) // 300
    keys = (
        f"jingsai:vote:{campaign.id}:voter:{device}:{day}",
        f"jingsai:vote:{campaign.id}:addr:{address}:{day}",
        f"jingsai:vote:{campaign.id}:count",
        stream_key(campaign.id),
        _settings_key(campaign.id),
        f"jingsai:vote:{campaign.id}:scheduled",
        f"jingsai:vote:{campaign.id}:burst:a:{address}:{window}",
        f"jingsai:vote:{campaign.id}:burst:f:{family}:{window}",
        f"jingsai:vote:{campaign.id}:proof:{proved}",
    )
    args = (
        nominee_id,
        current_app.config.get("VOTE_ADDRESS_DAILY_LIMIT", ADDRESS_DAILY_LIMIT),
        now.strftime(_MOMENT),
        device,
        family,
        address,
        channel,
        now.isoformat(),
        _trust(),
        FAMILY_BURST_FACTOR,
        "1" if proved else "",
    )
    script = _cast_script(client)
    answer = script(keys, args)
    if answer[0] == b"unknown":
        if vote_settings(campaign.id) is None:  # keeps them in Redis
            raise LookupError(campaign.id)
        answer = script(keys, args)
    word = answer[0].decode()
    if word == "challenge":
        raise ChallengeNeeded(issue_challenge(campaign.id, device))
    if word != "ok":
        if word not in REFUSALS:
            raise LookupError(campaign.id)
        n = int(answer[1]) if len(answer) > 1 else 0
        raise SelectionError(Reason.of(REFUSALS[word], n=n))
    return Cast(answer[1].decode(), bool(answer[2]))


def voted_today(campaign_id: int, device: str, now: datetime) -> set[int]:
    """The nominees ``device`` has voted for today (their buttons say so on the vote page):
    from Redis where the vote counts there, else from the trail."""
    client = _redis()
    if client is not None:
        key = f"jingsai:vote:{campaign_id}:voter:{device}:{now.date().isoformat()}"
        return {int(n) for n in client.smembers(key)}
    start = datetime(now.year, now.month, now.day)
    return set(
        db.session.scalars(
            select(Vote.nominee_id).where(
                Vote.campaign_id == campaign_id, Vote.device == device, Vote.cast_at >= start
            )
        )
    )


def _cast_in_database(campaign, nominee_id, device, family, address, channel, now, proved) -> str:
    """Without Redis (a single process): the same rules over the trail; a used challenge is
    refused by the vote's token, which carries its id."""
    if nominee_id not in campaign.nominees:
        raise SelectionError(Reason.of(REFUSALS["nominee"]))
    mine = voted_today(campaign.id, device, now)
    problem = rules.may_vote(
        len(mine),
        nominee_id in mine,
        campaign.vote_opens,
        campaign.vote_closes,
        now,
        campaign.daily_votes,
    )
    if problem:
        raise SelectionError(problem)
    if proved:
        if db.session.scalar(select(Vote.id).filter_by(token=f"db-proof-{proved}")) is not None:
            raise SelectionError(Reason.of(REFUSALS["replayed"]))
    else:
        since = now - timedelta(minutes=5)
        recent = select(func.count()).where(Vote.campaign_id == campaign.id, Vote.cast_at >= since)
        from_address = db.session.scalar(recent.where(Vote.address == address))
        from_family = db.session.scalar(recent.where(Vote.device_family == family))
        limits = burst_limits(campaign.challenge_after)
        if rules.needs_challenge(from_address, from_family, *limits):
            raise ChallengeNeeded(issue_challenge(campaign.id, device))
    token = f"db-proof-{proved}" if proved else "db-" + secrets.token_hex(12)
    db.session.add(
        Vote(
            token=token,
            campaign_id=campaign.id,
            nominee_id=nominee_id,
            device=device,
            device_family=family,
            address=address,
            channel=channel,
            cast_at=now,
        )
    )
    db.session.flush()
    return token


@dataclass(frozen=True)
class VoteSettings:
    """What a vote needs of its campaign."""

    id: int
    vote_opens: datetime
    vote_closes: datetime
    daily_votes: int
    nominees: frozenset
    challenge_after: int = 20


def _settings_key(campaign_id: int) -> str:
    return f"jingsai:vote:{campaign_id}:settings"


def vote_settings(campaign_id: int) -> VoteSettings | None:
    """The campaign's vote settings (None: no such campaign), read from the database and kept
    30 s in Redis for the counting script (:data:`_CAST`)."""
    campaign = db.session.get(SelectionCampaign, campaign_id)
    if campaign is None:
        return None
    ids = vote_nominees(campaign)
    settings = VoteSettings(
        campaign.id,
        campaign.vote_opens,
        campaign.vote_closes,
        campaign.daily_votes,
        frozenset(ids),
        campaign.challenge_after,
    )
    client = _redis()
    if client is not None:
        key = _settings_key(campaign_id)
        pipe = client.pipeline()
        pipe.hset(
            key,
            mapping={
                "opens": campaign.vote_opens.strftime(_MOMENT),
                "closes": campaign.vote_closes.strftime(_MOMENT),
                "daily": campaign.daily_votes,
                "nominees": "," + ",".join(map(str, ids)) + ",",
                "challenge_after": campaign.challenge_after,
            },
        )
        pipe.expire(key, 30)
        pipe.execute()
    return settings


def vote_nominees_cached(campaign: SelectionCampaign) -> list[int]:
    """The nominees put to the vote, kept 30 s in Redis (the experts' marks are locked by then:
    the list does not change under the vote)."""
    client = _redis()
    if client is None:
        return vote_nominees(campaign)
    key = f"jingsai:vote:{campaign.id}:nominees"
    kept = client.get(key)
    if kept is not None:
        return [int(n) for n in kept.decode().split(",") if n]
    ids = vote_nominees(campaign)
    client.set(key, ",".join(map(str, ids)), ex=30)
    return ids


def write_trail(campaign_id: int, batch: int = 500) -> int:
    """Copy the stream's votes to PostgreSQL in batches (a vote already written is skipped by
    its token), then trim what was written. Returns how many were added. Called by the workers."""
    client = _redis()
    if client is None:
        return 0
    key = stream_key(campaign_id)
    added = 0
    while True:
        entries = client.xrange(key, "-", "+", count=batch)
        if not entries:
            return added
        tokens = [e[0].decode() for e in entries]
        known = set(db.session.scalars(select(Vote.token).where(Vote.token.in_(tokens))))
        rows = [
            {
                "token": token,
                "campaign_id": campaign_id,
                "nominee_id": int(f[b"n"]),
                "device": f[b"d"].decode(),
                "device_family": f[b"f"].decode(),
                "address": f[b"a"].decode(),
                "channel": f[b"c"].decode(),
                "cast_at": datetime.fromisoformat(f[b"t"].decode()),
            }
            for token, (_, f) in zip(tokens, entries, strict=True)
            if token not in known
        ]
        if rows:  # one INSERT of many rows (votes are not audited one by one: this is the trail)
            db.session.execute(insert(Vote), rows)
        db.session.commit()
        added += len(rows)
        client.xdel(key, *tokens)


def counts(campaign: SelectionCampaign) -> dict[int, int]:
    """Each nominee's counted votes (voided ones not counted): from the trail, plus those
    acknowledged in the stream and not yet written."""
    rows = db.session.execute(
        select(Vote.nominee_id, func.count())
        .where(Vote.campaign_id == campaign.id, Vote.void_id.is_(None))
        .group_by(Vote.nominee_id)
    ).all()
    result = dict(rows)
    client = _redis()
    if client is not None:  # a void writes the stream first: what is left came after it
        for _, fields in client.xrange(stream_key(campaign.id)):
            n = int(fields[b"n"])
            result[n] = result.get(n, 0) + 1
    return result


def public_counts(campaign: SelectionCampaign) -> dict[int, int]:
    """:func:`counts` for the public vote page, computed at most once a second per campaign
    (kept a second in Redis): a crowd opening the page does not count the trail each time.
    The organiser's pages and the combined ranking use :func:`counts` itself."""
    client = _redis()
    if client is None:
        return counts(campaign)
    key = f"jingsai:vote:{campaign.id}:public-counts"
    kept = client.get(key)
    if kept is not None:
        return {int(n): int(c) for n, c in json.loads(kept).items()}
    result = counts(campaign)
    client.set(key, json.dumps(result), px=1000)
    return result


def void_votes(
    campaign: SelectionCampaign,
    reason: str,
    user_id: int,
    nominee_id: int | None = None,
    source: str = "",
    starts_at: datetime | None = None,
    ends_at: datetime | None = None,
) -> VoteVoid:
    """Void the votes of a period or a source (or of a nominee: a reset to zero), with a
    required reason. The trail is written first, so no acknowledged vote escapes."""
    if not reason.strip():
        raise SelectionError(Reason.of(N_("a reason is required")), "reason")
    write_trail(campaign.id)
    void = VoteVoid(
        campaign_id=campaign.id,
        nominee_id=nominee_id,
        source=source,
        starts_at=starts_at,
        ends_at=ends_at,
        reason=reason.strip(),
        by_id=user_id,
    )
    db.session.add(void)
    db.session.flush()
    where = [Vote.campaign_id == campaign.id, Vote.void_id.is_(None)]
    if nominee_id:
        where.append(Vote.nominee_id == nominee_id)
    if source.startswith("address:"):
        where.append(Vote.address == source.removeprefix("address:"))
    elif source.startswith("device:"):
        where.append(Vote.device_family == source.removeprefix("device:"))
    if starts_at:
        where.append(Vote.cast_at >= starts_at)
    if ends_at:
        where.append(Vote.cast_at <= ends_at)
    void.voided = db.session.execute(update(Vote).where(*where).values(void_id=void.id)).rowcount
    db.session.flush()
    client = _redis()
    if client is not None:  # the public page counts again (the void is committed by then)
        client.delete(f"jingsai:vote:{campaign.id}:public-counts")
    return void


def flagged(campaign: SelectionCampaign) -> tuple[set[str], set[int]]:
    """The bursting sources, and the nominees receiving machine-regular votes."""
    votes = list(
        db.session.scalars(
            select(Vote).where(Vote.campaign_id == campaign.id, Vote.void_id.is_(None))
        )
    )
    records = [rules.VoteRecord(v.cast_at, v.address, v.device_family) for v in votes]
    per_nominee: dict[int, list[datetime]] = {}
    for v in votes:
        per_nominee.setdefault(v.nominee_id, []).append(v.cast_at)
    regular = {n for n, times in per_nominee.items() if rules.machine_regular(times)}
    return rules.bursts(records), regular


def curve(campaign: SelectionCampaign) -> dict[int, list[tuple[str, int]]]:
    """Votes per nominee per hour (the organiser's curve)."""
    out: dict[int, dict[str, int]] = {}
    for v in db.session.scalars(
        select(Vote).where(Vote.campaign_id == campaign.id, Vote.void_id.is_(None))
    ):
        hour = v.cast_at.strftime("%m-%d %H:00")
        out.setdefault(v.nominee_id, {}).setdefault(hour, 0)
        out[v.nominee_id][hour] += 1
    return {n: sorted(h.items()) for n, h in out.items()}


def channel_counts(campaign: SelectionCampaign) -> dict[int, dict[str, int]]:
    """Each nominee's counted votes per channel: the trail's (voided ones not counted), those
    acknowledged in the stream and not yet written, and the organiser's tallies of channels
    counted outside Jingsai."""
    out: dict[int, dict[str, int]] = {}
    for nominee_id, channel, n in db.session.execute(
        select(Vote.nominee_id, Vote.channel, func.count())
        .where(Vote.campaign_id == campaign.id, Vote.void_id.is_(None))
        .group_by(Vote.nominee_id, Vote.channel)
    ):
        out.setdefault(nominee_id, {})[channel] = n
    client = _redis()
    if client is not None:
        for _, fields in client.xrange(stream_key(campaign.id)):
            per = out.setdefault(int(fields[b"n"]), {})
            channel = fields[b"c"].decode()
            per[channel] = per.get(channel, 0) + 1
    for t in db.session.scalars(select(ChannelTally).filter_by(campaign_id=campaign.id)):
        per = out.setdefault(t.nominee_id, {})
        per[t.channel] = per.get(t.channel, 0) + t.votes
    return out


def vote_shares(campaign: SelectionCampaign, nominees: list[int]) -> dict[int, Decimal]:
    """The nominees' channel-weighted vote shares (``rules.weighted_vote_share``)."""
    weights, _ = rules.parse_channel_weights(campaign.channel_weights or "")
    by_channel = channel_counts(campaign)
    return rules.weighted_vote_share({n: by_channel.get(n, {}) for n in nominees}, weights)


def enter_tally(
    campaign: SelectionCampaign, nominee_id: int, channel: str, votes: int, note: str, user_id: int
) -> ChannelTally:
    """The organiser enters a channel's votes counted outside Jingsai (paper ballots…) for a
    nominee of the vote; a later entry replaces the earlier one (the audit log keeps both)."""
    if nominee_id not in vote_nominees(campaign):
        raise SelectionError(Reason.of(N_("no such nominee in this vote")), "nominee_id")
    if channel not in rules.WEIGHTED_CHANNELS or channel == "web":
        raise SelectionError(Reason.of(N_("web votes are counted by Jingsai itself")), "channel")
    if votes < 0:
        raise SelectionError(Reason.of(N_("must not be negative")), "votes")
    if not note.strip():
        raise SelectionError(Reason.of(N_("say where the count comes from")), "note")
    tally = db.session.scalar(
        select(ChannelTally).filter_by(nominee_id=nominee_id, channel=channel)
    )
    if tally is None:
        tally = ChannelTally(campaign_id=campaign.id, nominee_id=nominee_id, channel=channel)
        db.session.add(tally)
    tally.votes, tally.note, tally.by_id, tally.at = votes, note.strip(), user_id, utcnow()
    db.session.flush()
    return tally


def chair_orders(campaign: SelectionCampaign) -> dict[int, int]:
    return dict(
        db.session.execute(
            select(TieDecision.nominee_id, TieDecision.chair_order).where(
                TieDecision.campaign_id == campaign.id
            )
        ).all()
    )


def combined(campaign: SelectionCampaign, chair_order: dict[int, int] | None = None) -> ResultSet:
    """The combined ranking written as ``result`` rows (the top ``titles`` get the title:
    award "first"), ready for publication; called by the workers. The vote counts by its
    channel-weighted share; ties the expert score leaves go by the chair's recorded order."""
    write_trail(campaign.id)
    scores = expert_scores(campaign)
    nominees = vote_nominees(campaign)
    shares = vote_shares(campaign, nominees)
    orders = chair_orders(campaign) if chair_order is None else chair_order
    ranked = rules.combined_ranking(
        [rules.Standing(n, scores[n], shares.get(n, Decimal(0)), orders.get(n)) for n in nominees],
        campaign.expert_weight,
        campaign.vote_weight,
    )
    db.session.execute(Result.__table__.delete().where(Result.assessment_id == campaign.id))
    for position, (subject_id, score) in enumerate(ranked, start=1):
        db.session.add(
            Result(
                subject_id=subject_id,
                assessment_id=campaign.id,
                total=score,
                rank=position,
                award="first" if position <= campaign.titles else None,
            )
        )
    result_set = db.session.scalar(select(ResultSet).filter_by(assessment_id=campaign.id))
    if result_set is None:
        result_set = ResultSet(assessment_id=campaign.id, state="draft", ranked=len(ranked))
        db.session.add(result_set)
    result_set.ranked = len(ranked)
    db.session.flush()
    return result_set


def ranked(campaign: SelectionCampaign) -> list[tuple[int, Decimal]]:
    """The combined ranking as written: (nominee, combined score), best first."""
    return [
        (r.subject_id, r.total)
        for r in db.session.scalars(
            select(Result).filter_by(assessment_id=campaign.id).order_by(Result.rank)
        )
    ]


def open_tie(campaign: SelectionCampaign) -> list[int]:
    """The nominees tied at the title line that the expert score does not part and the chair
    has not yet ordered (empty: the ranking is complete)."""
    tied = rules.tie_at_the_line(ranked(campaign), expert_scores(campaign), campaign.titles)
    decided = chair_orders(campaign)
    return tied if any(n not in decided for n in tied) else []


def tied_at_line(campaign: SelectionCampaign) -> list[int]:
    """Every nominee tied at the title line (decided or not)."""
    return rules.tie_at_the_line(ranked(campaign), expert_scores(campaign), campaign.titles)


def decide_tie(
    campaign: SelectionCampaign, order: dict[int, int], reason: str, user_id: int
) -> list[TieDecision]:
    """The chair's order among the nominees tied at the title line (1 first), with a reason
    (shown in the 公示); refused unless every tied nominee has a distinct place."""
    tied = tied_at_line(campaign)
    if not tied:
        raise SelectionError(Reason.of(N_("there is no tie at the title line")))
    if not reason.strip():
        raise SelectionError(Reason.of(N_("a reason is required")), "reason")
    places = [order.get(n) for n in tied]
    if any(p is None for p in places) or sorted(places) != list(range(1, len(tied) + 1)):
        raise SelectionError(
            Reason.of(N_("give each tied nominee a different place, 1 to %(n)s"), n=len(tied)),
            "order",
        )
    db.session.execute(TieDecision.__table__.delete().where(TieDecision.nominee_id.in_(tied)))
    decisions = [
        TieDecision(
            campaign_id=campaign.id,
            nominee_id=n,
            chair_order=order[n],
            reason=reason.strip(),
            by_id=user_id,
        )
        for n in tied
    ]
    db.session.add_all(decisions)
    db.session.flush()
    return decisions


def may_decide_tie(campaign: SelectionCampaign, user_id: int, roles: set[str]) -> bool:
    """The organiser, or the chair of the campaign's panel (its chief judge)."""
    if "organiser" in roles:
        return True
    return (
        db.session.scalar(
            select(PanelMember.id).filter_by(
                assessment_id=campaign.id, user_id=user_id, role="chief_judge"
            )
        )
        is not None
    )


NOT_UNDER_NOTICE = publication_rules.OBJECTION_CLOSED


def file_objection(
    campaign: SelectionCampaign, nominee_id: int, name: str, contact: str, text: str, now
) -> Appeal:
    """A public objection to a nominee of the 公示: publication's objection
    (:func:`publication.file_objection`), an appeal the arbitrator decides, as a contest
    result's."""
    result_set = db.session.get(ResultSet, campaign.id)
    if result_set is None:
        raise SelectionError(Reason.of(NOT_UNDER_NOTICE))
    listed = set(db.session.scalars(select(Result.subject_id).filter_by(assessment_id=campaign.id)))
    try:
        return publication.file_objection(
            result_set, publication_rules.Objection(nominee_id, name, contact, text), listed, now
        )
    except publication.ObjectionRefused as refused:
        raise SelectionError(refused.reason, refused.field or None) from None


@dataclass(frozen=True)
class TitleHeld:
    year: int
    level: str
    title_name: str
    campaign: str
    state: str
    certificates: list


def titles_of_person(person_id: int) -> list[TitleHeld]:
    """The 工匠 titles a person was granted (the top of a final or noticed ranking), by year,
    newest first, with their valid certificates."""
    rows = db.session.execute(
        select(SelectionCampaign, Nominee, ResultSet.state)
        .join(Nominee, Nominee.campaign_id == SelectionCampaign.id)
        .join(Result, Result.subject_id == Nominee.id)
        .join(ResultSet, ResultSet.assessment_id == SelectionCampaign.id)
        .where(
            Nominee.person_id == person_id,
            Result.award == "first",
            ResultSet.state.in_(("notice", "final")),
        )
    ).all()
    out = []
    for campaign, nominee, state in rows:
        certificates = list(
            db.session.scalars(select(Certificate).filter_by(subject_id=nominee.id, state="valid"))
        )
        out.append(
            TitleHeld(
                campaign.contest.year,
                campaign.level,
                campaign.title_name,
                campaign.name,
                state,
                certificates,
            )
        )
    return sorted(out, key=lambda t: (-t.year, t.title_name))


@audit_words.names_records("nominating_body")
def _body_names(ids: set[int]) -> dict[int, str]:
    return dict(
        db.session.execute(
            select(NominatingBody.id, NominatingBody.name).where(NominatingBody.id.in_(ids))
        ).all()
    )


def today() -> date:
    return utcnow().date()

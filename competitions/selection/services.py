"""A 工匠 selection's services: the campaign and its bodies, nomination, the qualification
review, the experts' ranking, the public vote (counted in Redis, its trail written by the
workers in batches) with fraud flags, voids and resets, and the combined ranking written as
``result`` rows for publication and certificates (flush, never commit)."""

import secrets
from dataclasses import dataclass
from datetime import date, datetime
from decimal import Decimal

import redis
from flask import current_app
from sqlalchemy import func, select, update

from competitions.accounts.models import ContestRole, User
from competitions.assessment.models import Assessment, every_kinds_facts
from competitions.core import audit_words
from competitions.core.db import db, utcnow
from competitions.core.words import N_, Reason
from competitions.enrolment.rules import sniff_type
from competitions.judging import rules as judging_rules
from competitions.judging.models import Mark, PanelMember, SchemeItem, SchemePart
from competitions.registry import rules as registry_rules
from competitions.registry.models import Contest, Person
from competitions.registry.services import find_person
from competitions.results.models import Result, ResultSet
from competitions.selection import rules
from competitions.selection.models import (
    NominatingBody,
    Nominee,
    NomineeAttachment,
    SelectionCampaign,
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
    if Decimal(settings.get("expert_weight", 70)) + Decimal(settings.get("vote_weight", 30)) != 100:
        raise SelectionError(Reason.of(N_("the weights must add up to 100")), "vote_weight")
    campaign = SelectionCampaign(contest_id=contest_id, **settings)
    db.session.add(campaign)
    db.session.flush()
    db.session.add(SchemePart(assessment_id=campaign.id, kind="practical", name="专家评审"))
    db.session.flush()
    return campaign


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


def _on_panel(campaign: SelectionCampaign, name: str, unit_id: int | None) -> bool:
    """Whether an expert of the campaign (a panel member or a judge of its contest) is this
    person: the same name and unit (accounts carry no ID number)."""
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
        u.display_name.strip() == name.strip() and (u.unit_id is None or u.unit_id == unit_id)
        for u in users
    )


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
    problem = rules.nomination_problem(
        body.quota,
        used_quota(body),
        campaign.nominations_close,
        now,
        _on_panel(campaign, facts.name, n.unit_id),
        already,
    )
    if problem:
        raise SelectionError(problem)
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


#: Atomic: the voter's day (one per nominee, a daily limit), the address's day, then the trail
#: (XADD to the stream, which the workers write to PostgreSQL) and the count. Returns the
#: stream id, or an error word.
_CAST = """
local voter, addr, count, stream = KEYS[1], KEYS[2], KEYS[3], KEYS[4]
local nominee, daily, addr_limit = ARGV[1], tonumber(ARGV[2]), tonumber(ARGV[3])
if redis.call('SISMEMBER', voter, nominee) == 1 then return 'again' end
if redis.call('SCARD', voter) >= daily then return 'daily' end
if tonumber(redis.call('GET', addr) or '0') >= addr_limit then return 'address' end
local id = redis.call('XADD', stream, '*', 'n', nominee, 'd', ARGV[4], 'f', ARGV[5],
  'a', ARGV[6], 'c', ARGV[7], 't', ARGV[8])
redis.call('SADD', voter, nominee)
redis.call('EXPIRE', voter, 172800)
redis.call('INCR', addr)
redis.call('EXPIRE', addr, 172800)
redis.call('HINCRBY', count, nominee, 1)
return id
"""

REFUSALS = {
    "again": N_("you have already voted for this nominee today"),
    "daily": N_("you have used today's %(n)s votes"),
    "address": N_("too many votes from your network today"),
}


def new_device() -> str:
    return secrets.token_urlsafe(16)


def cast_vote(
    campaign: SelectionCampaign,
    nominee_id: int,
    device: str,
    family: str,
    address: str,
    channel: str,
    now: datetime,
) -> str:
    """Count one vote; returns its trail id once it is safe (in the Redis stream that the
    workers copy to PostgreSQL, or, without Redis, in the database itself)."""
    listed = (
        campaign.nominees if isinstance(campaign, VoteSettings) else vote_nominees_cached(campaign)
    )
    if nominee_id not in listed:
        raise SelectionError(Reason.of(N_("no such nominee in this vote")))
    problem = rules.may_vote(
        0, False, campaign.vote_opens, campaign.vote_closes, now, campaign.daily_votes
    )
    if problem:
        raise SelectionError(problem)
    day = now.date().isoformat()
    client = _redis()
    if client is None:
        return _cast_in_database(campaign, nominee_id, device, family, address, channel, now)
    answer = client.eval(
        _CAST,
        4,
        f"jingsai:vote:{campaign.id}:voter:{device}:{day}",
        f"jingsai:vote:{campaign.id}:addr:{address}:{day}",
        f"jingsai:vote:{campaign.id}:count",
        stream_key(campaign.id),
        nominee_id,
        campaign.daily_votes,
        current_app.config.get("VOTE_ADDRESS_DAILY_LIMIT", ADDRESS_DAILY_LIMIT),
        device,
        family[:60],
        address,
        channel,
        now.isoformat(),
    ).decode()
    if answer in REFUSALS:
        raise SelectionError(Reason.of(REFUSALS[answer], n=campaign.daily_votes))
    return answer


def _cast_in_database(campaign, nominee_id, device, family, address, channel, now) -> str:
    start = datetime(now.year, now.month, now.day)
    mine = set(
        db.session.scalars(
            select(Vote.nominee_id).where(
                Vote.campaign_id == campaign.id, Vote.device == device, Vote.cast_at >= start
            )
        )
    )
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
    token = "db-" + secrets.token_hex(12)
    db.session.add(
        Vote(
            token=token,
            campaign_id=campaign.id,
            nominee_id=nominee_id,
            device=device,
            device_family=family[:60],
            address=address,
            channel=channel,
            cast_at=now,
        )
    )
    db.session.flush()
    return token


@dataclass(frozen=True)
class VoteSettings:
    """What a vote needs of its campaign, kept 30 s in Redis (no database on a vote)."""

    id: int
    vote_opens: datetime
    vote_closes: datetime
    daily_votes: int
    nominees: frozenset


def vote_settings(campaign_id: int) -> VoteSettings | None:
    """The campaign's vote settings (None: no such campaign), from Redis when kept there."""
    client = _redis()
    key = f"jingsai:vote:{campaign_id}:settings"
    kept = client.get(key) if client is not None else None
    if kept is not None:
        opens, closes, daily, nominees = kept.decode().split("|")
        return VoteSettings(
            campaign_id,
            datetime.fromisoformat(opens),
            datetime.fromisoformat(closes),
            int(daily),
            frozenset(int(n) for n in nominees.split(",") if n),
        )
    campaign = db.session.get(SelectionCampaign, campaign_id)
    if campaign is None:
        return None
    ids = vote_nominees(campaign)
    settings = VoteSettings(
        campaign.id, campaign.vote_opens, campaign.vote_closes, campaign.daily_votes, frozenset(ids)
    )
    if client is not None:
        value = "|".join(
            (
                campaign.vote_opens.isoformat(),
                campaign.vote_closes.isoformat(),
                str(campaign.daily_votes),
                ",".join(map(str, ids)),
            )
        )
        client.set(key, value, ex=30)
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
        for token, fields in entries:
            token = token.decode()
            if token in known:
                continue
            f = {k.decode(): v.decode() for k, v in fields.items()}
            db.session.add(
                Vote(
                    token=token,
                    campaign_id=campaign_id,
                    nominee_id=int(f["n"]),
                    device=f["d"],
                    device_family=f["f"],
                    address=f["a"],
                    channel=f["c"],
                    cast_at=datetime.fromisoformat(f["t"]),
                )
            )
            added += 1
        db.session.commit()
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


def combined(campaign: SelectionCampaign, chair_order: dict[int, int] | None = None) -> ResultSet:
    """The combined ranking written as ``result`` rows (the top ``titles`` get the title:
    award "first"), ready for publication; called by the workers."""
    write_trail(campaign.id)
    scores = expert_scores(campaign)
    nominees = vote_nominees(campaign)
    votes = counts(campaign)
    ranked = rules.combined_ranking(
        [
            rules.Standing(n, scores[n], votes.get(n, 0), (chair_order or {}).get(n))
            for n in nominees
        ],
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


@audit_words.names_records("nominating_body")
def _body_names(ids: set[int]) -> dict[int, str]:
    return dict(
        db.session.execute(
            select(NominatingBody.id, NominatingBody.name).where(NominatingBody.id.in_(ids))
        ).all()
    )


def today() -> date:
    return utcnow().date()

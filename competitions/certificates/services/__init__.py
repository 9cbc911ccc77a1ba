"""Certificates and the database: designs, the facts final results call for, planning an issue.

Writes flush and never commit: the view or the task that calls them commits.
"""

import hashlib
import hmac
from collections import defaultdict
from datetime import date

from flask import current_app
from sqlalchemy import func, select

from competitions.assessment.models import Assessment, facts_of
from competitions.certificates import rules
from competitions.certificates.models import Certificate, CertificateDesign
from competitions.certificates.services import render
from competitions.core.db import db, utcnow
from competitions.core.identity_rules import mask_id_number
from competitions.core.jobs import Job, create_job
from competitions.registry.models import Contest, Delegation, Person
from competitions.results.models import Honour, Result, ResultSet, TeamResult
from competitions.units.models import Unit

KIND = "certificates"
#: Certificates per task: 2,000 certificates make 20 tasks, enough for the workers to share.
CHUNK = 100
#: Honours that earn a certificate: recommended by rule, or granted by the outside body.
HONOUR_STATES = ("recommended", "granted")


def number_key() -> bytes:
    """The key of the numbers' check parts, derived from the certificate key (``CERT_KEY``,
    apart from the session key so that a new session key leaves certificates valid)."""
    secret = current_app.config["CERT_KEY"].encode()
    return hmac.new(secret, b"jingsai certificate numbers", hashlib.sha256).digest()


def design_of(contest: Contest) -> CertificateDesign:
    """The contest's design, a default one (added to the session) if it has none yet."""
    design = db.session.scalar(select(CertificateDesign).filter_by(contest_id=contest.id))
    if design is None:
        issuer = contest.organising_unit.name if contest.organising_unit else ""
        design = CertificateDesign(contest_id=contest.id, issuers=issuer, issued_on=contest.ends_on)
        db.session.add(design)
        db.session.flush()
    return design


def design_data(design: CertificateDesign) -> render.Design:
    """The design as plain data for the renderer, images included."""
    seals = tuple(design.image(r).data for r in ("seal_1", "seal_2") if design.image(r))
    background = design.image("background")
    return render.Design(
        title=design.title,
        honour_title=design.honour_title,
        bodies={
            "individual": design.body,
            "team": design.team_body,
            "member": design.member_body,
            "honour": design.honour_body,
        },
        issuers=tuple(line.strip() for line in design.issuers.splitlines() if line.strip()),
        seals=seals,
        background=background.data if background else None,
        base_url=current_app.config["BASE_URL"],
    )


def sample_facts(contest: Contest, kind: str) -> rules.Facts:
    """Made-up facts for the preview of a design."""
    trade = contest.contest_trades[0].trade.name_zh if contest.contest_trades else "钳工"
    award = {
        "individual": "first",
        "team": "second",
        "member": "first",
        "honour": "technical_expert",
    }[kind]
    return rules.Facts(
        kind,
        "sample",
        "张伟",
        "济南第二机床厂",
        contest.name,
        contest.tier,
        trade,
        award,
        1,
        "数控刀具快换装置" if kind == "member" else "山东代表队",
    )


def result_states(ct_ids: list[int]) -> dict[int, str]:
    """Each contest-trade's result state (absent when never computed)."""
    rows = db.session.execute(
        select(ResultSet.assessment_id, ResultSet.state).where(ResultSet.assessment_id.in_(ct_ids))
    )
    return dict(rows.all())


def wanted(ct_id: int) -> list[rules.Facts]:
    """The certificates the assessment's results call for: individual awards (of any kind of
    subject), team awards and honours (of a contest-trade), with the facts to print."""
    ct = db.session.get_one(Assessment, ct_id)
    common = {"contest": ct.contest.name, "tier": ct.contest.tier, "trade": ct.printed_title}
    f = facts_of(ct_id)
    # Final results carry the facts frozen when they became final: the register may have moved.
    people = db.session.execute(
        select(
            Result,
            Person,
            func.coalesce(Result.final_name, f.c.name),
            func.coalesce(Result.final_unit, f.c.unit_name),
            func.coalesce(Result.final_delegation, f.c.delegation_name),
        )
        .join(f, f.c.subject_id == Result.subject_id)
        .outerjoin(Person, Person.id == f.c.person_id)
        .where(Result.assessment_id == ct_id)
        .order_by(Result.rank.is_(None), Result.rank, Result.subject_id)
    ).all()
    facts, by_entry = [], {}
    members = ct.subject_class.members([r.subject_id for r, *_ in people if r.award])
    for result, person, name, unit, team in people:
        by_entry[result.subject_id] = (result, person, name, unit or "", team or "")
        if result.award and result.subject_id in members:
            facts += _member_facts(result, name, members[result.subject_id], common)
        elif result.award:
            facts.append(
                _person_facts(
                    "individual",
                    f"entry:{result.subject_id}",
                    result.award,
                    by_entry[result.subject_id],
                    common,
                )
            )
    for honour in db.session.scalars(
        select(Honour)
        .where(Honour.contest_trade_id == ct_id, Honour.state.in_(HONOUR_STATES))
        .order_by(Honour.id)
    ):
        subject = f"honour:{honour.entry_id}:{honour.honour}"
        facts.append(
            _person_facts("honour", subject, honour.honour, by_entry[honour.entry_id], common)
        )
    teams = db.session.execute(
        select(TeamResult, Delegation.name, Unit.name)
        .join(Delegation, Delegation.id == TeamResult.delegation_id)
        .outerjoin(Unit, Unit.id == Delegation.unit_id)
        .where(TeamResult.contest_trade_id == ct_id, TeamResult.award.is_not(None))
        .order_by(TeamResult.rank, TeamResult.delegation_id)
    ).all()
    for team, name, unit in teams:
        facts.append(
            rules.Facts(
                "team",
                f"team:{team.delegation_id}",
                name,
                unit or "",
                award=team.award,
                rank=team.rank,
                team=name,
                **common,
            )
        )
    return facts


def _member_facts(result, team_name, members, common) -> list[rules.Facts]:
    """One certificate for each member of an awarded team (``member:{subject}:{person}``),
    with the team's name (an achievement's title) printed beside theirs: a team member's
    certificate (its own text: for the team's achievement), or an individual's when the team
    is one person."""
    people = {
        p.id: p
        for p in db.session.scalars(select(Person).where(Person.id.in_([m[0] for m in members])))
    }
    return [
        rules.Facts(
            "member" if len(members) > 1 else "individual",
            f"member:{result.subject_id}:{person_id}",
            name,
            unit or "",
            award=result.award,
            rank=result.rank,
            team=team_name,
            id_masked=mask_id_number(people[person_id].id_number),
            **common,
        )
        for person_id, name, unit in members
    ]


def _person_facts(kind, subject, award, row, common) -> rules.Facts:
    result, person, name, unit, team = row
    return rules.Facts(
        kind,
        subject,
        name,
        unit,
        award=award,
        rank=result.rank,
        team=team,
        id_masked=mask_id_number(person.id_number) if person is not None else "",
        **common,
    )


def held(ct_id: int) -> list[rules.Held]:
    """The contest-trade's valid certificates."""
    rows = db.session.execute(
        select(Certificate.id, Certificate.subject, Certificate.fingerprint).where(
            Certificate.assessment_id == ct_id, Certificate.state == "valid"
        )
    )
    return [rules.Held(*row) for row in rows]


def revoke(certificate: Certificate, replaced_by: Certificate | None = None) -> None:
    """Mark a certificate revoked (it stays verifiable, as revoked)."""
    certificate.state = "revoked"
    certificate.live_subject = None
    certificate.revoked_at = utcnow()
    certificate.replaced_by = replaced_by
    db.session.flush()


def start_issue(contest_id: int, ct_ids: list[int], user_id: int | None) -> tuple[Job, list]:
    """Plan an issue over final contest-trades: revoke the certificates nobody earns any more,
    number the ones to issue, and return a pending job with its chunks of work, each a list of
    [contest-trade, subject, seq] (the caller commits, then queues)."""
    job = create_job(KIND, user_id, contest_id)
    work, kept, revoked = [], 0, 0
    for ct_id in sorted(ct_ids):
        plan = rules.plan_issue(held(ct_id), wanted(ct_id))
        replaced = {f.subject for f in plan.issue}
        for certificate in db.session.scalars(
            select(Certificate).where(Certificate.id.in_(plan.revoke))
        ):
            if certificate.subject not in replaced:  # the others are revoked by their successor
                revoke(certificate)
        revoked += len(plan.revoke)
        next_seq = _last_seq(ct_id) + 1
        work += [[ct_id, f.subject, next_seq + n] for n, f in enumerate(plan.issue)]
        kept += len(plan.keep)
    job.total = len(work)
    job.result = {"contest_trades": sorted(ct_ids), "kept": kept, "revoked": revoked}
    db.session.flush()
    return job, [work[i : i + CHUNK] for i in range(0, len(work), CHUNK)]


def _last_seq(ct_id: int) -> int:
    return db.session.scalar(
        select(func.coalesce(func.max(Certificate.seq), 0)).where(
            Certificate.assessment_id == ct_id
        )
    )


def contests_of(ct_ids: list[int]) -> dict[int, tuple[int, str, int]]:
    """{assessment (contest-trade…): (year, contest code, contest id)} for numbering."""
    rows = db.session.execute(
        select(Assessment.id, Contest.year, Contest.code, Contest.id)
        .join(Contest, Contest.id == Assessment.contest_id)
        .where(Assessment.id.in_(ct_ids))
    )
    return {ct_id: rest for ct_id, *rest in rows}


def issue_day(contest_id: int) -> date:
    """The date new certificates of the contest carry."""
    design = db.session.scalar(select(CertificateDesign).filter_by(contest_id=contest_id))
    return design.issued_on


def certificates_of(ct_ids: list[int]) -> list[Certificate]:
    """Every certificate of these contest-trades, by number."""
    query = select(Certificate).where(Certificate.assessment_id.in_(ct_ids))
    return list(db.session.scalars(query.order_by(Certificate.number)))


def counts_by_trade(ct_ids: list[int]) -> dict[int, dict[str, int]]:
    """{contest-trade: {"valid": n, "revoked": n}}."""
    out: dict[int, dict[str, int]] = defaultdict(lambda: {"valid": 0, "revoked": 0})
    rows = db.session.execute(
        select(Certificate.assessment_id, Certificate.state, func.count())
        .where(Certificate.assessment_id.in_(ct_ids))
        .group_by(Certificate.assessment_id, Certificate.state)
    )
    for ct_id, state, n in rows:
        out[ct_id][state] = n
    return out

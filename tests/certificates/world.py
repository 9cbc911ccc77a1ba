"""A contest-trade with final results for certificate tests: awards, a team award, an honour."""

from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from competitions.certificates import services
from competitions.certificates.services import issue
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.registry.models import Entry, Person
from competitions.results.models import Honour, Result, ResultSet, TeamResult
from tests import factories as f

NAMES = ("张伟", "李娜", "王芳", "刘洋", "陈静")
AWARDS = ("first", "second", "third", None, None)


@dataclass
class World:
    contest: object
    ct: object
    entries: list
    delegation: object


def build(state: str = "final", names=NAMES, awards=AWARDS) -> World:
    """A provincial contest with one trade: ranked results with awards in ``state``, the
    delegation "济南代表队" first in the team ranking, 技术能手 recommended for the winner; an
    organiser "org", a chief judge "chief" and a judge "judge1"."""
    contest = f.contest("SD-2019", tier="province")
    ct = f.contest_trade(contest, f.trade())
    unit = f.unit("济南第二机床厂")
    team = f.delegation(contest, "济南代表队", unit)
    entries = []
    for n, (name, award) in enumerate(zip(names, awards, strict=True)):
        person = Person(
            name=name,
            gender="M",
            birth_date=date(1990, 1, 1) + timedelta(days=n),
            id_number=f.resident_id(date(1990, 1, 1) + timedelta(days=n), n),
            unit_id=unit.id,
        )
        db.session.add(person)
        db.session.flush()
        entry = Entry(
            person_id=person.id, contest_trade_id=ct.id, delegation_id=team.id, status="approved"
        )
        db.session.add(entry)
        db.session.flush()
        db.session.add(
            Result(
                subject_id=entry.id,
                assessment_id=ct.id,
                total=Decimal(95 - n),
                rank=n + 1,
                award=award,
            )
        )
        entries.append(entry)
    db.session.add(ResultSet(assessment_id=ct.id, state=state, ranked=len(entries)))
    db.session.add(
        TeamResult(
            contest_trade_id=ct.id,
            delegation_id=team.id,
            score=Decimal(276),
            rank=1,
            award="first",
            members=[e.id for e in entries[:3]],
        )
    )
    db.session.add(
        Honour(contest_trade_id=ct.id, entry_id=entries[0].id, honour="technical_expert")
    )
    for username, role in (("org", "organiser"), ("chief", "chief_judge"), ("judge1", "judge")):
        f.grant(f.user(username), contest, role)
    db.session.commit()
    return World(contest, ct, entries, team)


def issue_all(world) -> Job:
    """What the view and the tasks do, one after the other."""
    services.design_of(world.contest)
    job, chunks = services.start_issue(world.contest.id, [world.ct.id], None)
    db.session.commit()
    issued = [issue.issue_chunk(job.id, chunk, db.session.commit) for chunk in chunks]
    job = db.session.get(Job, job.id)
    job.result = {**job.result, **issue.attach_outputs(job, [world.ct.id]), "issued": sum(issued)}
    db.session.commit()
    return job

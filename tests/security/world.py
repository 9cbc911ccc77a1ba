"""One contest with everyone in it, for the access matrix (builders only; no tests here).

Two contest-trades: ct1 marked, locked, computed, published, an appeal decided, made final and
its certificates issued; ct2 with a judge of its own and draft results. Users (password of the
factories), one per role of the matrix:

    org        organiser of the contest (and a registrar: keeps trades, units, contests)
    other_org  organiser of another contest only
    chief      chief judge of the contest, chief of ct1's panel
    judge1     a judge on ct1 who marked every entry
    judge_ct2  a judge of the contest, on ct2's panel only
    recused    a judge on ct1 who declared a relation with a contestant and does not mark them
    clerk      a clerk (录分员) of the contest; another clerk typed a score sheet first
    arbitrator the contest's arbitrator, who rejected the appeal
    liaison    the unit liaison (单位联络员) of the contestants' unit; entry 1 has a photo
    liaison2   the liaison of another unit of the contest: none of the first unit's entries
    leader     the team leader (领队) of the contestants' delegation
    checkin    check-in staff (检录员) of the contest; ct1 has a session, drawn, tickets made
    cipher1    an encryption officer (加密裁判) who drew ct1's first layer (检录号)
    cipher2    an encryption officer who drew ct1's second layer (密号: ct1's codes)

ct1 is under two-layer encryption (二次加密): its codes are the second layer.
    reporter   the reporter of a work team of the contest's labour competition (no contest role):
               its first quarter reported with evidence, scored and under public notice, an
               import of theirs refused
    nominator  the nominator of a body of the contest's 工匠 selection (no contest role): one
               person nominated, not yet reviewed
"""

import io
import random
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal

from reportlab.pdfgen import canvas

from competitions.accounts.models import ContestRole, User
from competitions.certificates import services
from competitions.certificates.models import Certificate
from competitions.certificates.services import issue
from competitions.contestday.models import ExamSession
from competitions.contestday.services import draw as draws
from competitions.contestday.services import tickets
from competitions.core.db import db
from competitions.core.i18n import local_now
from competitions.core.identity_rules import mask_id_number
from competitions.core.jobs import Job
from competitions.core.words import N_, Reason
from competitions.enrolment import services as enrolment
from competitions.imports.services import jobs as import_jobs
from competitions.imports.tasks import import_entries
from competitions.innovation import services as innovation
from competitions.judging.models import (
    CheckInNumber,
    DeclaredRelation,
    EncryptionDraw,
    JudgeItem,
    JudgeSubject,
    MarkingLock,
    PanelMember,
    RelationDeclaration,
    SchemeItem,
    SchemePart,
    ScoreSheet,
    TwoLayerEncryption,
)
from competitions.judging.services import codes, panel
from competitions.judging.services.scheme import record_refused_import
from competitions.judging.services.scheme_import import SheetProblem
from competitions.labour import services as labour
from competitions.labour.services import reporting, scoring
from competitions.publication import services as publication
from competitions.publication.models import Appeal
from competitions.publication.services import appeals as appeal_service
from competitions.registry.models import ContestTrade
from competitions.results.models import Honour, ResultSet
from competitions.results.services import compute
from competitions.selection import services as selection
from competitions.stats import services as stats_services
from competitions.stats.models import StatsReader
from competitions.units.models import Unit
from tests import factories as f
from tests.judging.marking_world import build, score_everyone

NOW = datetime(2026, 11, 20, 15, 30)
#: After the deadline of a notice published at NOW (five working days).
AFTER_NOTICE = datetime(2026, 11, 28, 0, 0)
#: A photo (JPEG by its first bytes) of the first entry.
PHOTO = b"\xff\xd8\xff\xe0\x00\x10JFIF" + bytes(64)
#: The three administrators (三权分立): accounts of their own, no role in any contest.
ADMINS = ("sysadmin", "secadmin", "auditor")
STAFF = (
    "org",
    "other_org",
    "chief",
    "judge1",
    "judge_ct2",
    "recused",
    "clerk",
    "arbitrator",
    "officer",
    "liaison",
    "liaison2",
    "leader",
    "checkin",
    "cipher1",
    "cipher2",
    "reporter",
    "nominator",
    *ADMINS,
)
#: The judges of the matrix: none of their answers may show who a contestant is.
JUDGES = ("judge1", "judge_ct2", "recused")


@dataclass
class LabourWorld:
    """The contest's labour competition: a scored quarter, a report, a figure, evidence."""

    period: object
    participant: object
    report: object
    figure: object
    evidence: object
    import_job: Job


@dataclass
class SelectionWorld:
    """The contest's 工匠 selection: a nominating body and its nominee."""

    campaign: object
    body: object
    nominee: object


@dataclass
class InnovationWorld:
    submission: object
    attachment: object
    review: object  #: its online review, judge1 seated on the panel, the code drawn


@dataclass
class World:
    contest: object
    other_contest: object
    ct1: ContestTrade
    ct2: ContestTrade
    entries: list
    codes: list
    items: list
    member: PanelMember  #: judge1's seat on ct1's panel
    sheet: ScoreSheet
    appeal: Appeal
    certificate: Certificate
    cert_job: Job
    import_job: Job
    #: ct1's session of the contest day (its entries drawn into it, their tickets made).
    session: object
    #: A refused scheme import of ct1 (its error report).
    scheme_job: Job
    unit: Unit
    delegation: object
    declaration: RelationDeclaration  #: the recused judge's, about someone not entered
    labour: "LabourWorld"
    selection: "SelectionWorld"
    #: ct1's first layer (检录号), in entry order (its codes, ``codes``, are the second layer).
    numbers: list
    liaison_role: ContestRole  #: the liaison's role (their scope: the contestants' unit)
    honour: object = None  #: a recommended honour of ct1 (final), to decide
    stats_reader: object = None  #: a union officer reads the figures of the world's unit
    #: The contest's innovation contest: an achievement of the contestants' unit submitted by
    #: ``reporter`` (named on it as its submitter), with an attachment, awaiting the check.
    innovation: "InnovationWorld" = None

    @property
    def contestant(self):
        """The contestant who looks their result up (anonymously, by ID number and name)."""
        return self.entries[0].person

    @property
    def declared(self):
        """The contestant the recused judge declared a relation with."""
        return self.entries[1].person

    def identities(self) -> list[str]:
        """What says who a contestant is: names, unit, delegation, ID numbers (whole and
        masked)."""
        out = [self.unit.name, self.delegation.name]
        for entry in self.entries:
            person = entry.person
            out += [person.name, person.id_number, mask_id_number(person.id_number)]
        return out


def build_world() -> World:
    """The contest as described in the module's docstring, committed."""
    base = build(n_entries=3)
    ct1 = base.ct
    ct1.award_mode, ct1.award_numbers, ct1.award_min_total = "fixed", "1,1,1", None
    contest = ct1.contest
    unit = db.session.get(Unit, base.entries[0].person.unit_id)
    delegation = f.delegation(contest, "济钢代表队", unit)
    for entry in base.entries:
        entry.delegation_id = delegation.id
    score_everyone(base, (9, 7, 5))
    db.session.merge(MarkingLock(assessment_id=ct1.id, locked=True))
    db.session.commit()
    compute.recompute([ct1.id])
    db.session.commit()

    ct2 = _second_trade(contest)
    declaration = _recused_judge(base, contest)
    numbers = _two_layer_encryption(base, contest)
    users = {
        name: f.user(name)
        for name in ("other_org", "clerk", "clerk0", "arbitrator", "officer", "checkin")
    }  # org, chief, judge1 come from the marking world
    for username, role in zip(ADMINS, ("system", "security", "audit"), strict=True):
        f.user(username).admin_role = role
    other_contest = f.contest("QD-2018", tier="city")
    f.grant(users["other_org"], other_contest, "organiser")
    f.grant(users["clerk"], contest, "clerk")
    f.grant(users["clerk0"], contest, "clerk")
    f.grant(users["arbitrator"], contest, "arbitrator")
    f.grant(users["checkin"], contest, "check_in")
    sheet = ScoreSheet(
        subject_id=base.entries[2].id,
        judge_id=base.judges[1].id,
        first_clerk_id=users["clerk0"].id,
        first_values={str(item.id): "5" for item in base.items},
    )
    db.session.add(sheet)
    db.session.commit()
    liaison_role = _liaisons(contest, unit, delegation, base.entries[0])

    appeal = _published_with_appeal(ct1, base.entries[0], users["arbitrator"].id)
    cert_job = _issue_certificates(contest, ct1)
    certificate = db.session.query(Certificate).filter_by(subject_id=base.entries[0].id).first()
    organiser = db.session.query(User).filter_by(username="org").one()
    import_job = import_jobs.create_import_job(
        contest.id, organiser.id, "bad.csv", "text/csv", "姓名,证件号码,工种\n某人,1,x\n".encode()
    )
    db.session.commit()
    import_entries(import_job.id)
    scheme_job = record_refused_import(
        ct1, [SheetProblem(None, "", Reason.of(N_("the file is empty")))], organiser.id
    )
    db.session.commit()
    session = _contest_day(ct1)
    labour = _labour(contest, organiser.id)
    selection = _selection(contest)
    innovation = _innovation(contest, unit)
    return World(
        contest=contest,
        other_contest=other_contest,
        ct1=ct1,
        ct2=ct2,
        entries=base.entries,
        codes=base.codes,
        items=base.items,
        member=base.members["judge1"],
        sheet=sheet,
        appeal=appeal,
        certificate=certificate,
        cert_job=cert_job,
        import_job=db.session.get(Job, import_job.id),
        scheme_job=scheme_job,
        unit=unit,
        delegation=delegation,
        declaration=declaration,
        stats_reader=_stats_reader(users["officer"], unit),
        liaison_role=liaison_role,
        session=session,
        numbers=numbers,
        labour=labour,
        selection=selection,
        innovation=innovation,
        honour=db.session.query(Honour)
        .filter_by(contest_trade_id=ct1.id)
        .order_by(Honour.id)
        .first(),
    )


def _stats_reader(officer, unit) -> StatsReader:
    """A union officer (no role in any contest) reads the figures of the world's unit."""
    reader = StatsReader(user_id=officer.id, unit_id=unit.id)
    db.session.add(reader)
    stats_services.refresh()
    db.session.commit()
    return reader


def _liaisons(contest, unit, delegation, entry) -> ContestRole:
    """The unit's liaison, another unit's liaison, the delegation's team leader; a photo of the
    first entry (attached as a liaison does)."""
    liaison = ContestRole(
        user_id=f.user("liaison").id, contest_id=contest.id, role="liaison", unit_id=unit.id
    )
    other_unit = f.unit("青岛海湾重工（联络员测试）")
    db.session.add_all(
        [
            liaison,
            ContestRole(
                user_id=f.user("liaison2").id,
                contest_id=contest.id,
                role="liaison",
                unit_id=other_unit.id,
            ),
            ContestRole(
                user_id=f.user("leader").id,
                contest_id=contest.id,
                role="team_leader",
                delegation_id=delegation.id,
            ),
        ]
    )
    db.session.flush()
    enrolment.attach(entry, "photo", enrolment.Upload("照片.jpg", PHOTO), liaison.user_id)
    db.session.commit()
    return liaison


def _contest_day(ct) -> ExamSession:
    """ct1's session today, its entries drawn into it and their tickets made."""
    session = ExamSession(
        contest_trade_id=ct.id,
        name="第1场",
        day=local_now().date(),
        starts_at=time(0, 0),
        ends_at=time(23, 59),
        place="实训楼",
        workstations=10,
    )
    db.session.add(session)
    db.session.flush()
    assert draws.draw(ct.id, "20261205", None) is None
    tickets.make_tickets(ct.id, lambda done, total: None)
    db.session.commit()
    return session


def _two_layer_encryption(base, contest) -> list[str]:
    """ct1 under two-layer encryption: cipher1 drew the first layer (检录号), cipher2 the
    second (the codes judges marked); returns the check-in numbers in entry order."""
    officers = [f.user(name) for name in ("cipher1", "cipher2")]
    for officer in officers:
        f.grant(officer, contest, "encryption_officer")
    db.session.add(
        TwoLayerEncryption(
            assessment_id=base.ct.id,
            enabled=True,
            first_officer_id=officers[0].id,
            second_officer_id=officers[1].id,
        )
    )
    numbers = [str(310 + 29 * n) for n in range(len(base.entries))]
    for entry, number in zip(base.entries, numbers, strict=True):
        db.session.add(CheckInNumber(subject_id=entry.id, assessment_id=base.ct.id, number=number))
    for layer, officer in enumerate(officers, start=1):
        db.session.add(
            EncryptionDraw(
                assessment_id=base.ct.id, layer=layer, user_id=officer.id, drawn=len(numbers)
            )
        )
    db.session.commit()
    return numbers


def _labour(contest, organiser_id: int) -> LabourWorld:
    """A labour competition in the contest: a work team reported by ``reporter``, its first
    quarter accepted, closed and scored; a refused import of the reporter's."""
    reporter = f.user("reporter")
    unit = f.unit("济钢炼钢厂")  # a unit of its own: no contestant's
    comp = labour.create_competition(contest.id, "劳动竞赛", "quarter", 2026, 1, "labour_model")
    participant = labour.add_participant(comp, "炼钢一班", "work_team", unit.id, "reporter")
    labour.save_scheme(
        comp,
        [
            labour.IndicatorRow(
                "产量", "吨", "higher", Decimal(100), Decimal(100), "ratio", Decimal(120), None
            )
        ],
    )
    period = labour.periods(comp)[0]
    indicator = comp.indicators[0]
    report = reporting.save_figures(period, participant, {indicator.id: Decimal(90)})
    evidence = reporting.add_evidence(report, "台账.pdf", b"%PDF-1.4\n%%EOF\n")
    reporting.submit(report, [indicator.id])
    reporting.accept(report, organiser_id)
    labour.close_period(period, organiser_id)
    scoring.score(comp, [period.id])
    assert publication.publish(period, db.session.get(ResultSet, period.id), NOW) is None
    _, problems = reporting.import_figures(comp, b"not a workbook", {participant.id})
    job = reporting.refused_import(comp, problems, reporter.id)
    db.session.commit()
    return LabourWorld(period, participant, report, report.figures[0], evidence, job)


def _selection(contest) -> SelectionWorld:
    """A 工匠 selection in the contest: a city union nominating through ``nominator``, one
    person nominated before the deadline."""
    f.user("nominator")
    unit = f.unit("济南二机床")  # a unit of its own: no contestant's
    campaign = selection.create_campaign(
        contest.id,
        name="2026年度齐鲁工匠",
        title_name="齐鲁工匠",
        nominations_close=datetime(2026, 12, 31, 23, 59),
        vote_opens=datetime(2027, 1, 5),
        vote_closes=datetime(2027, 1, 15, 23, 59),
    )
    body = selection.add_body(campaign, "济南市总工会", "city_union", None, "nominator", 2)
    nominee = selection.nominate(
        body,
        selection.Nomination(
            "赵师傅",
            f.resident_id(date(1975, 5, 6), 7),
            unit.id,
            "数控机床装调维修工",
            "事迹",
            "",
            20,
        ),
        NOW,
    )
    db.session.commit()
    return SelectionWorld(campaign, body, nominee)


def _a_pdf(text: str) -> bytes:
    """A real one-page PDF (a panel role's download must be readable by pdftotext)."""
    out = io.BytesIO()
    page = canvas.Canvas(out)
    page.drawString(72, 720, text.encode("ascii", "replace").decode())
    page.save()
    return out.getvalue()


def _innovation(contest, unit) -> InnovationWorld:
    """An innovation contest in the contest: one achievement of the contestants' unit by a
    worker who is no contestant, submitted by ``reporter`` with an attachment, passed by the
    format check and in the online review, which judge1 marks."""
    reporter = db.session.query(User).filter_by(username="reporter").one()
    comp = innovation.create_innovation(contest.id, "职工创新成果竞赛", 60, 40, {})
    submission = innovation.save_submission(
        comp,
        None,
        reporter.id,
        {
            "category": "technical_improvement",
            "title": "数控刀具快换装置",
            "abstract": "缩短换刀时间。",
            "unit_id": unit.id,
            "benefit_yuan": Decimal(120000),
        },
        [innovation.MemberLine("周创新", f.resident_id(date(1988, 8, 8), 88))],
    )
    attachment = innovation.add_attachment(submission, "成果报告.pdf", _a_pdf("成果报告"))
    innovation.submit(submission)
    innovation.check_format(submission, True, "")
    review = innovation.open_review(comp)
    panel.assign_all_entries(panel.add_member(review, "judge1", "judge", None))
    codes.draw_entry_codes(review.id, False, random.Random(3))
    db.session.commit()
    return InnovationWorld(submission, attachment, review)


def _second_trade(contest) -> ContestTrade:
    """ct2: its own scheme, a judge of its own, draft results."""
    ct2 = f.contest_trade(contest, f.trade("6-20-02", "焊工", "Welder"))
    part = SchemePart(assessment_id=ct2.id, kind="practical", name="实操")
    db.session.add(part)
    db.session.flush()
    item = SchemeItem(part_id=part.id, position=1, code="W1", max_mark=Decimal(10))
    db.session.add(item)
    judge = f.user("judge_ct2")
    f.grant(judge, contest, "judge")
    member = PanelMember(assessment_id=ct2.id, user_id=judge.id, role="judge")
    db.session.add(member)
    db.session.flush()
    db.session.add(JudgeItem(member_id=member.id, item_id=item.id))
    db.session.add(ResultSet(assessment_id=ct2.id, state="draft"))
    db.session.commit()
    return ct2


def _recused_judge(base, contest) -> RelationDeclaration:
    """A judge on ct1 who declared a relation with entry 1's contestant: not assigned to them;
    and a declaration of theirs, waiting, about someone who is not entered."""
    judge = f.user("recused")
    f.grant(judge, contest, "judge")
    member = PanelMember(assessment_id=base.ct.id, user_id=judge.id, role="judge")
    db.session.add(member)
    db.session.flush()
    for item in base.items:
        db.session.add(JudgeItem(member_id=member.id, item_id=item.id))
    for entry in base.entries:
        if entry is not base.entries[1]:
            db.session.add(JudgeSubject(member_id=member.id, subject_id=entry.id))
    db.session.add(
        DeclaredRelation(user_id=judge.id, person_id=base.entries[1].person_id, relation="师徒")
    )
    declaration = RelationDeclaration(
        assessment_id=base.ct.id,
        user_id=judge.id,
        name="周未报",
        id_number="11010119800101001X",
        relation="邻居",
    )
    db.session.add(declaration)
    db.session.commit()
    return declaration


def _published_with_appeal(ct, entry, arbitrator_id: int) -> Appeal:
    """Publish ct1, file an appeal about ``entry``, reject it, make the results final."""
    result_set = db.session.get(ResultSet, ct.id)
    assert publication.publish(ct, result_set, NOW) is None
    appeal = Appeal(
        assessment_id=ct.id,
        subject_id=entry.id,
        real_name=entry.person.name,
        reason="请复核第二项成绩记录",
    )
    db.session.add(appeal)
    db.session.flush()
    assert appeal_service.decide(appeal, False, "记录无误，维持原成绩", arbitrator_id, NOW) is None
    assert publication.finalise(result_set, AFTER_NOTICE) is None
    db.session.commit()
    return appeal


def _issue_certificates(contest, ct) -> Job:
    """Issue ct1's certificates as the view and the tasks do, one after the other."""
    services.design_of(contest)
    job, chunks = services.start_issue(contest.id, [ct.id], None)
    db.session.commit()
    issued = [issue.issue_chunk(job.id, chunk, db.session.commit) for chunk in chunks]
    job = db.session.get(Job, job.id)
    job.result = {**job.result, **issue.attach_outputs(job, [ct.id]), "issued": sum(issued)}
    db.session.commit()
    return job

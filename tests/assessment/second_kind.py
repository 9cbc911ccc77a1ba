"""A second kind of subject, judged, published and certified by the same code as contest
entries (issue 13, item 3).

Not collected with the suite (its models would add two tables to every test database):
``test_second_kind.py`` runs this module in a pytest of its own. The kind is a toy 工匠
selection: a ``Selection`` (an assessment) whose ``Candidate`` subjects are people, marked on
a scheme of their own. Nothing of judging is written for it: only the models below and the
interface of ``competitions.assessment.models``; the kind's own ranking (the sum of the
experts' item marks) is the only rule written here.
"""

import random
from datetime import date, datetime
from decimal import Decimal

import pytest
import sqlalchemy as sa
from sqlalchemy import ForeignKey, String, select
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.assessment.models import Assessment, Subject
from competitions.certificates import services as certificates
from competitions.certificates.models import Certificate
from competitions.certificates.services import issue
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.judging import rules as judging_rules
from competitions.judging.models import (
    LockEvent,
    Mark,
    MarkChange,
    MarkingLock,
    SchemeItem,
    SchemePart,
    SubjectCode,
)
from competitions.judging.services import codes, panel, review, sheets
from competitions.judging.services.marks import MarkingError, save_score
from competitions.publication import services as publication
from competitions.publication.models import Appeal
from competitions.publication.services import appeals
from competitions.registry.models import Person
from competitions.results.models import Result, ResultSet
from competitions.units.models import Unit
from tests import factories as f


class Selection(Assessment):
    """A selection of craftsmen (the toy kind): a title and its candidates."""

    __tablename__ = "test_selection"
    id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), primary_key=True
    )
    name: Mapped[str] = mapped_column(String(100))
    notice_working_days: Mapped[int] = mapped_column(default=7)
    appeal_window_hours: Mapped[int] = mapped_column(default=0)
    contest = relationship("Contest", foreign_keys=[Assessment.contest_id])

    __mapper_args__ = {"polymorphic_identity": "test_selection"}

    @property
    def title(self) -> str:
        return self.name

    @property
    def printed_title(self) -> str:
        return self.name

    @property
    def short_code(self) -> str:
        return "GJ"

    @property
    def part_weights(self) -> dict[str, Decimal]:
        return {"theory": Decimal(0), "practical": Decimal(100)}

    def delegation_choices(self) -> list[tuple[int, str]]:
        return []

    def resembles(self, other: Assessment) -> bool:
        return isinstance(other, Selection)


class Candidate(Subject):
    """A person nominated in a selection; marked once the qualification review admits them."""

    __tablename__ = "test_candidate"
    id: Mapped[int] = mapped_column(ForeignKey("subject.id", ondelete="CASCADE"), primary_key=True)
    person_id: Mapped[int] = mapped_column(ForeignKey("person.id", ondelete="RESTRICT"))
    admitted: Mapped[bool] = mapped_column(default=True)

    __mapper_args__ = {"polymorphic_identity": "test_candidate"}

    @classmethod
    def facts(cls):
        nothing = sa.cast(sa.null(), sa.Integer)
        return (
            select(
                cls.id.label("subject_id"),
                cls.assessment_id.label("assessment_id"),
                cls.person_id.label("person_id"),
                Person.id_number_hash.label("id_number_hash"),
                Person.name.label("name"),
                Person.unit_id.label("unit_id"),
                Unit.name.label("unit_name"),
                nothing.label("delegation_id"),
                sa.cast(sa.null(), sa.String).label("delegation_name"),
                nothing.label("delegation_unit_id"),
                cls.admitted.label("marked"),
            )
            .join(Person, Person.id == cls.person_id)
            .outerjoin(Unit, Unit.id == Person.unit_id)
        )


Selection.subject_class = Candidate


def _person(name: str, serial: int, unit: Unit) -> Person:
    birth = date(1980, 1, serial)
    p = Person(
        name=name,
        gender="M",
        birth_date=birth,
        id_type="resident",
        id_number=f.resident_id(birth, serial),
        unit_id=unit.id,
    )
    db.session.add(p)
    db.session.flush()
    return p


def _world():
    """A selection of three candidates (one not admitted, one from judge2's own unit), a
    scheme of two items marked by two judges each, two judges, a chief judge, two clerks."""
    contest = f.contest("GJ-2026", tier="province", year=2026)
    steel, railway = f.unit("济钢"), f.unit("济南铁路局")
    users = {n: f.user(n) for n in ("org", "judge1", "judge2", "chief", "clerk1", "clerk2")}
    users["judge2"].unit_id = steel.id
    for name, role in (
        ("org", "organiser"),
        ("judge1", "judge"),
        ("judge2", "judge"),
        ("chief", "chief_judge"),
        ("clerk1", "clerk"),
        ("clerk2", "clerk"),
    ):
        f.grant(users[name], contest, role)
    selection = Selection(contest_id=contest.id, name="2026年度齐鲁工匠")
    db.session.add(selection)
    db.session.flush()
    part = SchemePart(assessment_id=selection.id, kind="practical", name="专家评审")
    db.session.add(part)
    db.session.flush()
    items = [
        SchemeItem(
            part_id=part.id,
            position=n,
            code=code,
            criterion=criterion,
            kind="judgement",
            max_mark=Decimal(50),
            step=Decimal(1),
            judges=2,
            aggregation="mean",
            tolerance=Decimal(5),
        )
        for n, (code, criterion) in enumerate((("S1", "技能水平"), ("C1", "创新贡献")))
    ]
    db.session.add_all(items)
    candidates = [
        Candidate(assessment_id=selection.id, person_id=_person("王工", 1, railway).id),
        Candidate(assessment_id=selection.id, person_id=_person("李工", 2, steel).id),
        Candidate(
            assessment_id=selection.id, person_id=_person("赵工", 3, railway).id, admitted=False
        ),
    ]
    db.session.add_all(candidates)
    db.session.flush()
    db.session.commit()
    return selection, items, users, candidates


def test_a_second_kind_is_judged_by_the_same_code(client, login):
    selection, items, users, (wang, li, zhao) = _world()
    sid = selection.id
    # Panels with recusal: judge2 works at 济钢, so never marks 李工.
    members = {}
    for name, role in (("judge1", "judge"), ("judge2", "judge"), ("chief", "chief_judge")):
        members[name] = panel.add_member(selection, name, role, None)
        panel.set_items(members[name], {i.id for i in items})
    added, skipped = panel.assign_all_entries(members["judge2"])
    assert added == 1 and [e.name for e, _ in skipped] == ["李工"]
    with pytest.raises(panel.PanelError):
        panel.assign_entry(members["judge2"], li.id)
    assert panel.assign_all_entries(members["judge1"])[0] == 2  # not 赵工: not admitted
    # Anonymous codes: the admitted candidates get one, the one not admitted none.
    assert codes.draw_entry_codes(sid, False, random.Random(7)) == 2
    code = codes.codes_by_entry(sid)
    assert set(code) == {wang.id, li.id} and zhao.id not in code
    db.session.commit()

    # The judge's grid: the selection's title, codes, never a name.
    login("judge1")
    page = client.get(f"/marking/{sid}").get_data(as_text=True)
    assert "2026年度齐鲁工匠" in page and code[wang.id] in page and code[li.id] in page
    assert "王工" not in page and "李工" not in page and "赵工" not in page
    s1, c1 = items
    for candidate, values in ((wang, ("40", "30")), (li, ("45", "20"))):
        for item, value in zip(items, values, strict=True):
            answer = client.post(
                f"/marking/{sid}/scores",
                json={"code": code[candidate.id], "item": item.id, "value": value},
            )
            assert answer.status_code == 200, answer.get_data(as_text=True)
    refused = client.post(
        f"/marking/{sid}/scores", json={"code": code[wang.id], "item": s1.id, "value": "51"}
    )
    assert refused.status_code == 400  # over the item's maximum of 50
    client.post("/logout")

    # Double entry: judge2's paper sheet for 王工, typed by two clerks, becomes their marks;
    # a differing second entry is a mismatch, not a mark.
    start = sheets.check_start(sid, code[wang.id], users["judge2"].id)
    sheet = sheets.start_sheet(sid, start, {s1.id: "49", c1.id: "31"}, users["clerk1"].id)
    with pytest.raises(sheets.SheetError):
        sheets.type_second(
            sid, sheet.id, sheet.version, {s1.id: "49", c1.id: "31"}, users["clerk1"].id
        )  # the same clerk may not type both
    confirmed = sheets.type_second(
        sid, sheet.id, sheet.version, {s1.id: "49", c1.id: "31"}, users["clerk2"].id
    )
    assert confirmed.state == "confirmed"
    db.session.commit()
    marks = {
        (m.subject_id, m.item_id, m.judge_id): m.value
        for m in db.session.scalars(select(Mark).where(Mark.subject_id.in_([wang.id, li.id])))
    }
    assert marks[(wang.id, s1.id, users["judge2"].id)] == Decimal(49)
    assert marks[(wang.id, s1.id, users["judge1"].id)] == Decimal(40)

    # Disagreements: 40 against 49 on S1 is beyond the tolerance of 5; it blocks the lock.
    flags = review.flags(sid)
    assert [(fl.entry_id, fl.item.code, fl.code) for fl in flags] == [
        (wang.id, "S1", code[wang.id])
    ]
    state = review.lock_state(sid)
    # 李工 has one judge of two (judge2 recused): one score missing per item.
    assert (state.open_flags, state.unmarked) == (1, 2)
    assert review.lock(sid, users["chief"].id)  # refused, with its reasons
    review.resolve(sid, wang.id, s1.id, "confirm", "两位专家意见均有依据", users["chief"].id)
    # The chief judge enters the second score of 李工's items as the second expert.
    chief = members["chief"]
    panel.assign_entry(chief, li.id)
    db.session.commit()
    login("chief")
    for item, value in ((s1, "44"), (c1, "22")):
        answer = client.post(
            f"/marking/{sid}/scores", json={"code": code[li.id], "item": item.id, "value": value}
        )
        assert answer.status_code == 200, answer.get_data(as_text=True)
    assert review.lock_state(sid) == review.rules.LockState(0, 0, 0)

    # The lock: signed by the chief judge; then no mark changes, by grid or by sheet.
    assert review.lock(sid, users["chief"].id) == []
    db.session.commit()
    locked = client.post(
        f"/marking/{sid}/scores", json={"code": code[li.id], "item": s1.id, "value": "40"}
    )
    assert locked.status_code == 409
    with pytest.raises(MarkingError):
        review.correct_mark(sid, li.id, s1.id, users["judge1"].id, "40", "改分", users["chief"].id)
    db.session.rollback()
    assert db.session.get(MarkingLock, sid).locked

    # The audit: every score's history, the lock in the audit log, the codes' reveal logged.
    history = db.session.scalars(select(MarkChange).where(MarkChange.subject_id == wang.id))
    assert {c.reason for c in history} >= {"", "double entry confirmed by Clerk1/Clerk2"}
    assert (
        db.session.scalar(select(LockEvent.action).where(LockEvent.assessment_id == sid)) == "lock"
    )
    assert (
        db.session.scalar(
            select(sa.func.count()).select_from(AuditLog).where(AuditLog.entity == "lock_event")
        )
        == 1
    )
    listed = codes.reveal(sid, users["org"].id, "page")
    assert sorted((c, n, u) for c, _, n, u, _ in listed) == sorted(
        [(code[wang.id], "王工", "济南铁路局"), (code[li.id], "李工", "济钢")]
    )
    assert (
        db.session.scalar(
            select(sa.func.count()).select_from(SubjectCode).where(SubjectCode.assessment_id == sid)
        )
        == 2
    )


def _rank_by_experts(sid: int, items) -> ResultSet:
    """The toy kind's own ranking: the sum of the item marks (judging's aggregation), best
    first; the top one gets a first prize, the next a second. Written as result rows."""
    marks: dict[tuple[int, int], list] = {}
    for m in db.session.scalars(select(Mark).where(Mark.item_id.in_([i.id for i in items]))):
        marks.setdefault((m.subject_id, m.item_id), []).append(m.value)
    totals: dict[int, Decimal] = {}
    for (subject, item_id), values in marks.items():
        rule = next(i for i in items if i.id == item_id).rule
        totals[subject] = totals.get(subject, Decimal(0)) + judging_rules.item_mark(values, rule)
    order = sorted(totals, key=lambda s: -totals[s])
    for n, subject in enumerate(order):
        db.session.add(
            Result(
                subject_id=subject,
                assessment_id=sid,
                total=totals[subject],
                rank=n + 1,
                award=("first", "second")[n],
            )
        )
    result_set = ResultSet(assessment_id=sid, state="draft", ranked=len(order))
    db.session.add(result_set)
    db.session.flush()
    return result_set


def test_a_second_kind_is_published_with_appeals_and_certified(client, login):
    selection, items, users, (wang, li, _zhao) = _world()
    sid = selection.id
    for name, role in (("judge1", "judge"), ("judge2", "judge")):
        member = panel.add_member(selection, name, role, None)
        panel.set_items(member, {i.id for i in items})
        panel.assign_all_entries(member)
    codes.draw_entry_codes(sid, False, random.Random(3))
    for candidate, values in ((wang, (45, 40)), (li, (30, 20))):
        for judge in ("judge1", "judge2"):
            if judge == "judge2" and candidate is li:
                judge = "chief"  # judge2 recuses from 李工: the chief judge marks instead
                chief = panel.add_member(selection, "chief", "chief_judge", None)
                panel.set_items(chief, {i.id for i in items})
                panel.assign_entry(chief, li.id)
            for item, value in zip(items, values, strict=True):
                save_score(
                    sid, candidate.id, item.id, users[judge].id, Decimal(value), users[judge].id
                )
    db.session.commit()
    # The chief judge signs the lock on judging's own page; what follows a lock is the kind's
    # (a contest-trade's recompute is not queued for a selection).
    login("chief")
    signed = client.post(f"/contest-trades/{sid}/lock", data={"password": f.PASSWORD})
    assert signed.status_code == 302
    assert db.session.get(MarkingLock, sid).locked
    assert db.session.scalar(select(sa.func.count()).select_from(Job)) == 0
    result_set = _rank_by_experts(sid, items)
    db.session.commit()

    # Public notice (公示) with the kind's own length, counted in working days.
    published_at = datetime(2026, 12, 7, 9, 0)  # a Monday
    assert publication.publish(selection, result_set, published_at) is None
    assert result_set.notice_deadline == datetime(2026, 12, 16, 23, 59, 59)  # 7 working days
    # An appeal about 李工's result, decided by the arbitrator (rejected: the lock stays).
    appeal = Appeal(
        assessment_id=sid,
        subject_id=li.id,
        real_name="李工",
        reason="创新贡献分偏低",
        contact="13800000000",
    )
    db.session.add(appeal)
    db.session.flush()
    assert publication.pending_appeals(sid) == 1
    assert publication.finalise(result_set, datetime(2026, 12, 17, 9, 0)) is not None
    assert (
        appeals.decide(
            appeal, False, "评分有据，维持原结果", users["org"].id, datetime(2026, 12, 10, 9, 0)
        )
        is None
    )
    assert [a.subject.id for a, _ in appeals.appeals_of(selection.contest_id)] == [li.id]
    # Not before the deadline; then final, with the facts the public reads frozen.
    assert publication.finalise(result_set, datetime(2026, 12, 15, 9, 0)) is not None
    assert publication.finalise(result_set, datetime(2026, 12, 17, 9, 0)) is None
    db.session.commit()
    final = {r.subject_id: r for r in db.session.scalars(select(Result))}
    assert (final[wang.id].final_name, final[wang.id].final_unit) == ("王工", "济南铁路局")
    assert (final[li.id].final_name, final[li.id].final_unit) == ("李工", "济钢")

    # Certificates: planned and issued by the certificates' own code, verifiable by number.
    certificates.design_of(selection.contest)
    job, chunks = certificates.start_issue(selection.contest_id, [sid], users["org"].id)
    db.session.commit()
    assert sum(issue.issue_chunk(job.id, chunk, db.session.commit) for chunk in chunks) == 2
    issued = {c.subject_id: c for c in db.session.scalars(select(Certificate))}
    assert set(issued) == {wang.id, li.id}
    first = issued[wang.id]
    assert (first.name, first.unit, first.trade, first.award) == (
        "王工",
        "济南铁路局",
        "2026年度齐鲁工匠",
        "first",
    )
    assert first.id_masked.startswith("3701") and "*" in first.id_masked
    assert (issue.storage_dir() / first.file_path).read_bytes().startswith(b"%PDF")
    page = client.get(f"/verify/{first.number}").get_data(as_text=True)
    assert "王工" in page and "2026年度齐鲁工匠" in page

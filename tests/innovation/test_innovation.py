"""An innovation-achievement contest end to end: the organiser's setup, a unit's submissions
(a team's, a person's), the refusals (a bad member, a file that is no document, the same
innovation twice), the format check returning one with reasons and the resubmission, the
expert online review and the defence session marked by judging's panels with recusal, the
combined score and awards on the task, 公示 through publication and a certificate for every
member of an awarded team. Read back from the database."""

import io
import random
from datetime import date, datetime
from decimal import Decimal

import pytest
from sqlalchemy import func, select

from competitions.accounts.models import ContestRole
from competitions.certificates import rules
from competitions.certificates import services as certificates
from competitions.certificates.models import Certificate
from competitions.certificates.services import issue
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.innovation import services, tasks
from competitions.innovation.models import (
    InnovationAttachment,
    InnovationContest,
    InnovationEntry,
    InnovationRound,
    InnovationSubmission,
)
from competitions.judging.models import PanelMember, SchemePart
from competitions.judging.services import codes, panel, review
from competitions.judging.services.marks import save_score
from competitions.publication import services as publication
from competitions.publication.models import Appeal
from competitions.publication.services import appeals
from competitions.results.models import Result, ResultSet
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
JUDGES = ("exp1", "exp2", "exp3")


def _id(serial: int) -> str:
    return f.resident_id(date(1985, 3, serial), serial)


def _world():
    contest = f.contest("CX-2026", tier="province", year=2026)
    steel, rail = f.unit("济钢集团"), f.unit("济南铁路局")
    users = {n: f.user(n) for n in ("org", "liaison", "worker", "stranger", "chief", *JUDGES)}
    f.grant(users["org"], contest, "organiser")
    f.grant(users["chief"], contest, "chief_judge")
    for judge in JUDGES:
        f.grant(users[judge], contest, "judge")
    users["exp3"].unit_id = steel.id  # recuses from 济钢's achievements
    db.session.add(
        ContestRole(
            user_id=users["liaison"].id, contest_id=contest.id, role="liaison", unit_id=steel.id
        )
    )
    db.session.commit()
    return contest, steel, rail, users


def _as(client, username):
    client.post("/logout")
    assert f.log_in(client, username).status_code == 302
    client.get("/lang/en")
    return client


def _new(
    client, contest_id, unit_id, title, members, category="technical_improvement", benefit="120000"
):
    return client.post(
        f"/contests/{contest_id}/innovation/new",
        data={
            "category": category,
            "title": title,
            "unit_id": unit_id,
            "members": members,
            "abstract": "将刀具更换时间由15分钟缩短到3分钟。",
            "benefit_yuan": benefit,
        },
    )


def _submission(title) -> InnovationSubmission:
    db.session.expire_all()
    return db.session.scalar(select(InnovationSubmission).filter_by(title=title))


def _mark(round_id, judges):
    """Seat the judges and the chief judge on the round's panel, each assigned the
    submissions ``judges`` ({submission: judges}) gives them; draw the codes."""
    rnd = db.session.get(InnovationRound, round_id)
    items = [i.id for part in _parts(round_id) for i in part.items]
    entries = _entries(round_id)
    for name in (*JUDGES, "chief"):
        member = panel.add_member(rnd, name, "chief_judge" if name == "chief" else "judge", None)
        panel.set_items(member, set(items))
        for submission_id, names in judges.items():
            if name in names:
                panel.assign_entry(member, entries[submission_id])
    codes.draw_entry_codes(round_id, False, random.Random(5))
    db.session.commit()
    return items


def _entries(round_id) -> dict:
    return dict(
        db.session.execute(
            select(InnovationEntry.submission_id, InnovationEntry.id).filter_by(round_id=round_id)
        ).all()
    )


def _parts(round_id):
    return db.session.scalars(select(SchemePart).filter_by(assessment_id=round_id)).all()


def _score(round_id, items, values, users, judges):
    entries = dict(
        db.session.execute(
            select(InnovationEntry.submission_id, InnovationEntry.id).filter_by(round_id=round_id)
        ).all()
    )
    for submission_id, per_item in values.items():
        for judge in judges[submission_id]:
            for item, value in zip(items, per_item, strict=True):
                save_score(
                    round_id,
                    entries[submission_id],
                    item,
                    users[judge].id,
                    Decimal(value),
                    users[judge].id,
                )
    db.session.commit()


def test_an_innovation_contest_from_submission_to_certificates(client):
    contest, steel, rail, users = _world()
    cid = contest.id
    # The organiser sets it up: weights 60/40, one award of each level per category.
    _as(client, "org")
    page = client.post(
        f"/contests/{cid}/innovation",
        data={
            "name": "2026年职工创新成果竞赛",
            "review_weight": "60",
            "defence_weight": "30",
            "counts": "1,1,1,1",
        },
    )
    assert b"must add up to 100" in page.data
    assert db.session.scalar(select(func.count()).select_from(InnovationContest)) == 0
    client.post(
        f"/contests/{cid}/innovation",
        data={
            "name": "2026年职工创新成果竞赛",
            "review_weight": "60",
            "defence_weight": "40",
            "counts": "1,1,1,1",
        },
    )
    innovation = services.innovation_of(cid)
    assert [c.counts["first"] for c in innovation.categories] == [1, 1, 1, 1]

    # 济钢's liaison submits a team's achievement and a person's; the organiser a 铁路局 one.
    _as(client, "liaison")
    team = f"王建国 {_id(1)}\n李红 {_id(2)}"
    assert _new(client, cid, steel.id, "数控刀具快换装置", team).status_code == 303
    bad = _new(client, cid, steel.id, "焊接烟尘收集器", f"赵强 {_id(3)[:-1]}X0")
    assert bad.status_code == 200 and b"member" in bad.data
    assert _new(client, cid, steel.id, "焊接烟尘收集器", f"赵强 {_id(3)}").status_code == 303
    # The same innovation by the same team again (spaces in the title do not hide it).
    twice = _new(client, cid, steel.id, "数控刀具 快换装置", f"李红 {_id(2)}\n王建国 {_id(1)}")
    assert twice.status_code == 200 and b"already submitted this innovation" in twice.data
    # Another unit is not the liaison's to submit for.
    assert _new(client, cid, rail.id, "x", f"钱一 {_id(4)}").status_code == 200
    assert db.session.scalar(select(func.count()).select_from(InnovationSubmission)) == 2
    _as(client, "org")
    assert (
        _new(client, cid, rail.id, "道岔融雪装置", f"孙立 {_id(5)}", benefit="50000").status_code
        == 303
    )

    tool, fume, switch = (
        _submission(t) for t in ("数控刀具快换装置", "焊接烟尘收集器", "道岔融雪装置")
    )
    assert [m.person.name for m in tool.members] == ["王建国", "李红"]
    # Attachments by content: a text file named .pdf is refused, a PDF kept.
    _as(client, "liaison")
    url = f"/contests/{cid}/innovation/submissions/{tool.id}"
    client.post(f"{url}/attachments", data={"file": (io.BytesIO(b"hello"), "a.pdf")})
    assert db.session.scalar(select(func.count()).select_from(InnovationAttachment)) == 0
    for s in (tool, fume):
        client.post(
            f"/contests/{cid}/innovation/submissions/{s.id}/attachments",
            data={"file": (io.BytesIO(PDF), "成果报告.pdf")},
        )
        client.post(f"/contests/{cid}/innovation/submissions/{s.id}/send")
    _as(client, "org")
    services.add_attachment(_submission("道岔融雪装置"), "报告.pdf", PDF)
    services.submit(_submission("道岔融雪装置"))
    db.session.commit()
    assert {s.state for s in (_submission("数控刀具快换装置"), _submission("焊接烟尘收集器"))} == {
        "submitted"
    }

    # The format check: one returned with reasons, the others pass.
    check = f"/contests/{cid}/innovation/submissions/{fume.id}/check"
    assert b"at least 5" in client.post(check, data={"decision": "return", "reasons": "短"}).data
    client.post(check, data={"decision": "return", "reasons": "缺少效益证明材料"})
    for s in (tool, switch):
        client.post(
            f"/contests/{cid}/innovation/submissions/{s.id}/check", data={"decision": "pass"}
        )
    assert _submission("焊接烟尘收集器").state == "returned"
    # The liaison reads the reasons, fixes and sends it again; it passes.
    _as(client, "liaison")
    assert "缺少效益证明材料" in client.get(f"/contests/{cid}/innovation/mine").get_data(
        as_text=True
    )
    client.post(
        f"/contests/{cid}/innovation/submissions/{fume.id}/attachments",
        data={"file": (io.BytesIO(PDF), "效益证明.pdf")},
    )
    client.post(f"/contests/{cid}/innovation/submissions/{fume.id}/send")
    _as(client, "org")
    client.post(check, data={"decision": "pass"})
    assert {s.state for s in services.submissions_of(services.innovation_of(cid))} == {"passed"}
    # A stranger sees none of it.
    _as(client, "stranger")
    assert client.get(url).status_code == 403
    assert client.get(f"/contests/{cid}/innovation").status_code == 403

    # The expert online review: an assessment of judging's, with recusal (exp3 is 济钢's).
    _as(client, "org")
    assert client.post(f"/contests/{cid}/innovation/review").status_code == 303
    rnd = services.round_of(services.innovation_of(cid), "review")
    assert rnd.kind == "innovation_review"
    three = {
        fume.id: ("exp1", "exp2", "chief"),
        tool.id: ("exp1", "exp2", "chief"),
        switch.id: JUDGES,
    }
    items = _mark(rnd.id, three)
    exp3 = db.session.scalar(
        select(PanelMember).filter_by(assessment_id=rnd.id, user_id=users["exp3"].id)
    )
    with pytest.raises(panel.PanelError):  # 济钢's expert never marks 济钢's achievement
        panel.assign_entry(exp3, _entries(rnd.id)[tool.id])
    db.session.rollback()
    _score(
        rnd.id,
        items,
        {tool.id: (25, 25, 16, 16), fume.id: (20, 20, 15, 15), switch.id: (28, 28, 18, 18)},
        users,
        three,
    )
    # The experts read what they mark by code: never a unit or a member; exp3 not 济钢's.
    _as(client, "exp1")
    reading = client.get(f"/contests/{cid}/innovation/rounds/{rnd.id}/reading")
    text = reading.get_data(as_text=True)
    review_codes = codes.codes_by_entry(rnd.id)
    assert all(c in text for c in review_codes.values()) and "缩短到3分钟" in text
    assert "王建国" not in text and "济钢集团" not in text
    _as(client, "exp3")
    text = client.get(f"/contests/{cid}/innovation/rounds/{rnd.id}/reading").get_data(as_text=True)
    assert "道岔融雪装置" in text and "数控刀具快换装置" not in text
    _as(client, "stranger")
    assert client.get(f"/contests/{cid}/innovation/rounds/{rnd.id}/reading").status_code == 403
    # The grid shows codes, never a title's unit or a member.
    _as(client, "exp1")
    grid = client.get(f"/marking/{rnd.id}").get_data(as_text=True)
    assert "王建国" not in grid and "济钢集团" not in grid
    assert review.lock(rnd.id, users["chief"].id) == []
    db.session.commit()

    # The defence session for the best two of each category, scored live on the grid.
    _as(client, "org")
    assert (
        client.post(f"/contests/{cid}/innovation/defence", data={"per_category": "2"}).status_code
        == 303
    )
    defence = services.round_of(services.innovation_of(cid), "defence")
    assert defence.kind == "innovation_defence"
    at_defence = set(
        db.session.scalars(select(InnovationEntry.submission_id).filter_by(round_id=defence.id))
    )
    assert at_defence == {tool.id, switch.id}  # 焊接烟尘收集器 (70) is third in its category
    ditems = _mark(defence.id, {tool.id: ("exp1", "exp2", "chief"), switch.id: JUDGES})
    code = codes.codes_by_entry(defence.id)
    entry_of = dict(
        db.session.execute(
            select(InnovationEntry.submission_id, InnovationEntry.id).filter_by(round_id=defence.id)
        ).all()
    )
    _as(client, "exp1")
    live = client.post(
        f"/marking/{defence.id}/scores",
        json={"code": code[entry_of[tool.id]], "item": ditems[0], "value": "95"},
    )
    assert live.status_code == 200, live.get_data(as_text=True)
    _score(
        defence.id,
        ditems,
        {tool.id: (95,), switch.id: (60,)},
        users,
        {tool.id: ("exp2", "chief"), switch.id: JUDGES},
    )
    assert review.lock(defence.id, users["chief"].id) == []
    db.session.commit()

    # The awards on the task: 道岔 92×.6+60×.4=79.2; 刀具 82×.6+95×.4=87.2; 烟尘 70×.6=42.
    _as(client, "org")
    assert client.post(f"/contests/{cid}/innovation/awards").status_code == 303
    job = db.session.scalar(select(Job).filter_by(kind=tasks.KIND))
    tasks.compute_awards(job.id, innovation.id)
    db.session.expire_all()
    assert db.session.get(Job, job.id).state == "succeeded"
    rows = {
        s: (r.total, r.rank, r.award)
        for s, r in db.session.execute(
            select(InnovationEntry.submission_id, Result).join(
                Result, Result.subject_id == InnovationEntry.id
            )
        ).all()
    }
    assert rows == {
        tool.id: (Decimal("87.20"), 1, "special"),
        switch.id: (Decimal("79.20"), 2, "first"),
        fume.id: (Decimal("42.00"), 3, "second"),
    }
    assert "87.2" in client.get(f"/contests/{cid}/innovation/results").get_data(as_text=True)

    # 公示 through publication's page, then final; certificates for every member.
    assert (
        client.post(
            f"/contests/{cid}/innovation/publication/publish", data={"confirm": "y"}
        ).status_code
        == 303
    )
    result_set = db.session.get(ResultSet, rnd.id)
    assert result_set.state == "notice"

    # While the notice runs, the public objects from the notice page: a short one is refused
    # beside its field, a signed one goes to the arbitrator and holds the awards back.
    notice = f"/contests/{cid}/innovation/notice"
    page = client.get(notice).get_data(as_text=True)
    assert 'id="objection-form"' in page and "《道岔融雪装置》" in page
    switch_entry = db.session.scalar(select(InnovationEntry.id).filter_by(submission_id=switch.id))
    objection = {"subject_id": switch_entry, "real_name": "刘群众", "contact": "13800000000"}
    short = client.post(f"{notice}/objection", data={**objection, "reason": "重复申报"})
    assert short.status_code == 200 and 'id="reason-error"' in short.get_data(as_text=True)
    assert (
        client.post(
            f"{notice}/objection", data={**objection, "subject_id": 999999, "reason": "x" * 20}
        ).status_code
        == 200
    )  # not a line of the notice
    assert db.session.scalar(select(func.count()).select_from(Appeal)) == 0
    filed = client.post(
        f"{notice}/objection",
        data={**objection, "reason": "该成果2019年已在市级竞赛获奖，属重复申报。"},
    )
    assert filed.status_code == 303
    appeal = db.session.scalar(select(Appeal))
    assert (appeal.assessment_id, appeal.subject_id, appeal.real_name, appeal.contact) == (
        rnd.id,
        switch_entry,
        "刘群众",
        "13800000000",
    )
    assert publication.finalise(result_set, datetime(2027, 12, 31, 9, 0)) is not None
    # The organiser follows it (what it is about), the arbitrator decides it and may call.
    about = client.get(f"/contests/{cid}/appeals").get_data(as_text=True)
    assert "道岔融雪装置 · 济南铁路局" in about and "13800000000" not in about
    f.grant(f.user("arb"), contest, "arbitrator")
    db.session.commit()
    _as(client, "arb")
    about = client.get(f"/contests/{cid}/appeals").get_data(as_text=True)
    assert "道岔融雪装置 · 济南铁路局" in about and "13800000000" in about
    _as(client, "org")
    assert (
        appeals.decide(appeal, False, "经核查不属重复申报", users["org"].id, datetime.now()) is None
    )
    db.session.commit()
    assert publication.finalise(result_set, datetime(2027, 12, 31, 9, 0)) is None
    db.session.commit()
    assert client.get(f"/contests/{cid}/innovation/certificates").status_code == 200
    certificates.design_of(contest)
    cert_job, chunks = certificates.start_issue(cid, [rnd.id], users["org"].id)
    db.session.commit()
    assert sum(issue.issue_chunk(cert_job.id, c, db.session.commit) for c in chunks) == 4
    issued = {c.name: c for c in db.session.scalars(select(Certificate))}
    assert set(issued) == {"王建国", "李红", "赵强", "孙立"}
    wang = issued["王建国"]
    assert (wang.award, wang.team, wang.unit) == ("special", "数控刀具快换装置", "济钢集团")
    assert wang.id_masked.startswith("3701") and "*" in wang.id_masked
    assert issued["李红"].number != wang.number
    verified = client.get(f"/verify/{wang.number}").get_data(as_text=True)
    assert "王建国" in verified and "《数控刀具快换装置》" in verified
    # A team's members get a team member's certificate, saying it is for the team's
    # achievement; a person alone an individual's, as for any award.
    assert {c.name: c.kind for c in issued.values()} == {
        "王建国": "member",
        "李红": "member",
        "赵强": "individual",
        "孙立": "individual",
    }
    design = certificates.design_data(certificates.design_of(contest))
    texts = {
        f.name: rules.fill(design.bodies[f.kind], f.values()) for f in certificates.wanted(rnd.id)
    }
    assert "你参与完成的项目《数控刀具快换装置》（团队成员）" in texts["李红"]
    assert texts["赵强"].startswith("赵强 同志：") and "团队成员" not in texts["赵强"]

"""A labour competition end to end through its pages: the organiser's setup and scheme, two
reporters' figures (typed, with evidence, and imported), verification, a veto, scoring on the
task, a period ranking under public notice with an objection, the running total's
commendation and its certificates. Read back from the database."""

import io
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook
from sqlalchemy import select

from competitions.certificates import services as certificates
from competitions.certificates.models import Certificate
from competitions.certificates.services import issue
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.jobs import Job, create_job
from competitions.labour import tasks
from competitions.labour.models import (
    LabourCompetition,
    LabourEvidence,
    LabourFigure,
    LabourIndicator,
    LabourParticipant,
    LabourPeriod,
    LabourReport,
    LabourScore,
    LabourStanding,
)
from competitions.publication import services as publication
from competitions.publication.models import Appeal
from competitions.results.models import Result, ResultSet
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def _world():
    contest = f.contest("LD-2026", tier="province", year=2026)
    steel = f.unit("济钢集团")
    users = {n: f.user(n) for n in ("org", "arbitrator", "rep1", "rep2", "stranger")}
    f.grant(users["org"], contest, "organiser")
    f.grant(users["arbitrator"], contest, "arbitrator")
    db.session.commit()
    return contest, steel, users


def _as(client, username):
    client.post("/logout")
    response = f.log_in(client, username)
    assert response.status_code == 302
    client.get("/lang/en")
    return client


def _xlsx(rows) -> bytes:
    book = Workbook()
    sheet = book.active
    sheet.append(["周期", "参与单位", "指标", "数值"])
    for row in rows:
        sheet.append(list(row))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def _setup(client, contest, steel):
    base = f"/contests/{contest.id}/labour"
    created = client.post(
        base,
        data={
            "name": "2026年度济钢劳动竞赛",
            "period_kind": "quarter",
            "year": "2026",
            "commend_top": "1",
            "commendation": "labour_model",
        },
    )
    assert created.status_code == 303
    for name, reporter in (("炼钢一班", "rep1"), ("轧钢二班", "rep2")):
        added = client.post(
            f"{base}/participants",
            data={
                "name": name,
                "kind": "work_team",
                "unit_id": str(steel.id),
                "reporter": reporter,
            },
        )
        assert added.status_code == 303, added.get_data(as_text=True)
    twice = client.post(
        f"{base}/participants", data={"name": "炼钢一班", "kind": "work_team", "unit_id": "0"}
    )
    assert twice.status_code == 400
    assert "a participant of this name already takes part" in twice.get_data(as_text=True)
    return base


def _scheme(client, base, weights):
    rows = [
        ("产量", "吨", "higher", "100", weights[0], "ratio", "120", ""),
        ("安全隐患", "项", "lower", "2", weights[1], "rank", "", ""),
    ]
    data = {}
    for n, row in enumerate(rows):
        for key, value in zip(
            ("name", "measure", "direction", "target", "weight", "scoring", "cap", "floor"),
            row,
            strict=True,
        ):
            data[f"rows-{n}-{key}"] = value
    return client.post(f"{base}/scheme", data=data)


def _board(assessment_id):
    """{participant name: (total, rank, award)} of an assessment's results."""
    rows = db.session.execute(
        select(LabourParticipant.name, Result.total, Result.rank, Result.award)
        .join(LabourStanding, LabourStanding.participant_id == LabourParticipant.id)
        .join(Result, Result.subject_id == LabourStanding.id)
        .where(Result.assessment_id == assessment_id)
    )
    return {name: tuple(rest) for name, *rest in rows}


def _score(contest_id, comp_id, user_id):
    comp = db.session.get(LabourCompetition, comp_id)
    period_ids = [p.id for p in comp.periods if not p.is_open and p.position]
    job = create_job(tasks.KIND, user_id, contest_id)
    db.session.commit()
    # The chord's tasks, one after the other (a real worker runs them in test_worker.py).
    done = [tasks.score_period(job.id, period_id) for period_id in period_ids]
    tasks.finish_score(done, job.id, comp_id)
    db.session.expire_all()
    return db.session.get(Job, job.id)


def test_a_labour_competition_from_scheme_to_commendation(client):
    contest, steel, users = _world()
    _as(client, "org")
    base = _setup(client, contest, steel)
    comp = db.session.scalar(select(LabourCompetition))
    assert [p.label for p in comp.periods] == ["累计", "2026Q1", "2026Q2", "2026Q3", "2026Q4"]

    # Weights that do not add up to 100: refused next to the field, nothing saved.
    refused = _scheme(client, base, ("60", "30"))
    assert refused.status_code == 400
    assert "the weights add up to 90, not 100" in refused.get_data(as_text=True)
    assert db.session.scalar(select(sa.func.count()).select_from(LabourIndicator)) == 0
    assert _scheme(client, base, ("60", "40")).status_code == 303
    output, safety = db.session.scalars(select(LabourIndicator).order_by("position")).all()
    assert (output.name, output.weight, safety.scoring) == ("产量", Decimal(60), "rank")
    for name, effect in (("重大安全事故", "zero"), ("严重质量事故", "no_commendation")):
        assert (
            client.post(f"{base}/vetoes", data={"name": name, "effect": effect}).status_code == 303
        )
    q1 = db.session.scalar(select(LabourPeriod).filter_by(label="2026Q1"))
    one, two = db.session.scalars(select(LabourParticipant).order_by("name")).all()
    assert (one.name, two.name) == ("炼钢一班", "轧钢二班")

    # Reporter 1 types figures: a negative output is refused beside the field.
    _as(client, "rep1")
    page = f"{base}/participants/{one.id}/periods/{q1.id}"
    negative = client.post(page, data={f"f{output.id}": "-5", f"f{safety.id}": "1"})
    assert negative.status_code == 400 and "a figure cannot be negative" in negative.get_data(
        as_text=True
    )
    assert db.session.scalar(select(sa.func.count()).select_from(LabourReport)) == 0
    assert client.post(page, data={f"f{output.id}": "110", f"f{safety.id}": "1"}).status_code == 303
    # Evidence: a text file named .pdf is refused by its first bytes; a PDF is kept.
    fake = client.post(
        f"{page}/evidence",
        data={"evidence": (io.BytesIO(b"not a pdf"), "report.pdf")},
        content_type="multipart/form-data",
    )
    assert fake.status_code == 400 and "evidence must be a PDF or an image" in fake.get_data(
        as_text=True
    )
    kept = client.post(
        f"{page}/evidence",
        data={"evidence": (io.BytesIO(PDF), "产量台账.pdf")},
        content_type="multipart/form-data",
    )
    assert kept.status_code == 303
    assert client.post(f"{page}/submit", data={"confirm": "y"}).status_code == 303
    again = client.post(page, data={f"f{output.id}": "120", f"f{safety.id}": "1"})
    assert "the report is already submitted for this period" in again.get_data(as_text=True)
    # Someone else's participant: refused.
    assert client.get(f"{base}/participants/{two.id}/periods/{q1.id}").status_code == 403

    # Reporter 2 imports: a figure twice in the file refuses the whole file, with a report.
    _as(client, "rep2")
    bad = _xlsx(
        [
            ("2026Q1", "轧钢二班", "产量", 90),
            ("2026Q1", "轧钢二班", "产量", 95),
            ("2026Q1", "炼钢一班", "产量", 1),
        ]
    )
    answer = client.post(
        f"{base}/import",
        data={"file": (io.BytesIO(bad), "figures.xlsx")},
        content_type="multipart/form-data",
    )
    assert answer.status_code == 303
    assert db.session.scalar(select(sa.func.count()).select_from(LabourFigure)) == 2  # rep1's
    job_id = answer.headers["Location"].split("errors=")[1]
    report = client.get(f"{base}/import/{job_id}/errors")
    assert report.status_code == 200
    rows = list(load_workbook(io.BytesIO(report.data)).active.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == [3, 4]
    good = _xlsx([("2026Q1", "轧钢二班", "产量", 90), ("2026Q1", "轧钢二班", "安全隐患", 3)])
    client.post(
        f"{base}/import",
        data={"file": (io.BytesIO(good), "figures.xlsx")},
        content_type="multipart/form-data",
    )
    page2 = f"{base}/participants/{two.id}/periods/{q1.id}"
    assert client.post(f"{page2}/submit", data={"confirm": "y"}).status_code == 303

    # The organiser returns report 2 with a reason; the reporter reads it and corrects.
    _as(client, "org")
    r1, r2 = (
        db.session.scalar(select(LabourReport).filter_by(participant_id=p.id)) for p in (one, two)
    )
    assert (
        client.post(
            f"{base}/reports/{r2.id}/return", data={"reason": "安全隐患数与台账不符"}
        ).status_code
        == 303
    )
    _as(client, "rep2")
    assert "安全隐患数与台账不符" in client.get(page2).get_data(as_text=True)
    assert client.post(page2, data={f"f{output.id}": "90", f"f{safety.id}": "2"}).status_code == 303
    assert client.post(f"{page2}/submit", data={"confirm": "y"}).status_code == 303
    # The organiser accepts both and corrects one figure with a reason (in the audit trail).
    _as(client, "org")
    for r in (r1, r2):
        assert client.post(f"{base}/reports/{r.id}/accept").status_code == 303
    figure = db.session.scalar(
        select(LabourFigure).filter_by(report_id=r1.id, indicator_id=output.id)
    )
    corrected = client.post(
        f"{base}/figures/{figure.id}/correct", data={"value": "105", "reason": "按台账核减"}
    )
    assert corrected.status_code == 303
    db.session.expire_all()
    assert (figure.value, figure.correction_reason) == (Decimal(105), "按台账核减")
    logged = db.session.scalars(
        select(AuditLog).where(AuditLog.entity == "labour_figure", AuditLog.action == "update")
    ).all()
    assert any(
        log.changes.get("correction_reason") == [None, "按台账核减"]
        or (log.changes.get("correction_reason") or [None, None])[1] == "按台账核减"
        for log in logged
    )
    audit_page = client.get(f"/contests/{contest.id}/audit").get_data(as_text=True)
    assert "按台账核减" in audit_page

    # Close Q1: the reporters can no longer report it; score it on the task.
    assert client.post(f"{base}/periods/{q1.id}/state").status_code == 303
    job = _score(contest.id, comp.id, users["org"].id)
    assert job.state == "succeeded", job.message
    ranking = _board(q1.id)
    # 炼钢一班: 105/100 × 60 = 63 + rank 1 on safety (1 < 2) × 40 = 103; 轧钢二班: 54 + 0.
    assert ranking == {
        "炼钢一班": (Decimal("103.00"), 1, None),
        "轧钢二班": (Decimal("54.00"), 2, None),
    }
    scores = db.session.scalar(select(sa.func.count()).select_from(LabourScore))
    assert scores == 2 * 2
    _as(client, "rep1")
    closed = client.post(page, data={f"f{output.id}": "1", f"f{safety.id}": "1"})
    assert "the period is closed for reporting" in closed.get_data(as_text=True)

    # A veto in Q1 for 炼钢一班: rescored, its Q1 total is 0.
    _as(client, "org")
    veto = comp.vetoes[0]
    assert veto.effect == "zero"
    client.post(
        f"{base}/incidents",
        data={"period_id": q1.id, "participant_id": one.id, "veto_id": veto.id, "note": "3月12日"},
    )
    _score(contest.id, comp.id, users["org"].id)
    ranking = _board(q1.id)
    assert ranking == {
        "炼钢一班": (Decimal("0.00"), 2, None),
        "轧钢二班": (Decimal("54.00"), 1, None),
    }

    # Q1's ranking under public notice (publication's own services); 炼钢一班 objects.
    assert "Put under public notice" in client.get(f"{base}/periods/{q1.id}").get_data(as_text=True)
    public = f"{base}/periods/{q1.id}/ranking"
    assert client.get(public).status_code == 404  # a draft is not public
    published = client.post(f"{base}/periods/{q1.id}/publication/publish", data={"confirm": "y"})
    assert published.status_code == 303
    assert db.session.get(ResultSet, q1.id).state == "notice"
    client.post("/logout")
    seen = client.get(public).get_data(as_text=True)  # anyone, under public notice
    assert "轧钢二班" in seen and "54.00" in seen
    _as(client, "rep1")
    mine = client.get(f"{base}/participants/{one.id}").get_data(as_text=True)
    assert "<svg" in mine and "2026Q1" in mine
    objection = client.post(f"{page}/objection", data={"reason": "事故认定有误，请复核"})
    assert objection.status_code == 303
    appeal = db.session.scalar(select(Appeal))
    assert (appeal.assessment_id, appeal.state) == (q1.id, "pending")
    # The arbitrator rejects it on publication's own page.
    _as(client, "arbitrator")
    assert "事故认定有误" in client.get(f"/contests/{contest.id}/appeals").get_data(as_text=True)
    decided = client.post(
        f"/appeals/{appeal.id}/decide",
        data={"outcome": "rejected", "reasons": "事故调查报告已确认"},
    )
    assert decided.status_code == 302
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).state == "rejected"

    # The year: the other quarters closed (nothing reported: 0), the running total commended.
    _as(client, "org")
    for period in comp.periods:
        if period.position > 1:
            client.post(f"{base}/periods/{period.id}/state")
    _score(contest.id, comp.id, users["org"].id)
    total = next(p for p in comp.periods if p.is_total)
    final = _board(total.id)
    assert final == {
        "轧钢二班": (Decimal("54.00"), 1, "labour_model"),
        "炼钢一班": (Decimal("0.00"), 2, None),
    }
    result_set = db.session.get(ResultSet, total.id)
    assert publication.publish(total, result_set, datetime(2026, 12, 7, 9, 0)) is None
    assert publication.finalise(result_set, datetime(2026, 12, 20, 9, 0)) is None
    db.session.commit()
    assert client.get(f"{base}/certificates").status_code == 200
    certificates.design_of(contest)
    cert_job, chunks = certificates.start_issue(contest.id, [total.id], users["org"].id)
    db.session.commit()
    assert sum(issue.issue_chunk(cert_job.id, c, db.session.commit) for c in chunks) == 1
    certificate = db.session.scalar(select(Certificate))
    assert (certificate.name, certificate.unit, certificate.award) == (
        "轧钢二班",
        "济钢集团",
        "labour_model",
    )
    verified = client.get(f"/verify/{certificate.number}").get_data(as_text=True)
    assert "轧钢二班" in verified and "Labour competition model" in verified
    assert db.session.scalar(select(sa.func.count()).select_from(LabourEvidence)) == 1


def test_strangers_see_nothing(client):
    contest, steel, _users = _world()
    _as(client, "org")
    base = _setup(client, contest, steel)
    one = db.session.scalar(select(LabourParticipant).filter_by(name="炼钢一班"))
    _as(client, "stranger")
    for path in (base, f"{base}/scheme", f"{base}/participants/{one.id}", f"{base}/report"):
        assert client.get(path).status_code == 403, path
    _as(client, "rep1")
    assert client.get(f"{base}/scheme").status_code == 403
    assert client.get(base).status_code == 302  # to the reporter's own page
    assert client.get(f"{base}/participants/{one.id}").status_code == 200

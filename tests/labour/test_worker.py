"""Scoring on a real Celery worker: the organiser's button queues one task per closed period
and a chord that ends with the running total; the job's row tells the page when it is done."""

from decimal import Decimal

from sqlalchemy import select

from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.labour import services as labour
from competitions.labour.services import reporting
from competitions.results.models import Result, ResultSet
from tests import factories as f
from tests.conftest import wait_for_job


def test_the_organisers_button_scores_on_the_worker(worker_app):
    client = worker_app.test_client()
    contest = f.contest("LD-2026", tier="enterprise", year=2026)
    org = f.user("org")
    f.grant(org, contest, "organiser")
    comp = labour.create_competition(contest.id, "劳动竞赛", "quarter", 2026, 1, "labour_model")
    teams = [labour.add_participant(comp, name, "work_team", None, "") for name in ("甲班", "乙班")]
    labour.save_scheme(
        comp,
        [
            labour.IndicatorRow(
                "产量", "吨", "higher", Decimal(100), Decimal(100), "ratio", Decimal(120), None
            )
        ],
    )
    indicator = comp.indicators[0].id
    periods = labour.periods(comp)
    for period in periods[:2]:
        for team, value in zip(teams, (Decimal(90), Decimal(110)), strict=True):
            report = reporting.save_figures(period, team, {indicator: value})
            reporting.submit(report, [indicator])
            reporting.accept(report, org.id)
        labour.close_period(period, org.id)
    db.session.commit()
    f.log_in(client, "org")
    answer = client.post(f"/contests/{contest.id}/labour/score")
    assert answer.status_code == 303
    job_id = db.session.scalar(select(Job.id).filter_by(kind="labour_score"))
    job = wait_for_job(job_id)
    assert job.state == "succeeded", job.message
    assert sorted(job.result["scored"]) == ["2026Q1", "2026Q2"]
    total = labour.total_of(comp)
    rows = db.session.execute(
        select(Result.total, Result.rank)
        .where(Result.assessment_id == total.id)
        .order_by(Result.rank)
    ).all()
    assert rows == [(Decimal("220.00"), 1), (Decimal("180.00"), 2)]
    assert db.session.get(ResultSet, periods[0].id).ranked == 2
    assert db.session.get(ResultSet, periods[2].id) is None  # still open: not scored
    _forget_pending_results(worker_app.extensions["celery"])


def _forget_pending_results(celery_app) -> None:
    """Stop waiting on the chord's results while Redis can still be told (else Celery's client
    unsubscribes at interpreter exit and prints a traceback)."""
    backend = celery_app.backend
    for mapping in getattr(backend, "_pending_results", ()):
        for waiters in list(mapping.values()):
            for result in list(waiters.values()):
                backend.remove_pending_result(result)

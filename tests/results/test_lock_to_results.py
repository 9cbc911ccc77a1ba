"""Lock → the real worker computes → the organiser sees results → advancement is confirmed."""

from decimal import Decimal

from sqlalchemy import func, select

from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.registry.models import Entry
from competitions.results.models import Result, ResultSet
from tests import factories as f
from tests.conftest import SIGNATURE, wait_for_job
from tests.factories import PASSWORD, log_in
from tests.judging.marking_world import build, score_everyone


def _login(client, username):
    client.get("/lang/en")
    assert log_in(client, username, PASSWORD).status_code == 302


def _fill(world, scores):
    score_everyone(world, scores, measured=4)


def test_locking_computes_the_results_and_advancement_follows(worker_app):
    world = build(n_entries=4)
    parent = f.contest("QG-2018", tier="national")
    world.ct.contest.parent_id = parent.id
    parent_ct = f.contest_trade(parent, world.ct.trade)
    db.session.commit()
    _fill(world, [9, 7, 8, 6])
    client = worker_app.test_client()
    _login(client, "chief")
    page = client.post(
        f"/contest-trades/{world.ct.id}/lock", data=SIGNATURE, follow_redirects=True
    ).get_data(as_text=True)
    assert "The marks are locked." in page
    job = db.session.scalar(select(Job).filter_by(kind="recompute"))
    assert wait_for_job(job.id).state == "succeeded"

    db.session.expire_all()
    ranks = {r.subject_id: r.rank for r in db.session.scalars(select(Result))}
    e = [x.id for x in world.entries]
    assert ranks == {e[0]: 1, e[2]: 2, e[1]: 3, e[3]: 4}
    # Practical = (9×… ) scaled: the judged item 9/10 and measured 4/5 → (9 + 4) / 15 × 100.
    top = db.session.get(Result, e[0])
    assert top.practical == Decimal("86.6667") and top.total == Decimal("60.67")
    assert {r.subject_id for r in db.session.scalars(select(Result).filter_by(advances=True))} == {
        e[0],
        e[2],
        e[1],
    }

    _login(client, "org")
    page = client.get(f"/contest-trades/{world.ct.id}/results").get_data(as_text=True)
    assert "选手0号" in page and "60.67" in page
    for _ in range(2):  # confirming twice creates the entries once
        client.post(f"/contest-trades/{world.ct.id}/advance", follow_redirects=True)
    up = db.session.scalars(select(Entry).filter_by(contest_trade_id=parent_ct.id)).all()
    assert sorted(x.source_entry_id for x in up) == sorted([e[0], e[1], e[2]])


def test_a_recompute_by_hand_for_the_contest_shows_progress_and_refusals(worker_app):
    world = build(n_entries=3)
    _fill(world, [5, 6, 7])  # not locked: refused, nothing computed
    client = worker_app.test_client()
    _login(client, "org")
    client.post(f"/contests/{world.ct.contest_id}/results", data={"scope": "contest"})
    job = db.session.scalar(select(Job).filter_by(kind="recompute"))
    job = wait_for_job(job.id)
    assert job.state == "succeeded" and job.result["refused"] == {
        str(world.ct.id): ["the marks are not locked by the chief judge"]
    }
    page = client.get(f"/contests/{world.ct.contest_id}/results").get_data(as_text=True)
    assert "the marks are not locked by the chief judge" in page
    assert db.session.scalar(select(func.count()).select_from(Result)) == 0
    assert db.session.get(ResultSet, world.ct.id) is None


def test_a_contestants_path_through_the_tiers_reads_both_ways(app, client, login):
    from competitions.registry.models import Person
    from seeds.loader import load_demo

    load_demo(db.session)
    db.session.commit()
    person = db.session.scalar(select(Person).filter_by(name="宋燕"))
    login_as = log_in(client, "organiser", "demo1234")
    assert login_as.status_code == 302
    page = client.get(f"/persons/{person.id}").get_data(as_text=True)
    table = page.split("<tbody>", 1)[1].split("</tbody>", 1)[0]
    rows = table.split("</tr>")
    # Enterprise → city → province → national, each linked both ways.
    assert "济钢2018年职工岗位练兵技术比武" in rows[0] and "2018年济南市职工职业技能大赛" in rows[0]
    assert "第六届全国职工职业技能大赛决赛" in rows[3]

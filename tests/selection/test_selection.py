"""A 工匠 selection end to end through its services: a campaign, two nominating bodies (one over
quota, refused), the qualification review returning one, the experts marking through judging
(recusal, lock), the public vote with a burst flagged and voided, the combined ranking, the
公示 through publication and the titles' certificates. Read back from the database."""

import itertools
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy import select

from competitions.certificates import services as certificates
from competitions.certificates.models import Certificate
from competitions.certificates.services import issue
from competitions.core.db import db
from competitions.judging.models import MarkingLock, SchemeItem, SchemePart
from competitions.judging.services import panel, review
from competitions.judging.services.marks import save_score
from competitions.publication import services as publication
from competitions.results.models import Result
from competitions.selection import rules, services
from competitions.selection.models import (
    Nominee,
    NomineeAttachment,
    Vote,
    VoteVoid,
)
from competitions.selection.services import Nomination, SelectionError
from tests import factories as f

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
CLOSE = datetime(2026, 6, 30, 23, 59)
OPENS, SHUTS = datetime(2026, 7, 1), datetime(2026, 7, 10, 23, 59)


def _solve(nonce: str, bits: int) -> str:
    """What the vote page's script does: count up until the hash has the zero bits asked."""
    return next(str(n) for n in itertools.count() if rules.work_done(nonce, str(n), bits))


def _id(serial: int) -> str:
    return f.resident_id(datetime(1978, 3, serial).date(), serial)


def _world():
    contest = f.contest("GJ-2026", tier="province", year=2026)
    steel, rail = f.unit("济钢集团"), f.unit("济南铁路局")
    users = {n: f.user(n) for n in ("org", "jn", "rail", "expert1", "expert2", "chief")}
    f.grant(users["org"], contest, "organiser")
    for name, role in (("expert1", "judge"), ("expert2", "judge"), ("chief", "chief_judge")):
        f.grant(users[name], contest, role)
    users["expert2"].unit_id = steel.id
    users["expert2"].display_name = "专家二"
    campaign = services.create_campaign(
        contest.id,
        name="2026年度齐鲁工匠",
        title_name="齐鲁工匠",
        level="province",
        titles=2,
        vote_nominees=3,
        min_years_in_trade=10,
        nominations_close=CLOSE,
        vote_opens=OPENS,
        vote_closes=SHUTS,
    )
    jn = services.add_body(campaign, "济南市总工会", "city_union", None, "jn", 3)
    rb = services.add_body(campaign, "铁路局工会", "industry_union", rail.id, "rail", 1)
    db.session.commit()
    return campaign, jn, rb, steel, rail, users


def _nominate(body, serial, unit, name, years=15, files=()):
    return services.nominate(
        body,
        Nomination(name, _id(serial), unit.id, "钳工", f"{name}的事迹", "专利3项", years),
        CLOSE - timedelta(days=1),
        list(files),
    )


def test_nomination_refusals_save_nothing(app):
    _campaign, jn, rb, steel, rail, _users = _world()
    _nominate(rb, 1, rail, "王工", files=[("deeds.pdf", PDF)])
    db.session.commit()
    assert db.session.scalar(select(NomineeAttachment.content_type)) == "application/pdf"
    refusals = {
        "over quota": lambda: _nominate(rb, 2, rail, "赵工"),
        "after the deadline": lambda: services.nominate(
            jn, Nomination("钱工", _id(3), steel.id, "焊工", "事迹"), CLOSE + timedelta(hours=1)
        ),
        "bad ID": lambda: services.nominate(
            jn, Nomination("孙工", "370102197803030000", steel.id, "焊工", "事迹"), CLOSE
        ),
        "an expert": lambda: _nominate(jn, 4, steel, "专家二"),
        "a text file": lambda: _nominate(jn, 5, steel, "周工", files=[("a.pdf", b"hello")]),
        "twice": lambda: _nominate(jn, 1, rail, "王工"),
    }
    for what, attempt in refusals.items():
        with pytest.raises(SelectionError):
            attempt()
        db.session.rollback()
        assert db.session.scalar(select(sa.func.count()).select_from(Nominee)) == 1, what
    assert db.session.scalar(select(sa.func.count()).select_from(NomineeAttachment)) == 1


def _through_review_and_experts(campaign, jn, rb, steel, rail, users, zhang_marks=(35, 30)):
    wang = _nominate(rb, 1, rail, "王工")
    li = _nominate(jn, 2, steel, "李工")
    zhang = _nominate(jn, 3, steel, "张工")
    db.session.commit()
    with pytest.raises(SelectionError, match="fewer than the 10 asked") as refused:
        _nominate(jn, 6, rail, "陈工", years=5)  # too few years: refused at the nomination
    assert refused.value.field == "years_in_trade"
    db.session.rollback()
    chen = _nominate(jn, 6, rail, "陈工", years=12)
    db.session.commit()
    campaign.min_years_in_trade = 13  # tightened after the nomination: the review finds it
    on = datetime(2026, 7, 1).date()
    with pytest.raises(SelectionError, match="fewer than the 13 asked"):
        services.pass_nominee(chen, on)
    with pytest.raises(SelectionError):
        services.return_nominee(chen, "  ")
    services.return_nominee(chen, "从事本工种年限不足10年")
    for n in (wang, li, zhang):
        services.pass_nominee(n, on)
    db.session.commit()
    # The experts' scheme and panel: judging's own machinery on the campaign.
    part = db.session.scalar(select(SchemePart).filter_by(assessment_id=campaign.id))
    items = [
        SchemeItem(
            part_id=part.id,
            position=n,
            code=c,
            criterion=t,
            kind="judgement",
            max_mark=Decimal(50),
            step=Decimal(1),
            judges=2,
            aggregation="mean",
            tolerance=Decimal(10),
        )
        for n, (c, t) in enumerate((("S1", "技能水平"), ("C1", "创新贡献")))
    ]
    db.session.add_all(items)
    db.session.flush()
    members = {}
    for name, role in (("expert1", "judge"), ("expert2", "judge"), ("chief", "chief_judge")):
        members[name] = panel.add_member(campaign, name, role, None)
        panel.set_items(members[name], {i.id for i in items})
    added, skipped = panel.assign_all_entries(members["expert2"])
    # expert2 works at 济钢: recused from 李工 and 张工; chen (returned) is not marked at all
    assert added == 1 and sorted(e.name for e, _ in skipped) == ["张工", "李工"]
    assert panel.assign_all_entries(members["expert1"])[0] == 3
    panel.assign_entry(members["chief"], li.id)
    panel.assign_entry(members["chief"], zhang.id)
    marks = {wang: (40, 30), li: (45, 45), zhang: zhang_marks}
    for nominee, values in marks.items():
        second = "expert2" if nominee is wang else "chief"
        for judge in ("expert1", second):
            for item, value in zip(items, values, strict=True):
                save_score(
                    campaign.id,
                    nominee.id,
                    item.id,
                    users[judge].id,
                    Decimal(value),
                    users[judge].id,
                )
    db.session.commit()
    assert review.lock(campaign.id, users["chief"].id) == []
    db.session.commit()
    assert db.session.get(MarkingLock, campaign.id).locked
    scores = services.expert_scores(campaign)
    assert scores == {wang.id: Decimal(70), li.id: Decimal(90), zhang.id: sum(zhang_marks)}
    assert services.vote_nominees(campaign) == [li.id, wang.id, zhang.id]
    return wang, li, zhang, chen


def test_a_selection_from_nomination_to_certificates(app, client):
    campaign, jn, rb, steel, rail, users = _world()
    wang, li, zhang, chen = _through_review_and_experts(campaign, jn, rb, steel, rail, users)
    assert db.session.get(Nominee, chen.id).return_reason == "从事本工种年限不足10年"

    # The public vote (in the database without Redis): one per nominee per day, ten a day.
    day = datetime(2026, 7, 2, 9, 0)
    services.cast_vote(campaign, wang.id, "dev-a", "Android/Chrome", "1.1.1.1", "web", day)
    with pytest.raises(SelectionError, match="already voted"):
        services.cast_vote(campaign, wang.id, "dev-a", "Android/Chrome", "1.1.1.1", "web", day)
    with pytest.raises(SelectionError, match="closed"):
        services.cast_vote(campaign, li.id, "dev-a", "x", "1.1.1.1", "web", SHUTS + timedelta(1))
    with pytest.raises(SelectionError, match="no such nominee"):
        services.cast_vote(campaign, chen.id, "dev-a", "x", "1.1.1.1", "web", day)
    # A burst: 40 devices of one family from one address for 张工 within 4 minutes. After 20,
    # each further vote asks for a check; this farm solves them (the work slows it down).
    app.config["VOTE_CHALLENGE_BITS"] = 4
    for i in range(40):
        at = day + timedelta(hours=1, seconds=6 * i)
        try:
            services.cast_vote(campaign, zhang.id, f"bot-{i}", "Bot/1", "6.6.6.6", "web", at)
        except services.ChallengeNeeded as asked:
            assert i >= 20
            nonce = asked.challenge["nonce"]
            proof = (nonce, _solve(nonce, 4))
            services.cast_vote(campaign, zhang.id, f"bot-{i}", "Bot/1", "6.6.6.6", "web", at, proof)
        else:
            assert i < 20
    for i in range(5):
        services.cast_vote(
            campaign,
            li.id,
            f"p-{i}",
            f"fam{i}",
            f"2.2.2.{i}",
            "wechat",
            day + timedelta(minutes=37 * i + i * i),
        )
    db.session.commit()
    bursts, regular = services.flagged(campaign)
    assert bursts == {"address:6.6.6.6", "device:Bot/1"} and regular == {zhang.id}
    assert services.counts(campaign) == {wang.id: 1, zhang.id: 40, li.id: 5}
    with pytest.raises(SelectionError):
        services.void_votes(campaign, "", users["org"].id, source="address:6.6.6.6")
    void = services.void_votes(
        campaign, "同一地址集中刷票", users["org"].id, source="address:6.6.6.6"
    )
    db.session.commit()
    assert void.voided == 40
    assert services.counts(campaign) == {wang.id: 1, li.id: 5}
    assert db.session.scalar(select(sa.func.count()).select_from(Vote)) == 46  # kept, marked

    # The combined ranking: 李工 (experts 90, 5 votes) then 王工; two titles.
    result_set = services.combined(campaign)
    db.session.commit()
    ranked = {r.subject_id: r for r in db.session.scalars(select(Result))}
    assert [ranked[n.id].rank for n in (li, wang, zhang)] == [1, 2, 3]
    assert ranked[li.id].total == Decimal("100.00")
    assert ranked[wang.id].total == Decimal("60.44")  # 70/90*70 + 1/5*30
    assert [ranked[n.id].award for n in (li, wang, zhang)] == ["first", "first", None]

    # 公示 through publication, then final; the titles' certificates, verifiable.
    published = datetime(2026, 7, 13, 9, 0)
    assert publication.publish(campaign, result_set, published) is None
    assert publication.finalise(result_set, published + timedelta(days=14)) is None
    db.session.commit()
    certificates.design_of(campaign.contest)
    job, chunks = certificates.start_issue(campaign.contest_id, [campaign.id], users["org"].id)
    db.session.commit()
    assert sum(issue.issue_chunk(job.id, c, db.session.commit) for c in chunks) == 2
    issued = {c.subject_id: c for c in db.session.scalars(select(Certificate))}
    assert set(issued) == {li.id, wang.id}  # the titles only
    assert issued[li.id].trade == "齐鲁工匠" and issued[li.id].name == "李工"
    page = client.get(f"/verify/{issued[li.id].number}").get_data(as_text=True)
    assert "李工" in page and "齐鲁工匠" in page
    assert db.session.scalar(select(VoteVoid.reason)) == "同一地址集中刷票"


def test_the_vote_counts_in_redis_and_the_workers_write_the_trail(app, redis_url):
    app.config["REDIS_URL"] = redis_url
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter("jingsai:vote:*"):
        client.delete(key)
    campaign, jn, rb, steel, rail, users = _world()
    wang, li, _zhang, _ = _through_review_and_experts(campaign, jn, rb, steel, rail, users)
    day = datetime(2026, 7, 3, 9, 0)
    acknowledged = [
        services.cast_vote(campaign, n.id, f"d{i}", "iOS", f"3.3.3.{i}", "app", day)
        for i in range(7)
        for n in (wang, li)
    ]
    with pytest.raises(SelectionError, match="already voted"):
        services.cast_vote(campaign, wang.id, "d0", "iOS", "3.3.3.0", "app", day)
    assert services.counts(campaign) == {wang.id: 7, li.id: 7}  # live, before the workers
    assert services.write_trail(campaign.id, batch=5) == 14
    assert services.write_trail(campaign.id) == 0
    tokens = set(db.session.scalars(select(Vote.token)))
    assert tokens == set(acknowledged)  # nothing acknowledged is lost
    assert services.counts(campaign) == {wang.id: 7, li.id: 7}
    reset = services.void_votes(campaign, "核实刷票，清零", users["org"].id, nominee_id=wang.id)
    db.session.commit()
    assert reset.voided == 7 and services.counts(campaign) == {li.id: 7}
    for key in client.scan_iter("jingsai:vote:*"):
        client.delete(key)

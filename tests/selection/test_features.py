"""A 工匠 selection's later pieces, through services and pages, read back from the database:
the burst challenge (a forged or replayed answer refused), the vote channels' weights and
the organiser's tallies of paper ballots, recusal by the nominating body and the unit set
where the experts are, a nominee refused by an expert's ID number, an ineligible person
refused at the nomination, the chair's decision on a tie at the title line, the public
objection under 公示 and the person's titles over the years."""

import itertools
import re
from datetime import datetime, timedelta
from decimal import Decimal

import pytest
import redis
import sqlalchemy as sa
from sqlalchemy import select

from app import create_app
from competitions.certificates import services as certificates
from competitions.certificates.services import issue
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.judging.services import panel
from competitions.publication import services as publication
from competitions.publication.models import Appeal
from competitions.results.models import Result, ResultSet
from competitions.selection import rules, services, tasks
from competitions.selection.models import (
    ChannelTally,
    Nominee,
    SelectionExpert,
    TieDecision,
    Vote,
)
from competitions.selection.services import SelectionError
from tests import factories as f
from tests.selection.test_selection import (
    _id,
    _nominate,
    _through_review_and_experts,
    _world,
)

FAR = datetime(2099, 12, 31, 23, 59)


def _solve(nonce: str, bits: int) -> str:
    return next(str(n) for n in itertools.count() if rules.work_done(nonce, str(n), bits))


def _as(client, username):
    client.post("/logout")
    assert f.log_in(client, username).status_code == 302
    client.get("/lang/en")


@pytest.fixture
def redis_votes(app, redis_url):
    app.config["REDIS_URL"] = redis_url
    app.config["VOTE_CHALLENGE_BITS"] = 6
    client = redis.Redis.from_url(redis_url)
    for key in client.scan_iter("jingsai:vote:*"):
        client.delete(key)
    yield client
    for key in client.scan_iter("jingsai:vote:*"):
        client.delete(key)


def test_a_burst_must_pass_the_challenge_forged_and_replayed_answers_refused(
    app, client, redis_votes
):
    campaign, jn, rb, steel, rail, users = _world()
    wang, li, zhang, _chen = _through_review_and_experts(campaign, jn, rb, steel, rail, users)
    campaign.vote_closes, campaign.challenge_after = FAR, 3
    db.session.commit()
    now = datetime(2026, 7, 3, 9, 0)
    for i in range(3):  # three from one address: counted
        services.cast_vote(campaign, wang.id, f"d{i}", "iOS", "5.5.5.5", "web", now)
    with pytest.raises(services.ChallengeNeeded) as asked:
        services.cast_vote(campaign, wang.id, "d3", "iOS", "5.5.5.5", "web", now)
    nonce, bits = asked.value.challenge["nonce"], asked.value.challenge["bits"]
    assert bits == 6
    # Another address is not held up.
    services.cast_vote(campaign, wang.id, "e0", "iOS", "7.7.7.7", "web", now)
    answer = _solve(nonce, bits)
    wrong = next(str(n) for n in itertools.count() if not rules.work_done(nonce, str(n), bits))
    with pytest.raises(SelectionError, match="not valid"):  # no work done
        services.cast_vote(campaign, wang.id, "d3", "iOS", "5.5.5.5", "web", now, (nonce, wrong))
    forged = nonce[:-2] + ("AA" if not nonce.endswith("AA") else "BB")
    with pytest.raises(SelectionError, match="not valid"):  # a signature we did not make
        services.cast_vote(
            campaign, wang.id, "d3", "iOS", "5.5.5.5", "web", now, (forged, _solve(forged, bits))
        )
    with pytest.raises(SelectionError, match="not valid"):  # another device's challenge
        services.cast_vote(campaign, wang.id, "d9", "iOS", "5.5.5.5", "web", now, (nonce, answer))
    services.cast_vote(campaign, wang.id, "d3", "iOS", "5.5.5.5", "web", now, (nonce, answer))
    with pytest.raises(SelectionError, match="already used"):  # replayed, for another nominee
        services.cast_vote(campaign, li.id, "d3", "iOS", "5.5.5.5", "web", now, (nonce, answer))
    assert services.counts(campaign) == {wang.id: 5}
    services.write_trail(campaign.id)
    assert db.session.scalar(select(sa.func.count()).select_from(Vote)) == 5

    # Through the page: JSON answers {ok: false, challenge}; the answer makes the vote count.
    client.get("/lang/en")
    client.get(f"/selection/{campaign.id}/vote")
    url = f"/selection/{campaign.id}/vote/{li.id}"
    json = {"Accept": "application/json"}
    env = {"REMOTE_ADDR": "5.5.5.5"}
    refused = client.post(url, headers=json, environ_base=env)
    assert refused.status_code == 409 and refused.json["ok"] is False
    challenge = refused.json["challenge"]
    assert "check" in refused.json["message"]
    proof = {"challenge": challenge["nonce"], "answer": _solve(challenge["nonce"], 6)}
    counted = client.post(url, headers=json, json=proof, environ_base=env)
    assert counted.status_code == 200 and counted.json["ok"], counted.json
    replayed = client.post(
        f"/selection/{campaign.id}/vote/{zhang.id}", headers=json, json=proof, environ_base=env
    )
    assert replayed.status_code == 409 and "already used" in replayed.json["message"]

    # The HTML form: sent back to the page, where the nominee's form carries the challenge
    # and the script that solves it; the solved form counts.
    page_vote = client.post(f"/selection/{campaign.id}/vote/{zhang.id}", environ_base=env)
    assert page_vote.status_code == 303
    assert f"challenge={zhang.id}" in page_vote.headers["Location"]
    page = client.get(page_vote.headers["Location"], environ_base=env).get_data(as_text=True)
    assert f'id="challenge-form-{zhang.id}"' in page and "js/vote_challenge.js" in page
    shown = re.search(r'data-nonce="([^"]+)" data-bits="(\d+)"', page)
    solved = client.post(
        f"/selection/{campaign.id}/vote/{zhang.id}",
        data={"challenge": shown[1], "answer": _solve(shown[1], int(shown[2]))},
        environ_base=env,
    )
    assert solved.status_code == 303 and "challenge" not in solved.headers["Location"]
    assert services.counts(campaign) == {wang.id: 5, li.id: 1, zhang.id: 1}


def test_channel_weights_and_the_organisers_tally_decide_the_vote_share(app, client):
    campaign, jn, rb, steel, rail, users = _world()
    wang, li, zhang, _chen = _through_review_and_experts(campaign, jn, rb, steel, rail, users)
    campaign.vote_closes = FAR
    db.session.commit()
    _as(client, "org")
    base = f"/contests/{campaign.contest_id}/selection"
    bad = client.post(
        f"{base}/vote-settings", data={"channel_weights": "web 60, app 30", "challenge_after": 20}
    )
    assert bad.status_code == 303
    assert "add up to 90, not 100" in client.get(base).get_data(as_text=True)
    assert db.session.get(type(campaign), campaign.id).channel_weights == ""
    client.post(
        f"{base}/vote-settings",
        data={"channel_weights": "web 50，offline 50", "challenge_after": "15"},
    )
    db.session.expire_all()
    assert (campaign.channel_weights, campaign.challenge_after) == ("web 50, offline 50", 15)

    # Paper ballots, per nominee: a source is required; a later entry replaces the earlier.
    client.post(f"{base}/tally", data={"nominee_id": wang.id, "channel": "offline", "votes": 9})
    assert db.session.scalar(select(sa.func.count()).select_from(ChannelTally)) == 0
    for votes in (7, 30):
        client.post(
            f"{base}/tally",
            data={"nominee_id": wang.id, "channel": "offline", "votes": votes, "note": "纸质票"},
        )
    db.session.expire_all()
    tally = db.session.scalar(select(ChannelTally))
    assert (tally.nominee_id, tally.channel, tally.votes, tally.note) == (
        wang.id,
        "offline",
        30,
        "纸质票",
    )
    assert (
        db.session.scalar(
            select(sa.func.count()).select_from(AuditLog).filter_by(entity="channel_tally")
        )
        == 2
    )
    # Web votes: li 3, wang 1 (one web vote each from four devices).
    client.post("/logout")
    client.get(f"/selection/{campaign.id}/vote")
    for n, device in ((li, "a"), (li, "b"), (li, "c"), (wang, "d")):
        services.cast_vote(campaign, n.id, device, "x", f"1.1.1.{device}", "web", datetime.now())
    db.session.commit()
    home = None
    _as(client, "org")
    home = client.get(base).get_data(as_text=True)
    assert 'id="channel-counts"' in home and "纸质票" in home
    # web: li 3/4, wang 1/4; offline: wang 30/30 → li 0.375, wang 0.625
    shares = services.vote_shares(campaign, [li.id, wang.id, zhang.id])
    assert shares == {li.id: Decimal("0.375"), wang.id: Decimal("0.625"), zhang.id: Decimal(0)}
    services.combined(campaign)
    db.session.commit()
    totals = {r.subject_id: r.total for r in db.session.scalars(select(Result))}
    assert totals[li.id] == Decimal("88.00")  # 70 + 0.375/0.625 × 30
    assert totals[wang.id] == Decimal("84.44")  # 70/90 × 70 + 30


def test_recusal_by_body_and_unit_set_where_the_experts_are_and_the_id_number_check(app, client):
    campaign, jn, rb, steel, rail, users = _world()
    wang = _nominate(rb, 1, rail, "王工")
    li = _nominate(jn, 2, steel, "李工")
    on = datetime(2026, 7, 1).date()
    for n in (wang, li):
        services.pass_nominee(n, on)
    campaign.nominations_close = FAR  # the last nomination comes through the page, today
    db.session.commit()
    _as(client, "org")
    seated = client.post(
        f"/contest-trades/{campaign.id}/panel",
        data={"username": "expert1", "role": "judge", "delegation_id": str(jn.id)},
    )
    assert seated.status_code in (302, 303), seated.get_data(as_text=True)
    expert = db.session.scalar(select(SelectionExpert).filter_by(user_id=users["expert1"].id))
    assert expert.body_id == jn.id
    assert "济南市总工会" in client.get(f"/contest-trades/{campaign.id}/panel").get_data(
        as_text=True
    )
    member = next(m for m in panel.members_of(campaign.id) if m.user_id == users["expert1"].id)
    added, skipped = panel.assign_all_entries(member)
    assert added == 1 and [(e.name, str(r)) for e, r in skipped] == [
        ("李工", "the judge comes with the contestant's delegation")
    ]
    # The experts' page: expert1 works at the railway (recused from 王工 too); an ID number
    # that is a nominee's is refused beside the field.
    page = f"/contests/{campaign.contest_id}/selection/experts"
    uid = users["expert1"].id
    taken = client.post(
        page,
        data={
            "user_id": uid,
            f"e{uid}-body_id": jn.id,
            f"e{uid}-unit_id": rail.id,
            f"e{uid}-id_number": _id(1),
        },
    )
    assert taken.status_code == 200 and "is a nominee" in taken.get_data(as_text=True)
    assert f'id="e{uid}-id_number-error"' in taken.get_data(as_text=True)
    db.session.expire_all()
    assert expert.unit_id is None  # nothing half-saved
    own_id = f.resident_id(datetime(1970, 1, 9).date(), 9)
    saved = client.post(
        page,
        data={
            "user_id": uid,
            f"e{uid}-body_id": jn.id,
            f"e{uid}-unit_id": rail.id,
            f"e{uid}-id_number": own_id,
        },
    )
    assert saved.status_code == 303
    db.session.expire_all()
    assert (expert.unit_id, expert.id_number_tail) == (rail.id, own_id[-4:])
    assert "ending " + own_id[-4:] in client.get(page).get_data(as_text=True)
    recusals = panel.recusals(
        member, panel.marked_entries(campaign.id), panel.load_unit_tree(), frozenset()
    )
    assert {str(r) for r in recusals.values()} == {
        "the judge comes with the contestant's delegation",
        "the judge works in the contestant's unit",
    }
    # Nominated under another name with the expert's ID number: refused by the ID number.
    _as(client, "jn")
    refused = client.post(
        f"/contests/{campaign.contest_id}/selection/bodies/{jn.id}/nominate",
        data={
            "name": "另一个名字",
            "id_number": own_id,
            "unit_id": "0",
            "trade": "焊工",
            "years_in_trade": "18",
            "deeds": "事迹",
            "in_service": "y",
        },
    )
    text = refused.get_data(as_text=True)
    assert refused.status_code == 200 and 'id="id_number-error"' in text
    assert "sits on the expert panel" in text
    assert db.session.scalar(select(sa.func.count()).select_from(Nominee)) == 2


def test_an_ineligible_person_is_refused_at_the_nomination_beside_the_field(app, client):
    campaign, jn, _rb, _steel, _rail, _users = _world()
    campaign.max_age, campaign.needs_lower_title = 50, True
    campaign.nominations_close = FAR
    db.session.commit()
    _as(client, "jn")
    page = f"/contests/{campaign.contest_id}/selection/bodies/{jn.id}/nominate"
    form = {
        "name": "赵工",
        "id_number": _id(4),  # born 1978: 48 in 2026
        "unit_id": "0",
        "trade": "焊工",
        "years_in_trade": "18",
        "deeds": "事迹",
        "in_service": "y",
        "holds_lower_title": "y",
    }
    cases = [
        ({"years_in_trade": "6"}, "years_in_trade", "fewer than the 10 asked"),
        ({"in_service": ""}, "in_service", "not an in-service worker"),
        ({"disciplinary_record": "y"}, "disciplinary_record", "disciplinary record"),
        ({"holds_lower_title": ""}, "holds_lower_title", "level below"),
        (
            {"id_number": f.resident_id(datetime(1970, 1, 2).date(), 2)},
            "id_number",
            "older than 50",
        ),
    ]
    for change, field, words in cases:
        data = {k: v for k, v in {**form, **change}.items() if v != ""}
        answer = client.post(page, data=data).get_data(as_text=True)
        found = re.search(rf'id="{field}-error">([^<]+)<', answer)
        assert found and words in found[1], (field, answer[-2000:])
    assert db.session.scalar(select(sa.func.count()).select_from(Nominee)) == 0
    assert client.post(page, data=form).status_code == 303
    assert db.session.scalar(select(Nominee.years_in_trade)) == 18


def test_the_chairs_decision_on_a_tie_completes_the_ranking_and_shows_in_the_notice(app, client):
    campaign, jn, rb, steel, rail, users = _world()
    # 张工 marked as 王工: no votes, both 54.44 at the line of two titles.
    wang, _li, zhang, _chen = _through_review_and_experts(
        campaign, jn, rb, steel, rail, users, zhang_marks=(40, 30)
    )
    services.combined(campaign)
    db.session.commit()
    assert services.open_tie(campaign) == [wang.id, zhang.id]
    base = f"/contests/{campaign.contest_id}/selection"
    _as(client, "org")
    assert 'id="tie-link"' in client.get(base).get_data(as_text=True)
    blocked = client.post(f"{base}/publication/publish", data={"confirm": "y"})
    assert "waits for the panel chair" in blocked.get_data(as_text=True)
    assert db.session.get(ResultSet, campaign.id).state == "draft"
    # The chair (the panel's chief judge) decides, from the review page; a judge may not.
    _as(client, "expert1")
    assert client.get(f"{base}/tie").status_code == 403
    _as(client, "chief")
    review_page = client.get(f"/contest-trades/{campaign.id}/review").get_data(as_text=True)
    assert f'href="{base}/tie"' in review_page
    page = client.get(f"{base}/tie").get_data(as_text=True)
    assert f'id="order-{wang.id}"' in page and f'id="order-{zhang.id}"' in page
    same = client.post(
        f"{base}/tie",
        data={f"order-{wang.id}": "1", f"order-{zhang.id}": "1", "reason": "x", "confirm": "y"},
    )
    assert 'id="order-error"' in same.get_data(as_text=True)
    no_reason = client.post(
        f"{base}/tie", data={f"order-{wang.id}": "2", f"order-{zhang.id}": "1", "confirm": "y"}
    )
    assert 'id="reason-error"' in no_reason.get_data(as_text=True)
    assert db.session.scalar(select(sa.func.count()).select_from(TieDecision)) == 0
    reason = "张工的创新成果已推广应用，评审委员会主任裁定"
    done = client.post(
        f"{base}/tie",
        data={f"order-{wang.id}": "2", f"order-{zhang.id}": "1", "reason": reason, "confirm": "y"},
    )
    assert done.status_code == 303
    job = db.session.scalar(select(Job).filter_by(kind="selection_combine"))
    tasks.combine(job.id, campaign.id)  # what the worker runs
    db.session.expire_all()
    ranked = {r.subject_id: (r.rank, r.award) for r in db.session.scalars(select(Result))}
    assert ranked[zhang.id] == (2, "first") and ranked[wang.id] == (3, None)
    assert services.open_tie(campaign) == []
    assert (
        db.session.scalar(
            select(sa.func.count()).select_from(AuditLog).filter_by(entity="tie_decision")
        )
        == 2
    )
    _as(client, "org")
    client.post(f"{base}/publication/publish", data={"confirm": "y"})
    assert db.session.get(ResultSet, campaign.id).state == "notice"
    client.post("/logout")
    notice = client.get(f"/selection/{campaign.id}/notice").get_data(as_text=True)
    assert f'id="tie-note-{zhang.id}"' in notice and reason in notice


def test_a_public_objection_goes_to_the_arbitrator_and_titles_show_on_the_persons_page(app, client):
    campaign, jn, rb, steel, rail, users = _world()
    _wang, li, zhang, _chen = _through_review_and_experts(campaign, jn, rb, steel, rail, users)
    arbitrator = f.user("arb")
    f.grant(arbitrator, campaign.contest, "arbitrator")
    f.user("reg", registrar=True)
    result_set = services.combined(campaign)
    now = datetime.now()
    assert publication.publish(campaign, result_set, now) is None
    db.session.commit()
    client.get("/lang/en")
    notice = f"/selection/{campaign.id}/notice"
    page = client.get(notice).get_data(as_text=True)
    assert 'id="objection-form"' in page
    short = client.post(
        f"{notice}/objection",
        data={"subject_id": li.id, "real_name": "刘群众", "contact": "13800000000", "reason": "短"},
    )
    assert short.status_code == 200 and 'id="reason-error"' in short.get_data(as_text=True)
    assert db.session.scalar(select(sa.func.count()).select_from(Appeal)) == 0
    filed = client.post(
        f"{notice}/objection",
        data={
            "subject_id": li.id,
            "real_name": "刘群众",
            "contact": "13800000000",
            "reason": "李工的专利并非本人完成，请核查。",
        },
    )
    assert filed.status_code == 303
    appeal = db.session.scalar(select(Appeal))
    assert (appeal.assessment_id, appeal.subject_id, appeal.real_name) == (
        campaign.id,
        li.id,
        "刘群众",
    )
    assert publication.pending_appeals(campaign.id) == 1  # the notice cannot end with it open
    _as(client, "arb")
    appeals = client.get(f"/contests/{campaign.contest_id}/appeals").get_data(as_text=True)
    assert "李工的专利并非本人完成" in appeals

    # Final (the objection rejected), the certificates issued: 李工's page lists the title.
    appeal.state, appeal.decision = "rejected", "经核查，专利为本人完成"
    result_set.notice_deadline = now - timedelta(minutes=1)
    assert publication.finalise(result_set, now) is None
    db.session.commit()
    client.post("/logout")
    after = client.post(
        f"{notice}/objection",
        data={"subject_id": li.id, "real_name": "某", "contact": "1", "reason": "再提一次异议内容"},
    )
    assert after.status_code == 303
    assert "only while the results are under public notice" in client.get(notice).get_data(
        as_text=True
    )
    certificates.design_of(campaign.contest)
    job, chunks = certificates.start_issue(campaign.contest_id, [campaign.id], users["org"].id)
    db.session.commit()
    assert sum(issue.issue_chunk(job.id, c, db.session.commit) for c in chunks) == 2
    _as(client, "reg")
    person = client.get(f"/persons/{li.person_id}").get_data(as_text=True)
    assert 'id="person-titles"' in person and "齐鲁工匠" in person and "2026" in person
    number = re.search(r'class="title-certificate">([^<]+)<', person)[1]
    assert "齐鲁工匠" in client.get(f"/verify/{number}").get_data(as_text=True)
    nobody = client.get(f"/persons/{zhang.person_id}").get_data(as_text=True)
    assert 'id="person-titles"' not in nobody


def test_a_trusted_address_has_its_burst_limit_raised_in_proportion(app):
    assert services.burst_limits(20) == (20, 100)
    app.config["VOTE_ADDRESS_DAILY_LIMIT"] = 100_000_000  # the load bench: all on 127.0.0.1
    assert services.burst_limits(20) == (10_000_000, 50_000_000)


def test_public_objections_are_limited_per_address_across_every_notice(app):
    """Each objection holds results back until the arbitrator decides it: one address may send
    only so many (OBJECTION_RATE_LIMIT), to a selection's notice and an innovation contest's
    together; past it the answer is 429 and nothing is filed."""
    limited = create_app(
        {
            **app.config,
            "RATELIMIT_ENABLED": True,
            "RATELIMIT_STORAGE_URI": "memory://",
            "OBJECTION_RATE_LIMIT": "2 per day",
        }
    )
    campaign, *_ = _world()
    client = limited.test_client()
    sent = {"subject_id": 1, "real_name": "刘群众", "contact": "138", "reason": "x" * 20}
    notice = f"/selection/{campaign.id}/notice/objection"
    assert [client.post(notice, data=sent).status_code for _ in range(2)] == [303, 303]
    assert client.post(notice, data=sent).status_code == 429
    other = f"/contests/{campaign.contest_id}/innovation/notice/objection"
    assert client.post(other, data=sent).status_code == 429  # the same address, another area
    assert db.session.scalar(select(sa.func.count()).select_from(Appeal)) == 0

"""A 工匠 selection through its pages: the organiser sets it up and adds bodies; a nominator
nominates (over quota refused, nothing saved); the review returns one with a reason; the
public votes on the phone page with a signed device cookie (again, an eleventh vote, a forged
token refused); a reset without a reason refused, with one shown in the 公示."""

import io
from datetime import datetime
from decimal import Decimal

import sqlalchemy as sa
from sqlalchemy import select

from competitions.accounts.models import User
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.selection import services, tasks
from competitions.selection.models import Nominee, SelectionCampaign, Vote, VoteVoid
from competitions.selection.voting import DEVICE_COOKIE
from tests import factories as f

PDF = b"%PDF-1.4\n%%EOF\n"


def _as(client, username):
    client.post("/logout")
    assert f.log_in(client, username).status_code == 302
    client.get("/lang/en")


def _nomination(name, serial, **more):
    return {
        "name": name,
        "id_number": f.resident_id(datetime(1976, 4, serial).date(), serial),
        "unit_id": "0",
        "trade": "焊工",
        "years_in_trade": "18",
        "deeds": f"{name}带领班组攻克难题",
        "in_service": "y",
        **more,
    }


def test_campaign_nomination_review_and_vote_pages(app, client):
    contest = f.contest("GJ-2026", tier="province", year=2026)
    for name in ("org", "jn", "stranger"):
        f.user(name)
    org = db.session.scalar(select(User).filter_by(username="org"))
    f.grant(org, contest, "organiser")
    db.session.commit()
    base = f"/contests/{contest.id}/selection"

    _as(client, "org")
    settings = {
        "name": "2026年度齐鲁工匠",
        "title_name": "齐鲁工匠",
        "level": "province",
        "titles": "1",
        "vote_nominees": "5",
        "min_years_in_trade": "10",
        "nominations_close": "2099-06-30T23:59",
        "vote_opens": "2000-01-01T00:00",
        "vote_closes": "2099-12-31T23:59",
        "expert_weight": "70",
        "vote_weight": "30",
        "daily_votes": "10",
        "challenge_after": "20",
    }
    created = client.post(base, data=settings)
    assert created.status_code == 303, created.get_data(as_text=True)
    campaign = db.session.scalar(select(SelectionCampaign))
    assert (campaign.contest_id, campaign.expert_weight) == (contest.id, Decimal(70))
    added = client.post(
        f"{base}/bodies",
        data={
            "name": "济南市总工会",
            "kind": "city_union",
            "unit_id": "0",
            "nominator": "jn",
            "quota": "1",
        },
    )
    assert added.status_code == 303
    body = campaign.bodies[0]

    # The nominator is sent to their body's page; a stranger gets nothing.
    _as(client, "stranger")
    assert client.get(base).status_code == 403
    _as(client, "jn")
    assert client.get(base).headers["Location"].endswith(f"/bodies/{body.id}/nominate")
    page = f"{base}/bodies/{body.id}/nominate"
    first = client.post(
        page,
        data={**_nomination("王师傅", 1), "attachment": (io.BytesIO(PDF), "a.pdf")},
        content_type="multipart/form-data",
    )
    assert first.status_code == 303, first.get_data(as_text=True)
    over = client.post(page, data=_nomination("李师傅", 2))
    assert over.status_code == 200 and "quota is used up (1 of 1)" in over.get_data(as_text=True)
    bad_id = client.post(page, data=_nomination("孙师傅", 3, id_number="370102197604030000"))
    assert bad_id.status_code == 200
    assert db.session.scalar(select(sa.func.count()).select_from(Nominee)) == 1

    # The review: the organiser returns it with a reason, then (on a second look) passes it.
    _as(client, "org")
    nominee = db.session.scalar(select(Nominee))
    client.post(f"{base}/nominees/{nominee.id}/review", data={"decision": "return", "reason": ""})
    db.session.refresh(nominee)
    assert nominee.state == "nominated"  # no reason: refused
    client.post(
        f"{base}/nominees/{nominee.id}/review", data={"decision": "return", "reason": "材料不全"}
    )
    db.session.refresh(nominee)
    assert (nominee.state, nominee.return_reason) == ("returned", "材料不全")
    client.post(f"{base}/nominees/{nominee.id}/review", data={"decision": "pass"})
    db.session.refresh(nominee)
    assert nominee.state == "passed"

    # The public vote: the page sets a signed device cookie; a vote counts once a day.
    client.post("/logout")
    vote_page = f"/selection/{campaign.id}/vote"
    shown = client.get(vote_page)
    assert "王师傅" in shown.get_data(as_text=True)
    assert client.get_cookie(DEVICE_COOKIE) is not None
    url = f"/selection/{campaign.id}/vote/{nominee.id}"
    ok = client.post(url, headers={"Accept": "application/json"})
    assert ok.status_code == 200 and ok.json["ok"]
    again = client.post(url, headers={"Accept": "application/json"})
    assert again.status_code == 409 and "already voted" in again.json["message"]
    client.set_cookie(DEVICE_COOKIE, "forged.token")
    forged = client.post(url, headers={"Accept": "application/json"})
    assert forged.status_code == 409 and "not valid" in forged.json["message"]
    assert db.session.scalar(select(sa.func.count()).select_from(Vote)) == 1

    # A reset needs a reason; with one, the 公示 shows it.
    _as(client, "org")
    client.post(f"{base}/void", data={"nominee_id": str(nominee.id), "reason": ""})
    assert db.session.scalar(select(sa.func.count()).select_from(VoteVoid)) == 0
    client.post(f"{base}/void", data={"nominee_id": str(nominee.id), "reason": "核实刷票，清零"})
    assert services.counts(campaign) == {}
    # Ranking while the vote is open is refused; the organiser closes it on the settings page
    # (weights not adding up refused beside the field, nothing saved).
    early = client.post(f"{base}/combine", follow_redirects=True).get_data(as_text=True)
    assert "The public vote is open until 2099-12-31 23:59" in early
    assert db.session.scalar(select(Job).filter_by(kind="selection_combine")) is None
    bad = client.post(f"{base}/edit", data={**settings, "vote_weight": "40"})
    assert 'id="vote_weight-error"' in bad.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.vote_closes == datetime(2099, 12, 31, 23, 59)
    closed = client.post(f"{base}/edit", data={**settings, "vote_closes": "2001-01-01T00:00"})
    assert closed.status_code == 303
    db.session.refresh(campaign)
    assert campaign.vote_closes == datetime(2001, 1, 1, 0, 0)
    assert client.post(f"{base}/combine").status_code == 303
    job = db.session.scalar(select(Job).filter_by(kind="selection_combine"))
    tasks.combine(job.id, campaign.id)  # what the worker runs
    confirm = client.post(f"{base}/publication/publish", data={"confirm": "y"})
    assert confirm.status_code in (200, 303)
    notice = client.get(f"/selection/{campaign.id}/notice").get_data(as_text=True)
    assert "核实刷票，清零" in notice and "王师傅" in notice
    # Under public notice the campaign is fixed.
    fixed = client.post(f"{base}/edit", data={**settings, "titles": "3"})
    assert "the campaign is fixed" in fixed.get_data(as_text=True)
    db.session.refresh(campaign)
    assert campaign.titles == 1

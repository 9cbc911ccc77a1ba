"""The arbitrator decides appeals; an upheld one reopens the marks and shows what changed."""

from datetime import datetime

import pytest
from sqlalchemy import select

from competitions.core.db import db
from competitions.judging.models import LockEvent, MarkingLock
from competitions.publication import services
from competitions.publication.models import Appeal
from competitions.results.models import ResultSet
from tests import factories as f
from tests.publication.test_publish import computed_world

NOW = datetime(2026, 11, 20, 15, 30)


@pytest.fixture
def world(monkeypatch):
    monkeypatch.setattr("competitions.publication.services.local_now", lambda: NOW)
    world = computed_world()
    services.publish(world.ct, db.session.get(ResultSet, world.ct.id), NOW)
    arbitrator = f.user("arbitrator")
    f.grant(arbitrator, world.ct.contest, "arbitrator")
    for entry in world.entries[1:]:
        db.session.add(
            Appeal(
                assessment_id=world.ct.id,
                subject_id=entry.id,
                real_name=entry.person.name,
                reason="第二项评分与现场记录不符",
            )
        )
    db.session.commit()
    return world


def decide(client, appeal, outcome, reasons):
    return client.post(
        f"/appeals/{appeal.id}/decide",
        data={"outcome": outcome, "reasons": reasons},
        follow_redirects=True,
    )


def test_an_upheld_appeal_reopens_the_marks_and_a_rejected_one_does_not(client, login, world):
    upheld, rejected = db.session.scalars(select(Appeal).order_by(Appeal.id)).all()
    login("arbitrator")
    client.get("/lang/en")
    page = client.get(f"/contests/{world.ct.contest_id}/appeals").get_data(as_text=True)
    assert page.count("Record the decision") == 2
    page = decide(client, upheld, "upheld", "").get_data(as_text=True)
    assert "Choose the decision and write its reasons." in page
    decide(client, rejected, "rejected", "现场记录与评分一致，驳回。")
    db.session.expire_all()
    assert db.session.get(MarkingLock, world.ct.id).locked  # a rejection changes nothing
    page = decide(client, upheld, "upheld", "第二项测量有误，需复核。").get_data(as_text=True)
    db.session.expire_all()
    assert db.session.get(Appeal, upheld.id).state == "upheld"
    assert not db.session.get(MarkingLock, world.ct.id).locked  # back to the chief judge
    event = db.session.scalars(select(LockEvent).order_by(LockEvent.id.desc())).first()
    # the chief judge reads the lock history: the appeal's number, never its reasons
    assert event.action == "unlock" and event.reason == f"申诉 #{upheld.id} 成立"
    assert "Before" in page and "Now" in page
    # The decision is final.
    page = decide(client, upheld, "rejected", "改判为驳回此申诉").get_data(as_text=True)
    assert "already decided" in page
    assert db.session.get(Appeal, upheld.id).state == "upheld"


def test_only_arbitrators_decide(client, login, world):
    appeal = db.session.scalars(select(Appeal)).first()
    for user in ("org", "chief", "judge1"):
        login(user)
        response = client.post(
            f"/appeals/{appeal.id}/decide", data={"outcome": "upheld", "reasons": "理由充分"}
        )
        assert response.status_code == 403
    login("org")
    assert client.get(f"/contests/{world.ct.contest_id}/appeals").status_code == 200
    login("judge1")
    assert client.get(f"/contests/{world.ct.contest_id}/appeals").status_code == 403
    db.session.expire_all()
    assert db.session.get(Appeal, appeal.id).state == "pending"

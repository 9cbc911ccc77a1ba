"""A judge enters scores on their grid; what they see, what the server refuses."""

from decimal import Decimal

import pytest
from sqlalchemy import func, select

from competitions.core.db import db
from competitions.judging.models import Mark, MarkChange, MarkingLock
from tests.judging.marking_world import build


def save(client, world, code, item, value):
    return client.post(
        f"/marking/{world.ct.id}/scores", json={"code": code, "item": item.id, "value": value}
    )


def test_the_grid_shows_codes_and_never_identities(client, login):
    world = build()
    login("judge1")
    page = client.get(f"/marking/{world.ct.id}").get_data(as_text=True)
    for code in world.codes:
        assert f">{code}<" in page
    for entry in world.entries:
        assert entry.person.name not in page and entry.person.id_number not in page
    assert "济钢" not in page  # the unit
    assert '<span id="done-count">0</span>' in page and "6" in page


def test_a_score_is_saved_as_typed_and_progress_follows(client, login):
    world = build()
    judged = world.items[0]
    login("judge1")
    response = save(client, world, world.codes[0], judged, "8.5")
    assert response.status_code == 200
    assert response.get_json() == {"value": "8.5", "new": True}
    mark = db.session.scalar(select(Mark))
    assert (mark.value, mark.judge_id) == (Decimal("8.5"), world.judges[0].id)
    page = client.get(f"/marking/{world.ct.id}").get_data(as_text=True)
    assert 'value="8.5"' in page and '<span id="done-count">1</span>' in page
    again = save(client, world, world.codes[0], judged, "9")  # a change is not a new cell
    assert again.get_json() == {"value": "9", "new": False}


@pytest.mark.parametrize(
    ("value", "message"),
    [("11", "10"), ("-1", "negative"), ("8.25", "0.5"), ("abc", "number"), ("", "number")],
)
def test_bad_scores_are_refused_with_the_reason(client, login, value, message):
    world = build()
    login("judge1")
    client.get("/lang/en")
    response = save(client, world, world.codes[0], world.items[0], value)
    assert response.status_code == 400
    assert message in response.get_json()["error"]
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0


def test_url_tampering_cannot_mark_unassigned_entries_or_items(client, login):
    world = build()
    judged, measured = world.items
    member = world.members["judge1"]
    from competitions.judging.models import JudgeItem, JudgeSubject

    db.session.delete(db.session.get(JudgeItem, (member.id, measured.id)))
    db.session.delete(db.session.get(JudgeSubject, (member.id, world.entries[2].id)))
    db.session.commit()
    login("judge1")
    assert save(client, world, world.codes[0], measured, "3").status_code == 400
    assert save(client, world, world.codes[2], judged, "3").status_code == 400
    assert save(client, world, "99999", judged, "3").status_code == 400
    page = client.get(f"/marking/{world.ct.id}").get_data(as_text=True)
    assert f">{world.codes[2]}<" not in page and ">M1<br>" not in page
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 0


def test_a_judge_changes_their_score_until_the_lock_and_the_trail_keeps_each_change(client, login):
    world = build()
    judged = world.items[0]
    login("judge1")
    save(client, world, world.codes[0], judged, "6")
    save(client, world, world.codes[0], judged, "7")
    changes = db.session.scalars(select(MarkChange).order_by(MarkChange.id)).all()
    assert [(c.old_value, c.new_value) for c in changes] == [
        (None, Decimal(6)),
        (Decimal(6), Decimal(7)),
    ]
    assert all(c.changed_by == world.judges[0].id for c in changes)
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    response = save(client, world, world.codes[0], judged, "8")
    assert response.status_code == 409
    assert db.session.scalar(select(Mark.value)) == Decimal(7)
    history = client.get(f"/marking/{world.ct.id}/history?code={world.codes[0]}&item={judged.id}")
    assert "6" in history.get_data(as_text=True) and "7" in history.get_data(as_text=True)


def test_people_off_the_panel_cannot_see_or_save(client, login):
    world = build()
    login("org")
    assert client.get(f"/marking/{world.ct.id}").status_code == 403
    assert save(client, world, world.codes[0], world.items[0], "5").status_code == 403


def test_json_without_a_csrf_token_is_refused_when_csrf_is_on(app):
    from app import create_app

    world = build()
    strict = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    with strict.app_context():
        client = strict.test_client()
        client.get("/login")
        with client.session_transaction() as session:
            session["_user_id"] = str(world.judges[0].id)
            session["_fresh"] = True
        response = client.post(
            f"/marking/{world.ct.id}/scores",
            json={"code": world.codes[0], "item": world.items[0].id, "value": "5"},
        )
        assert response.status_code == 400

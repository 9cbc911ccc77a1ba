"""The chief judge resolves disagreements and locks; what blocks the lock; unlocking."""

from decimal import Decimal

from sqlalchemy import select

from competitions.core.db import db
from competitions.judging.models import LockEvent, Mark, ScoreSheet
from competitions.judging.services.marks import save_score
from tests.conftest import SIGNATURE
from tests.judging.marking_world import build


def fill(world, judged_scores=(7, 7, 7), measured=3):
    """Every judge scores every entry: the judged item with ``judged_scores``."""
    judged, measured_item = world.items
    for entry in world.entries:
        for judge, score in zip(world.judges, judged_scores, strict=True):
            save_score(world.ct.id, entry.id, judged.id, judge.id, Decimal(score), judge.id)
            save_score(
                world.ct.id, entry.id, measured_item.id, judge.id, Decimal(measured), judge.id
            )
    db.session.commit()


def review(client, world):
    return client.get(f"/contest-trades/{world.ct.id}/review").get_data(as_text=True)


def lock(client, world):
    return client.post(
        f"/contest-trades/{world.ct.id}/lock", data=SIGNATURE, follow_redirects=True
    ).get_data(as_text=True)


def is_locked(world):
    from competitions.judging.services.marks import is_locked as locked

    db.session.expire_all()
    return locked(world.ct.id)


def test_lock_is_refused_while_scores_are_missing(client, login):
    world = build()
    login("chief")
    client.get("/lang/en")
    page = lock(client, world)
    assert "Cannot lock" in page and "18 scores are not entered yet" in page
    assert not is_locked(world)


def test_a_flag_must_be_resolved_before_the_lock(client, login):
    world = build()
    fill(world, judged_scores=(5, 7, 8))  # spread 3 > 10% of 10
    login("chief")
    client.get("/lang/en")
    page = review(client, world)
    assert page.count('class="flag-open"') == 3
    assert "Cannot lock" in lock(client, world) and not is_locked(world)

    judged = world.items[0]
    entry = world.entries[0]
    # No comment: refused.
    client.post(
        f"/contest-trades/{world.ct.id}/review/resolve",
        data={"entry_id": entry.id, "item_id": judged.id, "action": "confirm", "comment": ""},
    )
    assert review(client, world).count('class="flag-open"') == 3
    for e in world.entries:
        client.post(
            f"/contest-trades/{world.ct.id}/review/resolve",
            data={
                "entry_id": e.id,
                "item_id": judged.id,
                "action": "confirm",
                "comment": "评分依据充分，予以确认",
            },
        )
    page = review(client, world)
    assert page.count('class="flag-confirmed"') == 3 and "评分依据充分" in page
    assert "The marks are locked." in lock(client, world)
    assert is_locked(world)


def test_the_lock_is_signed_with_the_chief_judges_password(client, login):
    world = build()
    fill(world)
    login("chief")
    client.get("/lang/en")
    url = f"/contest-trades/{world.ct.id}/lock"
    page = client.post(url, data={"password": "not-my-password"}).get_data(as_text=True)
    assert 'id="password-error"' in page
    assert "This is not your password: nothing is locked." in page
    page = client.post(url, data={}).get_data(as_text=True)
    assert "Retype your password to sign the lock." in page
    assert not is_locked(world)
    assert "The marks are locked." in lock(client, world)
    assert is_locked(world)


def test_a_re_mark_request_shows_on_the_judges_grid_and_clears_when_they_agree(client, login):
    world = build()
    fill(world, judged_scores=(5, 7, 8))
    judged = world.items[0]
    entry = world.entries[0]
    login("chief")
    client.post(
        f"/contest-trades/{world.ct.id}/review/resolve",
        data={
            "entry_id": entry.id,
            "item_id": judged.id,
            "action": "remark",
            "comment": "请复核工件外观",
        },
    )
    assert 'class="flag-remark"' in review(client, world)
    login("judge1")
    grid = client.get(f"/marking/{world.ct.id}").get_data(as_text=True)
    assert 'class="remark"' in grid
    client.post(
        f"/marking/{world.ct.id}/scores",
        json={"code": world.codes[0], "item": judged.id, "value": "7.5"},
    )
    login("judge3")
    client.post(
        f"/marking/{world.ct.id}/scores",
        json={"code": world.codes[0], "item": judged.id, "value": "7.5"},
    )
    login("chief")
    page = review(client, world)
    assert page.count("flag-") == 2  # the first entry no longer disagrees


def test_unconfirmed_sheets_block_the_lock(client, login):
    world = build()
    fill(world)
    db.session.add(
        ScoreSheet(
            subject_id=world.entries[0].id,
            judge_id=world.judges[0].id,
            first_clerk_id=world.judges[1].id,
            first_values={},
            state="typed",
        )
    )
    db.session.commit()
    login("chief")
    client.get("/lang/en")
    assert "1 score sheets are not confirmed yet" in lock(client, world)
    assert not is_locked(world)


def test_locked_marks_cannot_change_and_unlocking_needs_a_reason(client, login):
    world = build()
    fill(world)
    login("chief")
    client.get("/lang/en")
    lock(client, world)
    assert is_locked(world)
    login("judge1")
    response = client.post(
        f"/marking/{world.ct.id}/scores",
        json={"code": world.codes[0], "item": world.items[0].id, "value": "9"},
    )
    assert response.status_code == 409
    assert db.session.scalar(
        select(Mark.value).where(Mark.judge_id == world.judges[0].id).limit(1)
    ) == Decimal(7)
    login("chief")
    client.post(f"/contest-trades/{world.ct.id}/unlock", data={"reason": ""})
    assert is_locked(world)
    client.post(f"/contest-trades/{world.ct.id}/unlock", data={"reason": "仲裁组认定3号工件需复评"})
    assert not is_locked(world)
    events = db.session.scalars(select(LockEvent).order_by(LockEvent.id)).all()
    assert [(e.action, e.reason) for e in events] == [
        ("lock", ""),
        ("unlock", "仲裁组认定3号工件需复评"),
    ]
    assert "仲裁组认定3号工件需复评" in review(client, world)


def test_only_the_chief_judge_reviews_locks_and_unlocks(client, login):
    world = build()
    fill(world)
    for user in ("judge1", "org"):
        login(user)
        assert client.get(f"/contest-trades/{world.ct.id}/review").status_code == 403
        assert client.post(f"/contest-trades/{world.ct.id}/lock", data=SIGNATURE).status_code == 403
        assert (
            client.post(
                f"/contest-trades/{world.ct.id}/unlock", data={"reason": "xxxxxx"}
            ).status_code
            == 403
        )
    assert not is_locked(world)


def test_the_chief_sees_every_change_of_a_score(client, login):
    world = build()
    fill(world)
    judged = world.items[0]
    login("judge2")
    client.post(
        f"/marking/{world.ct.id}/scores",
        json={"code": world.codes[1], "item": judged.id, "value": "6.5"},
    )
    login("chief")
    page = client.get(
        f"/contest-trades/{world.ct.id}/review/history?code={world.codes[1]}&item={judged.id}"
    ).get_data(as_text=True)
    assert "Judge2" in page and "6.5" in page and page.count("<tr>") >= 5  # 3 creations + 1 change

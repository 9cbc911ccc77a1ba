"""No shared ranks in the medal places: the chief judge orders a tie and the order is applied."""

from sqlalchemy import select

from competitions.core.db import db
from competitions.judging.models import MarkingLock
from competitions.results.models import Result, ResultSet
from competitions.results.services import compute, finish
from tests.judging.marking_world import build, score_everyone


def test_the_chief_judge_orders_a_tie_in_the_medal_places(client, login, monkeypatch):
    world = build(n_entries=3)
    world.ct.no_shared_medal_ranks = True
    score_everyone(world, (8, 8, 6))
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    compute.recompute([world.ct.id])
    finish.finish([world.ct.id])
    db.session.commit()
    a, b, _ = (e.id for e in world.entries)
    assert db.session.get(ResultSet, world.ct.id).undecided["medal_places"] == [[a, b]]

    queued = []
    monkeypatch.setattr(
        "competitions.results.tasks.queue_recompute", lambda job_id, ids: queued.append(ids)
    )
    login("org")
    assert (
        client.post(
            f"/contest-trades/{world.ct.id}/ties", data={f"place-{a}": "2", f"place-{b}": "1"}
        ).status_code
        == 403
    )
    login("chief")
    page = client.get(f"/contest-trades/{world.ct.id}/results").get_data(as_text=True)
    # by code: the chief judge marks blind until the results are final
    assert world.codes[0] in page and "选手0号" not in page and f'name="place-{a}"' in page
    client.post(f"/contest-trades/{world.ct.id}/ties", data={f"place-{a}": "1", f"place-{b}": "1"})
    assert queued == []  # not a valid order
    client.post(f"/contest-trades/{world.ct.id}/ties", data={f"place-{a}": "2", f"place-{b}": "1"})
    assert queued == [[world.ct.id]]
    compute.recompute([world.ct.id])  # what the queued task does
    db.session.commit()
    ranks = {r.subject_id: r.rank for r in db.session.scalars(select(Result))}
    assert ranks[b] == 1 and ranks[a] == 2
    assert db.session.get(ResultSet, world.ct.id).undecided["medal_places"] == []


def test_the_chief_judge_picks_who_advances_from_a_tie_at_the_cut_off(client, login, monkeypatch):
    world = build(n_entries=3)
    world.ct.advancement_quota = 1
    world.ct.advancement_tie = "chief_judge"
    score_everyone(world, (8, 8, 6))
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    compute.recompute([world.ct.id])
    db.session.commit()
    a, b, _ = (e.id for e in world.entries)
    assert db.session.get(ResultSet, world.ct.id).undecided["advancement"] == [a, b]
    assert not db.session.scalars(select(Result).filter_by(advances=True)).all()

    queued = []
    monkeypatch.setattr(
        "competitions.results.tasks.queue_recompute", lambda job_id, ids: queued.append(ids)
    )
    login("chief")
    page = client.get(f"/contest-trades/{world.ct.id}/results").get_data(as_text=True)
    assert 'id="advancement-tie"' in page and f'value="{b}"' in page
    client.post(f"/contest-trades/{world.ct.id}/advancement-tie", data={"advance": str(b)})
    assert queued == [[world.ct.id]]
    compute.recompute([world.ct.id])  # what the queued task does
    db.session.commit()
    assert [r.subject_id for r in db.session.scalars(select(Result).filter_by(advances=True))] == [
        b
    ]
    assert db.session.get(ResultSet, world.ct.id).undecided["advancement"] == []

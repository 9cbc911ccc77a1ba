"""Many judges saving at once on PostgreSQL: nothing lost, never two values for one cell."""

import threading
from concurrent.futures import ThreadPoolExecutor

import pytest
from sqlalchemy import func, select

from app import create_app
from competitions.core.db import db
from competitions.judging.models import Mark
from tests.conftest import _empty_tables, base_config
from tests.factories import PASSWORD, log_in
from tests.judging.marking_world import build


@pytest.fixture
def pg_app(postgres_test_url, tmp_path):
    """The app on PostgreSQL only: the concurrency claims are PostgreSQL's."""
    app = create_app(base_config(tmp_path, postgres_test_url))
    with app.app_context():
        yield app
        db.session.remove()
        _empty_tables(db.engine)
        db.engine.dispose()


def _client(app, username):
    client = app.test_client()
    assert log_in(client, username, PASSWORD).status_code == 302
    return client


def test_ten_judges_saving_at_once_lose_nothing(pg_app):
    world = build(n_entries=5, n_judges=10)
    ct_id, codes, items = world.ct.id, world.codes, [i.id for i in world.items]
    clients = {j.username: _client(pg_app, j.username) for j in world.judges}
    barrier = threading.Barrier(len(clients))

    def judge_saves(username):
        client = clients[username]
        barrier.wait()
        statuses = []
        for code in codes:
            for item in items:
                value = "5" if item == items[1] else "7.5"
                response = client.post(
                    f"/marking/{ct_id}/scores", json={"code": code, "item": item, "value": value}
                )
                statuses.append(response.status_code)
        return statuses

    with ThreadPoolExecutor(len(clients)) as pool:
        results = [s for statuses in pool.map(judge_saves, clients) for s in statuses]
    assert results.count(200) == len(results) == 10 * 5 * 2
    db.session.expire_all()
    assert db.session.scalar(select(func.count()).select_from(Mark)) == 100


def test_one_cell_saved_by_many_requests_at_once_stays_one_value(pg_app):
    world = build(n_entries=1, n_judges=1)
    ct_id, code, item = world.ct.id, world.codes[0], world.items[0].id
    clients = [_client(pg_app, "judge1") for _ in range(8)]
    barrier = threading.Barrier(len(clients))
    values = ["1", "2", "3", "4", "5", "6", "7", "8"]

    def save(index):
        barrier.wait()
        return clients[index].post(
            f"/marking/{ct_id}/scores", json={"code": code, "item": item, "value": values[index]}
        )

    with ThreadPoolExecutor(len(clients)) as pool:
        responses = list(pool.map(save, range(len(clients))))
    assert all(r.status_code == 200 for r in responses)
    db.session.expire_all()
    marks = db.session.scalars(select(Mark)).all()
    assert len(marks) == 1
    assert str(marks[0].value.normalize()) in values

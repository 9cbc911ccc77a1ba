"""Two encryption officers drawing the first layer at the same moment, on PostgreSQL: one of
them holds it, each contestant gets one check-in number, the other officer is refused."""

import threading
from concurrent.futures import ThreadPoolExecutor

from sqlalchemy import func, select

from competitions.core.db import db
from competitions.judging.models import CheckInNumber, EncryptionDraw, TwoLayerEncryption
from tests.judging.test_concurrency import _client, pg_app  # noqa: F401 (the fixture)
from tests.judging.test_encryption import _world


def test_officers_racing_for_the_first_layer_leave_one_holder_and_one_number_each(pg_app):  # noqa: F811
    w = _world()
    db.session.add(TwoLayerEncryption(assessment_id=w.ct.id, enabled=True))
    db.session.commit()
    ct_id = w.ct.id
    entry_ids = sorted(e.id for e in w.entries)
    panel = {u.id for u in [*w.judges, w.chief]}
    names = ["cipher1", "cipher2"] * 4
    clients = [_client(pg_app, name) for name in names]
    barrier = threading.Barrier(len(clients))

    def draw(index):
        barrier.wait()
        return clients[index].post(f"/contest-trades/{ct_id}/encryption/first/draw").status_code

    with ThreadPoolExecutor(len(clients)) as pool:
        statuses = list(pool.map(draw, range(len(clients))))
    db.session.expire_all()
    holder = db.session.get(TwoLayerEncryption, ct_id).first_officer_id
    assert holder is not None and holder not in panel
    won = [s for n, s in zip(names, statuses, strict=True) if n == names[0]]
    lost = [s for n, s in zip(names, statuses, strict=True) if n != names[0]]
    assert sorted({*won, *lost}) == [303, 403], statuses
    assert {tuple(won), tuple(lost)} == {(303,) * 4, (403,) * 4}
    numbers = db.session.scalars(select(CheckInNumber).filter_by(assessment_id=ct_id)).all()
    assert sorted(n.subject_id for n in numbers) == entry_ids
    assert len({n.number for n in numbers}) == len(entry_ids)
    draws = db.session.scalars(select(EncryptionDraw)).all()
    assert [(d.user_id, d.drawn) for d in draws] == [(holder, len(entry_ids))]
    assert db.session.scalar(select(func.count()).select_from(EncryptionDraw)) == 1

"""Redis stopped while judges save marks and the public reads results, then started again.

Marks do not depend on Redis; public pages are served from the database (slower, uncached);
actions that need the task queue say so and leave their job failed, never half-started; the
contestant's lookup is still rate limited (in memory) and never answers 500. When Redis comes
back on the same port, the same app and the same worker carry on: nothing is restarted.
"""

import io
import time
from datetime import date
from decimal import Decimal

import pytest
import redis
from sqlalchemy import func, select

from competitions.certificates.models import Certificate
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.core.queue import UNREACHABLE
from competitions.judging.models import Mark, MarkingLock
from tests import factories
from tests.conftest import CONFIRM, SIGNATURE, wait_for_job
from tests.faults import world as fw
from tests.faults.conftest import wait_until
from tests.imports.sheets import person_row, xlsx_bytes

pytestmark = pytest.mark.faults
SAID = "The task queue cannot be reached right now, so nothing was started: try again."


def browser(app, username: str | None = None):
    """A test client in English, logged in as ``username`` if given."""
    client = app.test_client()
    client.get("/lang/en")
    if username:
        response = factories.log_in(client, username, factories.PASSWORD)
        assert response.status_code == 302
    return client


def latest(kind: str) -> Job:
    db.session.expire_all()
    return db.session.scalar(select(Job).filter_by(kind=kind).order_by(Job.created_at.desc()))


def refused(client, path: str, back: str, **post) -> str:
    """POST an action that needs the queue: answered at once, back on the page it came from,
    with the reason; returns that page."""
    start = time.monotonic()
    response = client.post(path, headers={"Referer": "http://localhost" + back}, **post)
    assert time.monotonic() - start < 5  # no waiting on Celery's retries
    assert response.status_code == 303, response.get_data(as_text=True)
    assert response.headers["Location"].endswith(back)
    page = client.get(back)
    assert page.status_code == 200
    text = page.get_data(as_text=True)
    assert SAID in text
    return text


def test_redis_stopped_while_marking_and_reading(fault_app, private_redis, start_worker):
    world = fw.build(trades=2, entries=6)
    marking, published = world.trades
    fw.score(world, marking, lambda n: Decimal(5))
    fw.score(world, published, lambda n: Decimal(9 - n))
    fw.lock_and_compute(world, published)
    fw.publish_final(published)
    start_worker()
    judges = [browser(fault_app, j.username) for j in world.judges]
    chief, organiser = browser(fault_app, "chief"), browser(fault_app, "org")
    public = browser(fault_app)
    page = f"/results/trades/{published.ct.id}"
    # Rendered into the cache when it was published, in each language.
    assert public.get(page).headers["X-Cache"] == "hit"
    assert public.get(page).headers["X-Cache"] == "hit"
    contestant = published.entries[0].person
    contest_id, marking_id = world.contest.id, marking.ct.id

    private_redis.stop()
    stopped = time.monotonic()

    # Judges go on marking: every save answered 200 and in the database.
    judged = marking.items[0]
    for judge in judges:
        for n, entry in enumerate(marking.entries):
            response = judge.post(
                f"/marking/{marking_id}/scores",
                json={"code": marking.codes[entry.id], "item": judged.id, "value": str(4 + n)},
            )
            assert response.status_code == 200, response.get_data(as_text=True)
    db.session.expire_all()
    saved = db.session.execute(
        select(Mark.subject_id, Mark.judge_id, Mark.value).filter_by(item_id=judged.id)
    )
    assert sorted(saved) == sorted(
        (e.id, j.id, Decimal(4 + n)) for n, e in enumerate(marking.entries) for j in world.judges
    )

    # The public reads the results, rendered from the database.
    for _ in range(2):
        response = public.get(page)
        assert response.status_code == 200 and "X-Cache" not in response.headers
        assert contestant.name in response.get_data(as_text=True)
    assert public.get("/results").status_code == 200
    # The contestant's lookup: still limited (counted in memory meanwhile), never a 500.
    fault_app.config["LOOKUP_RATE_LIMIT"] = "3 per minute"
    found = look_up(public, contestant)
    assert found.status_code == 302 and found.headers["Location"].endswith("/my-result/results")
    assert contestant.name in public.get("/my-result/results").get_data(as_text=True)
    assert [look_up(public, contestant).status_code for _ in range(3)] == [302, 302, 429]

    # Actions that need the queue say so; their jobs end failed, none is left waiting.
    results_page = f"/contest-trades/{marking_id}/results"
    text = refused(organiser, f"/contest-trades/{marking_id}/recompute", results_page)
    assert "The task queue could not be reached" in text  # the failed job, on the page
    review_page = f"/contest-trades/{marking_id}/review"
    text = refused(chief, f"/contest-trades/{marking_id}/lock", review_page, data=SIGNATURE)
    assert "The marks are locked." in text  # the lock itself stands; its recompute waits
    assert db.session.get(MarkingLock, marking_id).locked
    overview = f"/contests/{contest_id}/certificates"
    refused(organiser, f"/contests/{contest_id}/certificates/issue", overview, data=CONFIRM)
    upload = {"file": (io.BytesIO(xlsx_bytes([new_contestant()])), "entries.xlsx")}
    refused(
        organiser, f"/contests/{contest_id}/import", f"/contests/{contest_id}/import", data=upload
    )
    db.session.expire_all()
    jobs = db.session.scalars(select(Job)).all()
    assert sorted(j.kind for j in jobs) == [
        "certificates",
        "import_entries",
        "recompute",
        "recompute",
    ]
    assert {(j.state, j.message) for j in jobs} == {("failed", UNREACHABLE)}
    assert db.session.scalar(select(func.count()).select_from(Certificate)) == 0

    # An outage of some seconds: the worker retries its connection meanwhile.
    time.sleep(max(0.0, stopped + 8 - time.monotonic()))
    private_redis.start()  # same port; the app and the worker are the same processes

    assert organiser.post(f"/contest-trades/{marking_id}/recompute").status_code == 302
    assert wait_for_job(latest("recompute").id, timeout=45).state == "succeeded"
    assert (
        organiser.post(f"/contests/{contest_id}/certificates/issue", data=CONFIRM).status_code
        == 302
    )
    issued = wait_for_job(latest("certificates").id, timeout=45)
    assert issued.state == "succeeded" and issued.result["issued"] == issued.total > 0
    upload = {"file": (io.BytesIO(xlsx_bytes([new_contestant()])), "entries.xlsx")}
    assert organiser.post(f"/contests/{contest_id}/import", data=upload).status_code == 303
    assert wait_for_job(latest("import_entries").id, timeout=45).state == "succeeded"
    # The page cache fills again.
    assert public.get(page).headers["X-Cache"] == "miss"
    assert public.get(page).headers["X-Cache"] == "hit"
    # The lookup's counters go back to Redis (the limits in memory are left behind).
    wait_until(lambda: look_up(public, contestant).status_code == 302, 40, "limits not in Redis")
    assert redis.Redis.from_url(private_redis.url()).keys("LIMITS*")


def look_up(client, person):
    return client.post(
        "/my-result", data={"id_number": person.id_number, "name": person.name, "agree": "y"}
    )


def new_contestant() -> list:
    born = date(1992, 3, 4)
    return person_row("孙丽", factories.resident_id(born, 7, male=False), "钳工")

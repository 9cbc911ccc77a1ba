"""Benchmark: a 工匠 selection's public vote, 50 connections voting for 10 s through gunicorn,
against the trivial endpoint's ceiling in the same run.

Run from the repository root: ``.venv/bin/python bench/vote_load.py``. It creates (and at the
end drops) a database of its own (``jingsai_bench_votes_<random>``, on the server of
DATABASE_URL, by default the local PostgreSQL) with ``flask db upgrade``, and starts a Redis
server of its own on a free port with ``appendonly yes`` and ``appendfsync always`` (the vote's
setting: Redis answers the counting script only once its write is on disk, so an acknowledged
vote survives a Redis restart), a Celery worker (which copies the votes from the Redis stream to
PostgreSQL in batches) and gunicorn. The campaign has 100 nominees put to the vote, 100 votes a
voter a day.

- baseline: 50 clients GET the trivial endpoint (a static file) for 10 s;
- votes: 50 clients, each a phone: it has opened the vote page before the clock starts (a
  signed device cookie, the same token in the page for its script), votes for the nominees one
  after another as the page's script does (JSON answers, ``X-Vote-Device``;
  competitions/selection/voting.py) and, once it has voted for all of them, opens the page
  again as a new device: those openings take the server's time within the 10 s but are timed
  apart (their p99 is printed on the line before the last); ``p99_ms`` is the votes'.

Then it waits for the worker to write the trail and counts the acknowledged votes (their ids
came back in the answers) missing from PostgreSQL. The last line:
``votes_per_s=… baseline_rps=… ratio=… p99_ms=… lost=…``.
"""

import json
import logging
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from datetime import timedelta
from pathlib import Path

import sqlalchemy as sa
from _common import (
    ROOT,
    HttpClient,
    app_keys,
    free_port,
    keys_config,
    migrate_database,
    own_database_url,
    percentile,
    recreate_database,
    start_gunicorn,
    start_worker,
    stop_process,
)

sys.path.insert(0, str(ROOT))

from app import create_app
from competitions.core.config import load_config
from competitions.core.db import db
from competitions.core.i18n import local_now
from competitions.registry.models import Contest
from competitions.registry.rules import resident_id_check_char
from competitions.selection import services
from competitions.selection.services import Nomination

#: A database of the bench's own on the server of DATABASE_URL (never the one named there).
DATABASE_URL = own_database_url("jingsai_bench_votes")
CLIENTS, SECONDS = 50, 10.0
NOMINEES = 100
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
BASELINE_PATH = "/static/css/app.css"


def start_redis(folder: Path) -> tuple[subprocess.Popen, int]:
    """A Redis of the bench's own: append-only file, fsync before every answer."""
    port = free_port()
    proc = subprocess.Popen(
        [
            "redis-server",
            "--port",
            str(port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(folder),
            "--appendonly",
            "yes",
            "--appendfsync",
            os.environ.get("BENCH_FSYNC", "always"),
            "--save",
            "",
        ],
        stdout=subprocess.DEVNULL,
        stderr=subprocess.STDOUT,
    )
    deadline = time.monotonic() + 20
    while (
        subprocess.run(
            ["redis-cli", "-p", str(port), "ping"], capture_output=True, text=True
        ).stdout.strip()
        != "PONG"
    ):
        if time.monotonic() > deadline:
            sys.exit("redis-server did not start")
        time.sleep(0.1)
    return proc, port


def build(env: dict, instance: Path) -> int:
    """A contest holding a campaign whose vote is open, with NOMINEES passed nominees."""
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
            **keys_config(env),
            "INSTANCE_DIR": str(instance),
            "CELERY": load_config(env)["CELERY"],
        }
    )
    with app.app_context():
        now = local_now()
        contest = Contest(
            code="BENCH-VOTE",
            name="投票压力测试",
            year=now.year,
            tier="province",
            starts_on=now.date(),
            ends_on=now.date(),
        )
        db.session.add(contest)
        db.session.flush()
        from competitions.accounts.models import User

        db.session.add(User(username="bench-nominator", display_name="推荐人", password_hash="x"))
        db.session.flush()
        campaign = services.create_campaign(
            contest.id,
            name="投票压力测试工匠",
            title_name="测试工匠",
            titles=10,
            vote_nominees=NOMINEES,
            daily_votes=NOMINEES,
            nominations_close=now + timedelta(days=1),
            vote_opens=now - timedelta(days=1),
            vote_closes=now + timedelta(days=1),
        )
        body = services.add_body(
            campaign, "测试工会", "city_union", None, "bench-nominator", NOMINEES
        )
        for i in range(NOMINEES):
            first17 = f"370102198001{1 + i // 28:02d}{i % 28 + 1:02d}{i % 500 * 2 + 1:03d}"[:17]
            nominee = services.nominate(
                body,
                Nomination(
                    f"工匠{i:03d}",
                    first17 + resident_id_check_char(first17),
                    None,
                    "钳工",
                    "二十年如一日，攻克关键技术难题。",
                    "",
                    20,
                ),
                now,
            )
            nominee.state = "passed"
        db.session.commit()
        campaign_id = campaign.id
        db.session.remove()
        db.engine.dispose()
    return campaign_id


class Phone:
    """One voter's phone: a connection, its cookies, the device token its page gave it."""

    def __init__(self, port: int, campaign_id: int, nominees: list[int]):
        self.client = HttpClient(port)
        self.campaign_id, self.nominees = campaign_id, nominees
        self.device, self.next = "", len(nominees)
        self.pages: list[float] = []  # how long each opening of the page took
        self.page_ends: list[float] = []

    def new_device(self) -> None:
        self.client.cookies.pop("jingsai_voter", None)
        status, page = self.client.request("GET", f"/selection/{self.campaign_id}/vote")
        token = re.search(rb'data-device="([^"]+)"', page)
        if status != 200 or not token:
            raise RuntimeError(f"vote page: {status}")
        self.device, self.next = token[1].decode(), 0

    def vote(self) -> tuple[int, str | None]:
        if self.next >= len(self.nominees):  # a new phone opens the page (timed apart)
            began = time.perf_counter()
            self.new_device()
            self.pages.append(time.perf_counter() - began)
            self.page_ends.append(time.perf_counter())
        nominee = self.nominees[self.next]
        self.next += 1
        status, body = self.client.request(
            "POST",
            f"/selection/{self.campaign_id}/vote/{nominee}",
            None,
            {"Accept": "application/json", "X-Vote-Device": self.device},
        )
        token = json.loads(body).get("vote") if status == 200 else None
        return status, token


def run(clients, seconds, step) -> tuple[int, list[float], dict, list]:
    """Each client calls ``step`` until ``seconds`` pass; (ok, latencies, errors, tokens)."""
    stop = time.monotonic() + seconds
    lock = threading.Lock()
    ok, latencies, errors, tokens = [0], [], {}, []

    def loop(c):
        while time.monotonic() < stop:
            began = time.perf_counter()
            try:
                status, token = step(c)
            except Exception as err:  # a dropped connection counts as an error
                status, token = type(err).__name__, None
            spent = time.perf_counter() - began
            if getattr(c, "page_ends", None) and c.page_ends[-1] >= began:
                spent -= c.pages[-1]  # the vote's own time, without the page opened first
            with lock:
                latencies.append(spent)
                if status == 200:
                    ok[0] += 1
                    if token:
                        tokens.append(token)
                else:
                    errors[status] = errors.get(status, 0) + 1

    threads = [threading.Thread(target=loop, args=(c,)) for c in clients]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return ok[0], sorted(latencies), errors, tokens


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    instance = Path(tempfile.mkdtemp(prefix="jingsai-bench-vote-"))
    redis_proc, redis_port = start_redis(instance)
    redis_url = f"redis://127.0.0.1:{redis_port}/0"
    env = {
        **os.environ,
        **app_keys(),
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": redis_url,
        "JINGSAI_QUEUE": f"jingsai-bench-vote-{uuid.uuid4().hex[:8]}",
        "JINGSAI_INSTANCE": str(instance),
        "JINGSAI_VOTE_ADDRESS_LIMIT": "100000000",  # every phone of the bench is 127.0.0.1
        "JINGSAI_PAGE_CACHE": "0",
    }
    gunicorn = worker = None
    recreate_database(DATABASE_URL)
    try:
        migrate_database(env)
        campaign_id = build(env, instance)
        worker = start_worker(env, instance / "worker.log", 1)
        port = free_port()
        gunicorn = start_gunicorn(env, WORKERS, port, instance / "gunicorn.log", BASELINE_PATH)
        engine = sa.create_engine(DATABASE_URL)
        with engine.connect() as conn:
            nominees = list(
                conn.execute(
                    sa.text("SELECT id FROM selection_nominee WHERE campaign_id = :c ORDER BY id"),
                    {"c": campaign_id},
                ).scalars()
            )

        def get_baseline(c):
            return c.request("GET", BASELINE_PATH, cookies=False)[0], None

        base_ok, base_lat, base_err, _ = run(
            [HttpClient(port) for _ in range(CLIENTS)], SECONDS, get_baseline
        )
        phones = [Phone(port, campaign_id, nominees) for _ in range(CLIENTS)]
        for phone in phones:  # each voter has the page open before the clock starts
            phone.new_device()
        votes_ok, vote_lat, vote_err, tokens = run(phones, SECONDS, Phone.vote)
        page_lat = sorted(t for phone in phones for t in phone.pages)
        # The trail: the worker copies the stream; wait until it is empty (at most 60 s).
        deadline = time.monotonic() + 60
        while time.monotonic() < deadline:
            left = subprocess.run(
                ["redis-cli", "-p", str(redis_port), "XLEN", f"jingsai:vote:{campaign_id}:trail"],
                capture_output=True,
                text=True,
            ).stdout.strip()
            if left == "0":
                break
            time.sleep(0.5)
        with engine.connect() as conn:
            stored = set(conn.execute(sa.text("SELECT token FROM vote")).scalars())
        engine.dispose()
        lost = sum(1 for t in tokens if t not in stored)
    finally:
        for proc in (gunicorn, worker, redis_proc):
            if proc is not None:
                stop_process(proc)
        recreate_database(DATABASE_URL, drop_only=True)
        shutil.rmtree(instance, ignore_errors=True)
    baseline_rps = base_ok / SECONDS
    votes_per_s = votes_ok / SECONDS
    print(
        f"baseline: {base_ok} answers, errors {base_err}, p99 "
        f"{percentile(base_lat, 99) * 1000:.1f} ms; votes: {votes_ok} acknowledged, "
        f"errors {vote_err}, p50 {percentile(vote_lat, 50) * 1000:.1f} ms; "
        f"pages opened by new phones meanwhile: {len(page_lat)}, p99 "
        f"{percentile(page_lat, 99) * 1000:.1f} ms; trail: {len(stored)} rows in PostgreSQL"
    )
    print(
        f"votes_per_s={votes_per_s:.0f} baseline_rps={baseline_rps:.0f} "
        f"ratio={votes_per_s / baseline_rps if baseline_rps else 0:.2f} "
        f"p99_ms={percentile(vote_lat, 99) * 1000:.1f} lost={lost}"
    )


if __name__ == "__main__":
    main()

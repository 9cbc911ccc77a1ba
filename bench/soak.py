"""Soak: 200 judges saving marks and 500 contestants looking up their results, for minutes,
against gunicorn, PostgreSQL, Redis and two Celery workers, while a large recompute runs.

Run from the repository root: ``.venv/bin/python bench/soak.py [--seconds N]`` (default 300; CI
runs 30). It creates (and at the end drops) the database named in DATABASE_URL (default
``jingsai_bench_soak`` on the local PostgreSQL) with ``flask db upgrade``, empties its Redis
database (REDIS_URL, default database 10: page cache, rate limits, the queue of its own) and
loads one contest:

- a contest-trade marked by 40 groups of 5 judges (each judge: 10 items × 20 coded entries of
  their group, 200 cells of their own);
- a contest-trade of 10,000 entries (BENCH_RECOMPUTE_ENTRIES), 3 judges' marks on 2 items each,
  locked: the large recompute;
- the provincial contest of ``results_load.py`` with results under public notice; 500 of the 600
  contestants of its popular trade read that trade's page and look up their own result.

It serves the app with gunicorn (2 sync workers; the lookup's limit raised, since every simulated
contestant comes from this one address) and starts two Celery workers. Then, for N seconds:

- each judge, with a browser of their own (cookies, CSRF token), saves a score on their own grid,
  thinks (random, mean BENCH_THINK_S = 1 s as in ``marks_load.py``), saves the next;
- each contestant, with a browser of their own, reads the public results page, opens the lookup
  form (its CSRF token), posts their ID number and name, reads their own results, then goes away
  for a while (random, mean BENCH_CONTESTANT_THINK_S = 20 s) and comes back;
- the workers recompute, in turn, the large contest-trade and the popular published trade the
  contestants are reading (so its pages' cache is renewed under load), again and again (each
  queued 2 s after the previous job ended).

700 users are driven by BENCH_CLIENT_THREADS (50) threads: each takes the next user whose pause
is over and makes that user's next request, so the client stays light on the two cores it shares
with the server. A request's latency counts from the moment its user was due, so a wait for a
free client thread counts too; the rates the users offered are printed beside those achieved.
At the end it checks in the database that every save the server confirmed is
there (lost = confirmed saves without their audit row or value), and counts answers by kind. The
last line reads ``saves=… lost=… errors_5xx=… p99_ms=…`` (p99 over every request); it exits 1 when
a save was lost, any request failed (5xx, no answer) or got an unexpected answer, or a recompute
failed.
"""

import argparse
import heapq
import http.client
import itertools
import logging
import os
import queue
import random
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
import uuid
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, datetime, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from random import Random
from urllib.parse import quote

import redis
import sqlalchemy as sa
from _common import (
    ROOT,
    VENV_BIN,
    CpuMeter,
    HttpClient,
    Tally,
    app_keys,
    children,
    cpu_seconds,
    free_port,
    keys_config,
    migrate_database,
    own_database_url,
    percentile,
    recreate_database,
    start_gunicorn,
    stop_process,
)
from marks_load import Judge, log_in, panel, save_score, scheme, valid_scores
from rankings import forget_pending_results
from results_load import load as load_published
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(ROOT))

from app import create_app
from competitions.core.config import load_config
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.judging import rules
from competitions.judging.models import (
    Mark,
    MarkChange,
    MarkingLock,
    SchemeItem,
    SubjectCode,
)
from competitions.registry.models import (
    Contest,
    ContestTrade,
    Entry,
    Person,
    Trade,
    id_number_hash,
)
from competitions.registry.rules import resident_id_check_char
from competitions.results import services as results_services
from competitions.results.tasks import queue_recompute

#: A database of the bench's own on the server of DATABASE_URL (never the one named there).
DATABASE_URL = own_database_url("jingsai_bench_soak")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")
GROUPS, JUDGES_PER_GROUP, ENTRIES_PER_GROUP, ITEMS = 40, 5, 20, 10
CONTESTANTS = 500
RECOMPUTE_ENTRIES = int(os.environ.get("BENCH_RECOMPUTE_ENTRIES", 10_000))
RECOMPUTE_PAUSE_S = float(os.environ.get("BENCH_RECOMPUTE_PAUSE_S", 2.0))
THINK_S = float(os.environ.get("BENCH_THINK_S", 1.0))
CONTESTANT_THINK_S = float(os.environ.get("BENCH_CONTESTANT_THINK_S", 20.0))
CLIENT_THREADS = int(os.environ.get("BENCH_CLIENT_THREADS", 50))
WORKERS = 2
PASSWORD = "bench-pass"
#: The kinds of (scheme item, scale, max mark, step) the judges' items take in turn.
ITEM_KINDS = [
    ("measurement", "marks", Decimal(5), Decimal("0.01")),
    ("judgement", "marks", Decimal(10), Decimal("0.5")),
    ("judgement", "ws3", Decimal(6), Decimal(1)),
    ("measurement", "marks", Decimal(20), Decimal("0.1")),
]


# --- the contest --------------------------------------------------------------------------------


@dataclass(frozen=True)
class World:
    """What the load and the check need to know."""

    marking_ct: int
    large_ct: int
    published_ct: int
    contest_id: int
    #: username → user id, of the judges
    user_ids: dict[str, int]
    #: anonymous code → entry id, on the marked contest-trade
    entry_ids: dict[str, int]
    #: item id → the valid scores a judge may type
    choices: dict[int, list[str]]
    #: (ID number, name) of the contestants with published results
    contestants: list[tuple[str, str]]


def resident_id(region: str, n: int) -> str:
    """A valid resident ID number, distinct for each ``n`` within a region."""
    born = date(1970, 1, 1) + timedelta(days=n // 499)
    body = f"{region}{born:%Y%m%d}{n % 499 * 2 + 1:03d}"
    return body + resident_id_check_char(body)


def build_world(app) -> World:
    """The contest: the marked contest-trade, the large one, the published one."""
    published = load_published(app)  # commits; its own contest
    published_ct, pairs = published.popular, published.pairs
    with app.app_context():
        contest = Contest(
            code="BENCH-SOAK",
            name="长时压力测试大赛",
            year=2019,
            tier="province",
            starts_on=date(2019, 5, 10),
            ends_on=date(2019, 5, 12),
        )
        db.session.add(contest)
        db.session.flush()
        marking_ct, items = _contest_trade(contest.id, ("6-18-02", "车工", "Turner"), ITEMS)
        entries = _entries(marking_ct, "370203", GROUPS * ENTRIES_PER_GROUP)
        codes = _codes(marking_ct, entries)
        # A cheap hash: the soak measures marks and lookups, not 200 scrypt log-ins.
        cheap = generate_password_hash(PASSWORD, method="pbkdf2:sha256:1000")
        user_ids = panel(marking_ct, contest.id, items, entries, GROUPS, ENTRIES_PER_GROUP, cheap)
        large_ct = _large(contest.id, list(user_ids.values())[:3])
        db.session.commit()
        choices = {item.id: valid_scores(item.rule) for item in items}
        world = World(
            marking_ct,
            large_ct,
            published_ct,
            contest.id,
            user_ids,
            {code: entry for entry, code in zip(entries, codes, strict=True)},
            choices,
            pairs[:CONTESTANTS],
        )
        db.session.remove()
    return world


def _contest_trade(contest_id: int, names: tuple, count: int) -> tuple[int, list[SchemeItem]]:
    """A contest-trade with a practical part of ``count`` items of the kinds in turn."""
    trade = Trade(code=names[0], name_zh=names[1], name_en=names[2])
    db.session.add(trade)
    db.session.flush()
    ct = ContestTrade(contest_id=contest_id, trade_id=trade.id)
    ct.theory_weight, ct.practical_weight = Decimal(0), Decimal(100)
    db.session.add(ct)
    db.session.flush()
    # No flags: the soak measures saves, not reviews.
    items = scheme(ct.id, count, aggregation="mean", tolerance=Decimal(100))
    return ct.id, items


def _entries(ct_id: int, region: str, count: int) -> list[int]:
    """``count`` approved entries of new contestants, inserted in bulk; their ids in order."""
    people = [
        {
            "name": f"选手{n:05d}",
            "gender": "M",
            "birth_date": date(1970, 1, 1) + timedelta(days=n // 499),
            "id_type": "resident",
            "id_number": resident_id(region, n),
            "id_number_hash": id_number_hash(resident_id(region, n)),
        }
        for n in range(count)
    ]
    person_ids = db.session.scalars(
        sa.insert(Person).returning(Person.id, sort_by_parameter_order=True), people
    ).all()
    rows = [{"person_id": p, "contest_trade_id": ct_id, "status": "approved"} for p in person_ids]
    return db.session.scalars(
        sa.insert(Entry).returning(Entry.id, sort_by_parameter_order=True), rows
    ).all()


def _codes(ct_id: int, entries: list[int]) -> list[str]:
    """Codes and stations drawn by the rules for the entries; the codes in entry order."""
    rng = Random(2019)
    codes = rules.draw_codes(len(entries), rng)
    stations = rules.draw_stations(len(entries), rng)
    db.session.add_all(
        SubjectCode(subject_id=e, assessment_id=ct_id, code=c, station=s)
        for e, c, s in zip(entries, codes, stations, strict=True)
    )
    return codes


def _large(contest_id: int, judge_ids: list[int]) -> int:
    """The large contest-trade: RECOMPUTE_ENTRIES entries marked by 3 judges on 2 items,
    locked; returns its id."""
    ct_id, items = _contest_trade(contest_id, ("6-30-01", "焊工", "Welder"), 2)
    entries = _entries(ct_id, "370305", RECOMPUTE_ENTRIES)
    rng = Random(2020)
    marks = []
    for entry in entries:
        for item in items:
            steps = int(item.max_mark / item.step)
            for judge in judge_ids:
                value = item.step * rng.randint(steps // 3, steps)
                marks.append(
                    {"subject_id": entry, "item_id": item.id, "judge_id": judge, "value": value}
                )
    db.session.execute(sa.insert(Mark), marks)
    db.session.add(
        MarkingLock(
            assessment_id=ct_id, locked=True, locked_by=judge_ids[0], locked_at=datetime.now()
        )
    )
    return ct_id


# --- the users ----------------------------------------------------------------------------------


@dataclass
class Kind:
    """The answers to one kind of request."""

    latencies: list[float] = field(default_factory=list)
    answers: Counter = field(default_factory=Counter)


class Contestant:
    """One contestant's browser going round: results page, lookup form, lookup, own results."""

    STEPS = ("page", "form", "lookup", "mine")

    def __init__(self, id_number: str, name: str, port: int, published_ct: int):
        self.id_number, self.name = id_number, name
        self.client = HttpClient(port)
        self.page = f"/results/trades/{published_ct}"
        self.csrf = ""
        self.step = 0
        self.kinds = {kind: Kind() for kind in self.STEPS}
        #: seconds between being due and a client thread taking this user up
        self.waited = 0.0

    def _request(self, kind: str, method: str, path: str, body=None, headers=None):
        start = time.perf_counter()
        try:
            status, page = self.client.request(method, path, body, headers)
        except (OSError, http.client.HTTPException) as exc:
            self.kinds[kind].answers[type(exc).__name__] += 1
            return None, b""
        self.kinds[kind].latencies.append(time.perf_counter() - start + self.waited)
        self.kinds[kind].answers[status] += 1
        return status, page

    def act(self) -> float:
        """Make the next request; returns the pause before the one after."""
        kind = self.STEPS[self.step]
        if kind == "page":
            self._request(kind, "GET", self.page)
            self.step = 2 if self.csrf else 1
            return random.uniform(0.5, 2.0)
        if kind == "form":
            status, page = self._request(kind, "GET", "/my-result")
            token = re.search(rb'name="csrf_token" type="hidden" value="([^"]+)"', page)
            if status == 200 and token:
                self.csrf = token[1].decode()
                self.step = 2
            else:
                self.step = 0
            return random.uniform(2.0, 6.0)  # typing the ID number and the name
        if kind == "lookup":
            form = (
                f"csrf_token={quote(self.csrf)}&id_number={self.id_number}&name={quote(self.name)}"
                "&agree=y"
            )
            headers = {"Content-Type": "application/x-www-form-urlencoded"}
            status, _ = self._request(kind, "POST", "/my-result", form, headers)
            if status == 302:
                self.step = 3
                return 0.0  # the browser follows the redirect
            self.step = 0
            return self.think()
        status, page = self._request(kind, "GET", "/my-result/results")
        if status == 200 and self.name.encode() not in page:
            self.kinds[kind].answers["without their name"] += 1
        self.step = 0
        return self.think()

    @staticmethod
    def think() -> float:
        return min(random.expovariate(1 / CONTESTANT_THINK_S), 5 * CONTESTANT_THINK_S)


class JudgeUser:
    """One judge at a tablet: save a score, think, save the next."""

    def __init__(self, judge: Judge, world: World):
        self.judge, self.world, self.tally = judge, world, Tally()
        self.waited = 0.0

    def act(self) -> float:
        save_score(
            self.judge, self.tally, self.world.marking_ct, self.world.choices, waited=self.waited
        )
        return min(random.expovariate(1 / THINK_S), 5 * THINK_S)


class Scheduler:
    """Users by the time their pause ends. One dispatcher waits on the clock and hands each
    user, once due, to the client threads, which block on a queue until there is work."""

    def __init__(self, deadline: float):
        self.deadline, self.heap, self.order = deadline, [], itertools.count()
        self.changed = threading.Condition()
        self.due: queue.SimpleQueue = queue.SimpleQueue()

    def put(self, user, due: float) -> None:
        with self.changed:
            heapq.heappush(self.heap, (due, next(self.order), user))
            if self.heap[0][2] is user:  # sooner than the dispatcher waits for
                self.changed.notify()

    def dispatch(self, threads: int) -> None:
        """Until the deadline; then tells each client thread to stop."""
        with self.changed:
            while (now := time.monotonic()) < self.deadline:
                while self.heap and self.heap[0][0] <= now:
                    due, _, user = heapq.heappop(self.heap)
                    self.due.put((due, user))
                soonest = self.heap[0][0] if self.heap else self.deadline
                self.changed.wait(min(soonest, self.deadline) - now)
        for _ in range(threads):
            self.due.put(None)


def drive(users: list, seconds: float) -> None:
    """Run the users for ``seconds`` on CLIENT_THREADS threads; each starts at a random moment
    of its first pause (so they do not all fire in the same millisecond)."""
    start = time.monotonic()
    scheduler = Scheduler(start + seconds)
    for user in users:
        pause = THINK_S if isinstance(user, JudgeUser) else CONTESTANT_THINK_S / 4
        scheduler.put(user, start + random.uniform(0, pause))

    def loop() -> None:
        while (item := scheduler.due.get()) is not None:
            due, user = item
            if time.monotonic() < scheduler.deadline:
                user.waited = max(0.0, time.monotonic() - due)
                scheduler.put(user, time.monotonic() + user.act())

    with ThreadPoolExecutor(CLIENT_THREADS) as pool:
        futures = [pool.submit(loop) for _ in range(CLIENT_THREADS)]
        scheduler.dispatch(CLIENT_THREADS)
        for future in futures:
            future.result()


# --- the recomputes -----------------------------------------------------------------------------


@dataclass
class Recomputes:
    """The recomputes of the large contest-trade during the run."""

    seconds: list[float] = field(default_factory=list)
    #: the recomputes of the published trade the contestants read
    published: list[float] = field(default_factory=list)
    failed: list[str] = field(default_factory=list)


def recompute_loop(app, world: World, stop: threading.Event, out: Recomputes) -> None:
    """Queue a recompute of the large contest-trade, wait for its end, pause, then of the
    published trade the contestants read, and so on."""
    with app.app_context():
        for ct_id in itertools.cycle((world.large_ct, world.published_ct)):
            if stop.is_set():
                break
            job = results_services.start_recompute([ct_id], None, None)
            db.session.commit()
            began = time.monotonic()
            queue_recompute(job.id, [ct_id])
            while True:
                time.sleep(0.1)
                db.session.expire_all()
                ended = db.session.get(Job, job.id)
                if ended.state in ("succeeded", "failed"):
                    break
                if stop.is_set() and time.monotonic() - began > 120:
                    out.failed.append(f"job {job.id} did not end")
                    return
            if ended.state == "failed" or (ended.result or {}).get("refused"):
                out.failed.append(f"job {job.id}: {ended.message} {ended.result}")
            elif ct_id == world.large_ct:
                out.seconds.append(time.monotonic() - began)
            else:
                out.published.append(time.monotonic() - began)
            stop.wait(RECOMPUTE_PAUSE_S)
        db.session.remove()


def workers_cpu(procs: list[subprocess.Popen]) -> float:
    """CPU seconds the Celery workers (main processes and their pools) have used so far."""
    return sum(cpu_seconds(pid) for p in procs for pid in (p.pid, *children(p.pid)))


def start_workers(env: dict, folder: Path) -> list[subprocess.Popen]:
    """Two Celery workers (one process each) on the bench's queue, once both are ready."""
    procs, logs = [], []
    for n in range(2):
        log = folder / f"worker-{n}.log"
        logs.append(log)
        with open(log, "wb") as out:
            procs.append(
                subprocess.Popen(
                    [
                        *(str(VENV_BIN / "celery"), "-A", "workers.worker", "worker"),
                        *("--concurrency", "1", "-n", f"soak{n}@%h", "--loglevel", "INFO"),
                        *("-Q", env["JINGSAI_QUEUE"]),
                    ],
                    cwd=ROOT,
                    env=env,
                    stdout=out,
                    stderr=subprocess.STDOUT,
                )
            )
    deadline = time.monotonic() + 60
    while not all(b"ready." in log.read_bytes() for log in logs):
        if any(p.poll() is not None for p in procs) or time.monotonic() > deadline:
            for proc in procs:
                stop_process(proc)
            sys.exit("the workers did not start:\n" + "\n".join(log.read_text() for log in logs))
        time.sleep(0.2)
    return procs


# --- the check ----------------------------------------------------------------------------------


@dataclass
class Check:
    """The marked contest-trade in the database against what the server confirmed."""

    saves: int
    changes: int
    missing: int
    wrong_values: int
    unexpected: int

    @property
    def lost(self) -> int:
        """Confirmed saves not found: without their audit row, their mark, or their value."""
        return max(0, self.saves - self.changes) + self.missing + self.wrong_values


def verify(world: World, judges: list[JudgeUser]) -> Check:
    expected, unsure = {}, set()
    for user in judges:
        judge, user_id = user.judge, world.user_ids[user.judge.username]
        for (code, item), value in judge.saved.items():
            expected[(world.entry_ids[code], item, user_id)] = Decimal(value)
        unsure |= {(world.entry_ids[code], item, user_id) for code, item in judge.unsure}
    on_trade = sa.select(Entry.id).where(Entry.contest_trade_id == world.marking_ct)
    stored = {
        (e, i, j): v
        for e, i, j, v in db.session.execute(
            sa.select(Mark.subject_id, Mark.item_id, Mark.judge_id, Mark.value).where(
                Mark.subject_id.in_(on_trade)
            )
        )
    }
    changes = db.session.scalar(
        sa.select(sa.func.count())
        .select_from(MarkChange)
        .where(MarkChange.subject_id.in_(on_trade))
    )
    return Check(
        saves=sum(u.judge.saves for u in judges),
        changes=changes,
        missing=len(expected.keys() - stored.keys()),
        wrong_values=sum(
            1 for k, v in expected.items() if k in stored and k not in unsure and stored[k] != v
        ),
        unexpected=len(stored.keys() - expected.keys() - unsure),
    )


# --- the report ---------------------------------------------------------------------------------


EXPECTED = {"save": 200, "page": 200, "form": 200, "lookup": 302, "mine": 200}


def gather(judges: list[JudgeUser], contestants: list[Contestant]) -> dict[str, Kind]:
    """Every user's answers, by kind of request."""
    kinds = {kind: Kind() for kind in EXPECTED}
    for user in judges:
        kinds["save"].latencies += user.tally.latencies
        kinds["save"].answers[200] += user.tally.ok
        for answer, n in user.tally.errors.items():
            kinds["save"].answers[int(answer) if answer.isdigit() else answer] += n
    for contestant in contestants:
        for name, kind in contestant.kinds.items():
            kinds[name].latencies += kind.latencies
            kinds[name].answers += kind.answers
    for kind in kinds.values():
        kind.latencies.sort()
    return kinds


def report(
    seconds: float, kinds: dict[str, Kind], recomputes: Recomputes, check: Check
) -> list[str]:
    """Print the figures; returns the problems (the last line is printed by the caller)."""
    print(
        f"soak: {GROUPS * JUDGES_PER_GROUP} judges (pause ~{THINK_S:g} s), {CONTESTANTS} "
        f"contestants (away ~{CONTESTANT_THINK_S:g} s), {CLIENT_THREADS} client threads; "
        f"gunicorn {WORKERS} sync workers, 2 Celery workers; {seconds:.0f} s"
    )
    problems = []
    for name, kind in kinds.items():
        ms = [percentile(kind.latencies, q) * 1000 for q in (50, 99)]
        print(
            f"{name:>6}: {len(kind.latencies) / seconds:7.1f}/s, p50 {ms[0]:.1f} ms, "
            f"p99 {ms[1]:.1f} ms, answers {dict(kind.answers)}"
        )
        wrong = {a: n for a, n in kind.answers.items() if a != EXPECTED[name]}
        if wrong:
            problems.append(f"{name}: unexpected answers {wrong}")
    done = sorted(recomputes.seconds)
    print(
        f"recomputes of {RECOMPUTE_ENTRIES} entries: {len(done)} done, median "
        f"{percentile(done, 50):.2f} s, max {percentile(done, 100):.2f} s, "
        f"{len(recomputes.failed)} failed; of the published trade being read: "
        f"{len(recomputes.published)} done"
    )
    offered = {
        "saves": GROUPS * JUDGES_PER_GROUP / THINK_S,
        # after the first round: results page, lookup, own results (the form's token is kept)
        "contestants' requests": CONTESTANTS * 3 / (1.25 + CONTESTANT_THINK_S),
    }
    achieved = {
        "saves": len(kinds["save"].latencies) / seconds,
        "contestants' requests": sum(
            len(kinds[k].latencies) for k in Contestant.STEPS if k in kinds
        )
        / seconds,
    }
    for what, rate in offered.items():
        print(f"{what}: offered ~{rate:.1f}/s, achieved {achieved[what]:.1f}/s")
    problems += [f"recompute failed: {f}" for f in recomputes.failed]
    if not done or not recomputes.published:
        problems.append("no recompute of each trade finished during the run")
    print(
        f"check: {check.saves} saves confirmed, {check.changes} audit rows; {check.missing} "
        f"missing marks, {check.wrong_values} wrong values, {check.unexpected} marks never saved"
    )
    if check.lost:
        problems.append(f"lost saves: {check.lost}")
    if check.unexpected:
        problems.append(f"marks on cells never saved: {check.unexpected}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    return problems


def main() -> None:
    """Build, serve, soak, check, clean up; the last line holds the figures."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--seconds", type=float, default=300, help="length of the soak")
    seconds = parser.parse_args().seconds
    logging.basicConfig(level=logging.WARNING)
    instance = Path(tempfile.mkdtemp(prefix="jingsai-bench-soak-"))
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        **app_keys(),
        "JINGSAI_INSTANCE": str(instance),
        "JINGSAI_QUEUE": f"jingsai-bench-soak-{uuid.uuid4().hex[:8]}",
        "JINGSAI_LOOKUP_LIMIT": "100000000 per minute",
    }
    procs, app = [], None
    recreate_database(DATABASE_URL)
    redis.Redis.from_url(REDIS_URL).flushdb()
    try:
        migrate_database(env)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
                **keys_config(env),
                "INSTANCE_DIR": str(instance),
                "CELERY": load_config(env)["CELERY"],
            }
        )
        logging.getLogger().setLevel(logging.WARNING)
        built = time.monotonic()
        world = build_world(app)
        print(f"built in {time.monotonic() - built:.1f} s", flush=True)
        port = free_port()
        procs.append(start_gunicorn(env, WORKERS, port, instance / "gunicorn.log", "/healthz"))
        procs += start_workers(env, instance)
        judges = [Judge(name, HttpClient(port)) for name in world.user_ids]
        with ThreadPoolExecutor(CLIENT_THREADS) as pool:
            grid = partial(log_in, ct_id=world.marking_ct, expected=ENTRIES_PER_GROUP * ITEMS)
            refused = [p for p in pool.map(grid, judges) if p]
        if refused:
            sys.exit(f"{len(refused)} judges could not log in or read their grid: {refused[0]}")
        judge_users = [JudgeUser(judge, world) for judge in judges]
        contestants = [
            Contestant(number, name, port, world.published_ct) for number, name in world.contestants
        ]
        stop, recomputes = threading.Event(), Recomputes()
        recomputer = threading.Thread(
            target=recompute_loop, args=(app, world, stop, recomputes), daemon=True
        )
        recomputer.start()
        meter = CpuMeter(procs[0].pid, DATABASE_URL)
        before, workers_before = meter.snapshot(), workers_cpu(procs[1:])
        began = time.monotonic()
        drive([*judge_users, *contestants], seconds)
        elapsed = time.monotonic() - began
        cpu = CpuMeter.spent(before, meter.snapshot())
        cpu["workers"] = workers_cpu(procs[1:]) - workers_before
        cpu["others"] = max(0.0, cpu["others"] - cpu["workers"])
        meter.close()
        stop.set()
        recomputer.join(timeout=150)
        with app.app_context():
            check = verify(world, judge_users)
            db.session.remove()
            db.engine.dispose()
        kinds = gather(judge_users, contestants)
    finally:
        for proc in procs:
            stop_process(proc)
        if app is not None:
            forget_pending_results(app.extensions["celery"])
        recreate_database(DATABASE_URL, drop_only=True)
        client = redis.Redis.from_url(REDIS_URL)
        client.flushdb()
        client.close()
    problems = report(elapsed, kinds, recomputes, check)
    cores = {k: v / elapsed for k, v in cpu.items()}
    print(
        f"CPU in cores: gunicorn {cores['app']:.2f}, PostgreSQL {cores['db']:.2f}, Celery "
        f"workers {cores['workers']:.2f}, this client {cores['client']:.2f}, other processes "
        f"{cores['others']:.2f}; machine busy {cores['machine']:.2f} of {os.cpu_count()}"
    )
    every = sorted(x for kind in kinds.values() for x in kind.latencies)
    errors_5xx = sum(
        n
        for kind in kinds.values()
        for a, n in kind.answers.items()
        if isinstance(a, int) and a >= 500
    )
    if problems:
        print(f"logs of gunicorn and the workers: {instance}")
    else:
        shutil.rmtree(instance, ignore_errors=True)
    print(
        f"saves={check.saves} lost={check.lost} errors_5xx={errors_5xx} "
        f"p99_ms={percentile(every, 99) * 1000:.1f}"
    )
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()

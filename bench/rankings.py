"""Benchmark: a national recompute of results through a Celery worker, against one SQL statement.

Run from the repository root: ``.venv/bin/python bench/rankings.py [--profile]``. It creates (and
at the end drops) the database named in DATABASE_URL (default ``jingsai_bench_rank`` on the local
PostgreSQL) with ``flask db upgrade``, and loads with COPY a national-scale season: 10 provincial
contests × 50 trades = 500 contest-trades feeding a national contest that offers every trade,
200 entries each (100,000 entries in 30 delegations per contest), a scheme of 6 items per
contest-trade (theory: 2 measured; practical: 3 measured + 1 WorldSkills judgement by 5 judges,
trimmed mean), so 10 marks per entry and 1,000,000 marks; every marking is locked. One more
contest-trade of 600 entries, with the same scheme, measures the lock → results latency.

It times (medians of 3, after a warm-up) one hand-written ``INSERT … SELECT`` computing the
weighted totals and ``RANK()`` over the same marks (the baseline), and the app's full recompute
(results, awards, teams, advancement, honours) through a Celery worker (``-c 2``, a queue of its
own, REDIS_URL default Redis database 13), from queueing to the job's finished state. With
``--profile`` it then runs the worker's path in this process, phase by phase, under cProfile.
The last line holds the figures.
"""

import cProfile
import io
import logging
import os
import pstats
import statistics
import sys
import tempfile
import time
import uuid
from collections import defaultdict
from contextlib import contextmanager
from pathlib import Path
from random import Random

import psycopg
import redis
import sqlalchemy as sa
from _common import (
    ROOT,
    app_keys,
    children,
    cpu_seconds,
    keys_config,
    machine_cpu_seconds,
    migrate_database,
    recreate_database,
    start_worker,
    stop_process,
)

sys.path.insert(0, str(ROOT))

from app import create_app
from competitions.core.config import load_config
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.results import compute as results_compute
from competitions.results import finish as results_finish
from competitions.results import inputs as results_inputs
from competitions.results import services as results_services
from competitions.results.models import Honour, Result, TeamResult
from workers.tasks import queue_recompute

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jingsai_bench_rank"
)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
CONTESTS, TRADES, ENTRIES_PER_CT = 10, 50, 200
DELEGATIONS_PER_CONTEST, JUDGES = 30, 5
SINGLE_ENTRIES = 600
RUNS, SINGLE_RUNS = 3, 5
JOB_TIMEOUT_S = 120
#: (part, code, kind, scale, max mark, judges): 2 + 3 + 5 = 10 marks per entry.
SCHEME = [
    ("theory", "T1", "measurement", "marks", 60, 1),
    ("theory", "T2", "measurement", "marks", 40, 1),
    ("practical", "P1", "measurement", "marks", 20, 1),
    ("practical", "P2", "measurement", "marks", 20, 1),
    ("practical", "P3", "measurement", "marks", 20, 1),
    ("practical", "P4", "judgement", "ws3", 40, JUDGES),
]
MARKS_PER_ENTRY = sum(item[5] for item in SCHEME)
STAMP = "2019-05-12 08:00:00"
#: The contest-trade settings (the model's defaults; they have no server defaults, COPY names them).
CT_DEFAULTS = {
    "theory_weight": "30",
    "practical_weight": "70",
    "tie_breaks": "practical,time,theory",
    "no_shared_medal_ranks": "f",
    "award_mode": "proportion",
    "award_numbers": "10,20,30",
    "award_rounding": "half_up",
    "honourable_mentions": "f",
    "award_min_total": "60",
    "advancement_mode": "top_n",
    "advancement_quota": "3",
    "advancement_tie": "all",
    "team_mode": "best_n",
    "team_size": "3",
    "team_points": "8,4,2,1",
    "notice_working_days": "5",
    "appeal_window_hours": "2",
    "min_age": "16",
    "max_age": "60",
}


class Season:
    """What the bench built: the season's 500 contest-trades, the extra one, the counts."""

    def __init__(self) -> None:
        self.cts: list[int] = []
        self.single_ct: int = 0
        self.entries = 0
        self.marks = 0


# --- building ------------------------------------------------------------------------------


def _copy(cur, table: str, columns: tuple[str, ...], lines) -> int:
    """COPY text lines (tab-separated, ``\\N`` for NULL) into ``table``; returns the row count."""
    count, buffer = 0, []
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for line in lines:
            buffer.append(line)
            count += 1
            if len(buffer) >= 20000:
                copy.write("".join(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))
    return count


def _hundredths(cents: int) -> str:
    return f"{cents // 100}.{cents % 100:02d}"


def build_season() -> Season:
    """Load the whole season with COPY in one transaction; then VACUUM ANALYZE."""
    season = Season()
    rng = Random(2018)
    url = DATABASE_URL.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        _copy(
            cur,
            "trade",
            ("id", "code", "name_zh", "name_en", "industry"),
            (f"{t}\t6-{t:02d}-01\t工种{t}\tTrade {t}\t制造\n" for t in range(1, TRADES + 1)),
        )
        # Contest 1: the national final; 2..11: provincial contests feeding it; 12: the extra one.
        contests = [(1, "national", "\\N")]
        contests += [(c, "province", "1") for c in range(2, CONTESTS + 3)]
        _copy(
            cur,
            "contest",
            (
                "id",
                "code",
                "name",
                "year",
                "tier",
                "starts_on",
                "ends_on",
                "parent_id",
                "created_at",
            ),
            (
                f"{c}\tBENCH-{c}\t第{c}届职工技能大赛\t2018\t{tier}\t2018-09-01\t2018-09-03"
                f"\t{parent}\t{STAMP}\n"
                for c, tier, parent in contests
            ),
        )
        cts = [(1 + i, 1, 1 + i) for i in range(TRADES)]  # (ct id, contest, trade)
        for c in range(2, CONTESTS + 2):
            base = len(cts)
            cts += [(base + t, c, t) for t in range(1, TRADES + 1)]
        season.cts = [ct for ct, c, _ in cts if 2 <= c <= CONTESTS + 1]
        season.single_ct = len(cts) + 1
        cts.append((season.single_ct, CONTESTS + 2, 1))
        _copy(cur, "contest_trade", ("id", "contest_id", "trade_id", *CT_DEFAULTS), _ct_lines(cts))
        # Units and delegations: one unit per delegation, 30 delegations per contest.
        delegations = {}  # (contest, n) → id
        for c in range(2, CONTESTS + 3):
            for n in range(DELEGATIONS_PER_CONTEST):
                delegations[(c, n)] = len(delegations) + 1
        _copy(
            cur,
            "unit",
            ("id", "name", "kind"),
            (f"{d}\t赛区{c}单位{n}\tenterprise\n" for (c, n), d in delegations.items()),
        )
        _copy(
            cur,
            "delegation",
            ("id", "contest_id", "name", "unit_id"),
            (f"{d}\t{c}\t第{n + 1}代表队\t{d}\n" for (c, n), d in delegations.items()),
        )
        # Judges: 5 per contest-trade that is marked.
        marked = [ct for ct, c, _ in cts if c != 1]
        judges = {ct: [i * JUDGES + k + 1 for k in range(JUDGES)] for i, ct in enumerate(marked)}
        _copy(
            cur,
            "user_account",
            (
                "id",
                "username",
                "display_name",
                "password_hash",
                "is_registrar",
                "active",
                "created_at",
            ),
            (f"{u}\tjudge{u}\t裁判{u}\t!\tf\tt\t{STAMP}\n" for ct in marked for u in judges[ct]),
        )
        # Schemes.
        parts, items = [], []  # (part id, ct, kind), (item id, part id, pos, code, …)
        by_ct: dict[int, list[tuple]] = {}
        for ct in marked:
            part_ids = {}
            for kind in ("theory", "practical"):
                part_ids[kind] = len(parts) + 1
                parts.append((part_ids[kind], ct, kind))
            by_ct[ct] = []
            for pos, (kind, code, item_kind, scale, max_mark, n_judges) in enumerate(SCHEME):
                item_id = len(items) + 1
                items.append((item_id, part_ids[kind], pos, code, item_kind, scale, max_mark))
                by_ct[ct].append((item_id, scale, max_mark, n_judges))
        _copy(
            cur,
            "scheme_part",
            ("id", "contest_trade_id", "kind", "name", "scale_to_100"),
            (f"{p}\t{ct}\t{kind}\t{kind}\tt\n" for p, ct, kind in parts),
        )
        _copy(
            cur,
            "scheme_item",
            (
                "id",
                "part_id",
                "position",
                "code",
                "criterion",
                "description",
                "kind",
                "max_mark",
                "scale",
                "step",
                "judges",
                "aggregation",
            ),
            (
                f"{i}\t{p}\t{pos}\t{code}\t{code}\t\t{kind}\t{mx}\t{scale}"
                f"\t{'1' if scale == 'ws3' else '0.01'}"
                f"\t{JUDGES if kind == 'judgement' else 1}"
                f"\t{'trimmed_mean' if kind == 'judgement' else 'mean'}\n"
                for i, p, pos, code, kind, scale, mx in items
            ),
        )
        # Persons and entries (one person per entry; passport numbers).
        entries = []  # (entry id, ct, contest, n)
        for ct, c, _ in cts:
            if c == 1:
                continue
            size = SINGLE_ENTRIES if ct == season.single_ct else ENTRIES_PER_CT
            base = len(entries)
            entries += [(base + n + 1, ct, c, n) for n in range(size)]
        _copy(
            cur,
            "person",
            (
                "id",
                "name",
                "gender",
                "birth_date",
                "id_type",
                "id_number",
                "unit_id",
                "skill_level",
                "phone",
                "created_at",
            ),
            (
                f"{e}\t选手{e}\t{'MF'[e % 2]}\t{1970 + e % 30}-0{1 + e % 9}-1{e % 10}"
                f"\tpassport\tE{e:08d}\t{delegations[(c, n % DELEGATIONS_PER_CONTEST)]}"
                f"\t{3 + e % 3}\t\t{STAMP}\n"
                for e, ct, c, n in entries
            ),
        )
        _copy(
            cur,
            "entry",
            (
                "id",
                "person_id",
                "contest_trade_id",
                "delegation_id",
                "status",
                "time_used_s",
                "created_at",
            ),
            (
                f"{e}\t{e}\t{ct}\t{delegations[(c, n % DELEGATIONS_PER_CONTEST)]}\tapproved"
                f"\t{rng.randint(3000, 7200)}\t{STAMP}\n"
                for e, ct, c, n in entries
            ),
        )
        season.entries = len([e for e in entries if e[1] != season.single_ct])
        season.marks = _copy(
            cur,
            "mark",
            ("id", "entry_id", "item_id", "judge_id", "value", "source", "updated_at"),
            _mark_lines(entries, by_ct, judges, rng),
        )
        _copy(
            cur,
            "marking_lock",
            ("contest_trade_id", "locked", "locked_by", "locked_at"),
            (f"{ct}\tt\t{judges[ct][0]}\t{STAMP}\n" for ct in marked),
        )
        for table in (
            "trade",
            "contest",
            "contest_trade",
            "unit",
            "delegation",
            "user_account",
            "scheme_part",
            "scheme_item",
            "person",
            "entry",
            "mark",
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'), "
                f"(SELECT max(id) FROM {table}))"
            )
        conn.commit()
        conn.autocommit = True
        cur.execute("VACUUM ANALYZE")
    return season


def _ct_lines(cts):
    """Contest-trades with every setting at the model's default (30/70, 10/20/30 %, top 3)."""
    settings = "\t".join(CT_DEFAULTS.values())
    for ct, contest, trade in cts:
        yield f"{ct}\t{contest}\t{trade}\t{settings}\n"


def _mark_lines(entries, by_ct, judges, rng: Random):
    """Every mark: an entry's skill drives its scores, with noise per item and per judge."""
    mark_id = 0
    for e, ct, _, _ in entries:
        skill = 0.45 + 0.55 * rng.random()
        panel = judges[ct]
        for item_id, scale, max_mark, n_judges in by_ct[ct]:
            for k in range(n_judges):
                mark_id += 1
                x = min(1.0, max(0.0, skill + rng.uniform(-0.15, 0.15)))
                if scale == "ws3":
                    value = f"{min(3, max(0, round(3 * x + rng.uniform(-0.6, 0.6))))}.00"
                else:
                    value = _hundredths(int(max_mark * 100 * x))
                yield f"{mark_id}\t{e}\t{item_id}\t{panel[k]}\t{value}\tjudge\t{STAMP}\n"


# --- other load on the machine ----------------------------------------------------------------


class OtherLoad:
    """The cores busy outside this bench: not this process, the worker or this database's backends.

    Timings on 2 cores mean little when something else runs; each timed run reports this.
    """

    def __init__(self, conn, worker_pid: int | None = None):
        self.conn, self.worker_pid = conn, worker_pid
        self.before: tuple[float, dict[int, float]] = (0.0, {})

    def _ours(self) -> dict[int, float]:
        pids = [os.getpid()]
        if self.worker_pid:
            pids += [self.worker_pid, *children(self.worker_pid)]
        query = sa.text("SELECT pid FROM pg_stat_activity WHERE datname = current_database()")
        pids += list(self.conn.execute(query).scalars())
        return {pid: cpu_seconds(pid) for pid in pids}

    def start(self) -> None:
        self.before = (machine_cpu_seconds(), self._ours())

    def cores(self, seconds: float) -> float:
        """Cores others kept busy since ``start`` (processes of ours born meanwhile count whole)."""
        machine, ours = machine_cpu_seconds(), self._ours()
        mine = sum(v - self.before[1].get(pid, 0.0) for pid, v in ours.items())
        return max(0.0, machine - self.before[0] - mine) / max(seconds, 1e-6)


def _runs(times: list[float], others: list[float], places: int = 2) -> str:
    """Run times with the other load during each, and a warning when it was high."""
    text = ", ".join(f"{t:.{places}f} ({o:.1f})" for t, o in zip(times, others, strict=True))
    if max(others) > 0.25:
        text += " — WARNING: other processes were busy, figures are inflated"
    return text


# --- the baseline: one statement -------------------------------------------------------------

_BASELINE_TABLE = """
CREATE TABLE bench_baseline (
  entry_id integer PRIMARY KEY, contest_trade_id integer NOT NULL,
  theory numeric(9, 4), practical numeric(9, 4), total numeric(7, 2) NOT NULL, rank integer
)
"""

#: Per (entry, item) the mean of the judges' scores; per part the sum of the item marks (0-3
#: converted) scaled to 100; the weighted total to 2 places; RANK() by total, then practical, per
#: contest-trade. (Of the forms tried, the fastest here: ~1.1-1.4 s, with the server's defaults.)
_BASELINE = sa.text("""
INSERT INTO bench_baseline (entry_id, contest_trade_id, theory, practical, total, rank)
WITH pm AS (
  SELECT p.id AS part_id, p.contest_trade_id AS ct, p.kind = 'theory' AS th,
         sum(i.max_mark) AS top
  FROM scheme_part p JOIN scheme_item i ON i.part_id = p.id
  WHERE p.contest_trade_id = ANY(:ct_ids)
  GROUP BY p.id
), item AS (
  SELECT m.entry_id, m.item_id, avg(m.value) AS mean
  FROM mark m
  WHERE m.item_id IN (SELECT i.id FROM scheme_item i JOIN pm USING (part_id))
  GROUP BY m.entry_id, m.item_id
), parts AS (
  SELECT it.entry_id, pm.ct,
         round(sum(it.mean * CASE WHEN i.scale = 'ws3' THEN i.max_mark / 3 ELSE 1 END * 100
                   / pm.top) FILTER (WHERE pm.th), 4) AS theory,
         round(sum(it.mean * CASE WHEN i.scale = 'ws3' THEN i.max_mark / 3 ELSE 1 END * 100
                   / pm.top) FILTER (WHERE NOT pm.th), 4) AS practical
  FROM item it
  JOIN scheme_item i ON i.id = it.item_id
  JOIN pm ON pm.part_id = i.part_id
  GROUP BY it.entry_id, pm.ct
), total AS (
  SELECT entry_id, ct, theory, practical,
         round((coalesce(theory, 0) * c.theory_weight
                + coalesce(practical, 0) * c.practical_weight) / 100, 2) AS total
  FROM parts JOIN contest_trade c ON c.id = parts.ct
)
SELECT entry_id, ct, theory, practical, total,
       RANK() OVER (PARTITION BY ct ORDER BY total DESC, practical DESC NULLS LAST)
FROM total
""")


def time_baseline(engine, ct_ids: list[int]) -> tuple[float, int, list[float], list[float]]:
    """Median seconds of the statement (with its commit) after a warm-up; its rows; every run's
    seconds and the cores other processes kept busy meanwhile."""
    with engine.begin() as conn:
        conn.execute(sa.text(_BASELINE_TABLE))
    times, others, rows = [], [], 0
    with engine.connect() as meter_conn:
        meter = OtherLoad(meter_conn.execution_options(isolation_level="AUTOCOMMIT"))
        for n in range(RUNS + 1):
            with engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE bench_baseline"))
            meter.start()
            start = time.perf_counter()
            with engine.begin() as conn:
                rows = conn.execute(_BASELINE, {"ct_ids": ct_ids}).rowcount
            if n:
                times.append(time.perf_counter() - start)
                others.append(meter.cores(times[-1]))
    return statistics.median(times), rows, times, others


# --- ours: the worker ------------------------------------------------------------------------


def recompute_through_worker(poll, ct_ids: list[int], meter: OtherLoad) -> tuple[float, float, str]:
    """Create the job, queue it, wait for its end; returns (seconds from queueing, cores other
    processes kept busy meanwhile, job id)."""
    job = results_services.start_recompute(ct_ids, None, None)
    db.session.commit()
    job_id = job.id
    meter.start()
    start = time.perf_counter()
    queue_recompute(job_id, ct_ids)
    query = sa.text("SELECT state FROM job WHERE id = :id")
    deadline = start + JOB_TIMEOUT_S
    while time.perf_counter() < deadline:
        state = poll.execute(query, {"id": job_id}).scalar_one()
        if state in ("succeeded", "failed"):
            elapsed = time.perf_counter() - start
            if state == "failed":
                sys.exit(f"recompute job {job_id} failed (see the worker log)")
            return elapsed, meter.cores(elapsed), job_id
        time.sleep(0.01)
    sys.exit(f"recompute job {job_id} did not finish within {JOB_TIMEOUT_S} s")


def forget_pending_results(celery_app) -> None:
    """Stop waiting on the chords' task results while Redis can still be told.

    Celery's client keeps them in its backend; left there, each one's ``__del__`` at interpreter
    exit tries to unsubscribe from Redis and prints a traceback after the bench's last line.
    """
    backend = celery_app.backend
    for mapping in getattr(backend, "_pending_results", ()):
        for waiters in list(mapping.values()):
            for result in list(waiters.values()):
                backend.remove_pending_result(result)


def forget_queue(queue: str) -> None:
    """Remove the bench's own queue and its kombu bindings from Redis."""
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(queue, f"_kombu.binding.{queue}", f"_kombu.binding_permanent.{queue}")
    client.close()


def verify(season: Season, job_id: str, single_job_id: str) -> list[str]:
    """What is wrong with the stored results, in words; empty when all is there."""
    ids, problems = season.cts, []

    def count(model, *where) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    results = count(Result, Result.contest_trade_id.in_(ids))
    ranked = count(Result, Result.contest_trade_id.in_(ids), Result.rank.is_not(None))
    awarded = count(Result, Result.contest_trade_id.in_(ids), Result.award.is_not(None))
    advancing = count(Result, Result.contest_trade_id.in_(ids), Result.advances.is_(True))
    teams = count(TeamResult, TeamResult.contest_trade_id.in_(ids))
    honours = count(Honour, Honour.contest_trade_id.in_(ids))
    single = count(Result, Result.contest_trade_id == season.single_ct, Result.rank.is_not(None))
    print(
        f"check: {results} results ({ranked} ranked, {awarded} awarded, {advancing} advancing), "
        f"{teams} team results, {honours} honours; single contest-trade: {single} ranked"
    )
    if results != season.entries:
        problems.append(f"{results} result rows for {season.entries} entries")
    if ranked != season.entries:
        problems.append(f"{ranked} ranked of {season.entries}")
    if not teams or not advancing or not awarded or not honours:
        problems.append("no team results, advancement, awards or honours")
    if single != SINGLE_ENTRIES:
        problems.append(f"the single contest-trade has {single} ranked results")
    if season.marks != (season.entries + SINGLE_ENTRIES) * MARKS_PER_ENTRY:
        problems.append(f"{season.marks} marks loaded")
    # Theory items are measured by one judge, so there the baseline's mean is the app's mark:
    # both must give every entry the same theory score.
    differ = db.session.scalar(
        sa.text(
            "SELECT count(*) FROM result r JOIN bench_baseline b USING (entry_id)"
            " WHERE r.theory IS DISTINCT FROM b.theory"
        )
    )
    if differ:
        problems.append(f"{differ} theory scores differ from the baseline's")
    for jid in (job_id, single_job_id):
        job = db.session.get(Job, jid)
        if job.state != "succeeded" or (job.result or {}).get("refused") != {}:
            problems.append(f"job {jid}: {job.state}, refused {(job.result or {}).get('refused')}")
    return problems


# --- profile: the worker's path in this process ----------------------------------------------


class Phases:
    """Wall seconds per phase, and the SQL seconds inside each (statements timed on the engine)."""

    def __init__(self) -> None:
        self.wall: dict[str, float] = defaultdict(float)
        self.sql: dict[str, float] = defaultdict(float)
        self.statements: dict[str, float] = defaultdict(float)
        self.current: list[str] = []

    @contextmanager
    def phase(self, name: str):
        self.current.append(name)
        start = time.perf_counter()
        try:
            yield
        finally:
            self.wall[name] += time.perf_counter() - start
            self.current.pop()

    def wrap(self, module, attr: str, name: str):
        original = getattr(module, attr)

        def timed(*args, **kwargs):
            with self.phase(name):
                return original(*args, **kwargs)

        setattr(module, attr, timed)
        return original

    def listen(self, engine) -> None:
        @sa.event.listens_for(engine, "before_cursor_execute")
        def before(conn, cursor, statement, parameters, context, executemany):
            conn.info["bench_start"] = time.perf_counter()

        @sa.event.listens_for(engine, "after_cursor_execute")
        def after(conn, cursor, statement, parameters, context, executemany):
            spent = time.perf_counter() - conn.info.pop("bench_start")
            if self.current:
                self.sql[self.current[-1]] += spent
            words = statement.split()
            key = " ".join(words[:3]) if words[0] != "WITH" else "WITH … item marks"
            self.statements[key[:60]] += spent


def profile(season: Season) -> None:
    """Run the worker's path (chunks, then finish) here, timed by phase and under cProfile."""
    phases = Phases()
    phases.listen(db.engine)
    originals = [
        (results_inputs, "load", phases.wrap(results_inputs, "load", "compute: inputs.load")),
        (
            results_compute,
            "compute_trade",
            phases.wrap(results_compute, "compute_trade", "compute: compute_trade (Python)"),
        ),
        (
            results_compute,
            "problems_of",
            phases.wrap(results_compute, "problems_of", "compute: problems_of"),
        ),
        (results_compute, "write", phases.wrap(results_compute, "write", "compute: write")),
        (results_finish, "_stored", phases.wrap(results_finish, "_stored", "finish: _stored")),
        (results_finish, "_write", phases.wrap(results_finish, "_write", "finish: _write")),
    ]
    ct_ids = season.cts
    profiler = cProfile.Profile()
    try:
        start = time.perf_counter()
        profiler.enable()
        with phases.phase("chunks (services.chunks)"):
            groups = results_services.chunks(ct_ids)
        for group in groups:
            with phases.phase("compute (recompute_chunk)"):
                refused = results_compute.recompute(group)
            assert not refused, refused
            with phases.phase("compute: commit"):
                db.session.commit()
        with phases.phase("finish (finish_recompute)"):
            results_finish.finish(ct_ids)
        with phases.phase("finish: commit"):
            db.session.commit()
        profiler.disable()
        total = time.perf_counter() - start
    finally:
        for module, attr, original in originals:
            setattr(module, attr, original)
    print(f"\nprofile: the worker's path in one process, {len(groups)} chunks: {total:.2f} s")
    for name in sorted(phases.wall):
        wall, sql = phases.wall[name], phases.sql[name]
        print(f"  {name:36s} {wall:6.2f} s  (SQL in this phase itself {sql:5.2f} s)")
    print("  SQL by statement (all phases):")
    for key, spent in sorted(phases.statements.items(), key=lambda kv: -kv[1])[:12]:
        print(f"    {spent:6.2f} s  {key}")
    out = io.StringIO()
    pstats.Stats(profiler, stream=out).sort_stats("tottime").print_stats(25)
    print("\n".join(out.getvalue().splitlines()[:60]))


# --- main ------------------------------------------------------------------------------------


def main() -> None:
    """Build, measure, check, clean up; the last line holds the figures."""
    logging.basicConfig(level=logging.WARNING)
    want_profile = "--profile" in sys.argv[1:]
    instance = Path(tempfile.mkdtemp(prefix="jingsai-bench-rank-"))
    env = {
        **os.environ,
        **app_keys(),
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "JINGSAI_QUEUE": f"jingsai-bench-rank-{uuid.uuid4().hex[:8]}",
        "JINGSAI_INSTANCE": str(instance),
    }
    worker = None
    began = time.perf_counter()
    recreate_database(DATABASE_URL)
    try:
        migrate_database(env)
        start = time.perf_counter()
        season = build_season()
        engine = sa.create_engine(DATABASE_URL)
        build_s = time.perf_counter() - start
        print(
            f"built in {build_s:.1f} s: {len(season.cts)} contest-trades, "
            f"{season.entries} entries, {season.marks} marks (with the extra contest-trade of "
            f"{SINGLE_ENTRIES} entries)"
        )
        baseline_s, rows, runs, others = time_baseline(engine, season.cts)
        engine.dispose()
        print(
            f"baseline: one INSERT … SELECT of {rows} ranked totals: runs (other load, cores) "
            f"{_runs(runs, others, 3)}; median {baseline_s:.3f} s"
        )

        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
                **keys_config(env),
                "INSTANCE_DIR": str(instance),
                "CELERY": load_config(env)["CELERY"],
            }
        )
        logging.getLogger().setLevel(logging.WARNING)
        worker = start_worker(env, instance / "worker.log")
        with app.app_context():
            poll_engine = sa.create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
            with poll_engine.connect() as poll:
                meter = OtherLoad(poll, worker.pid)
                warm_s, _, _ = recompute_through_worker(poll, season.cts, meter)
                times, others, job_id = [], [], ""
                for _ in range(RUNS):
                    seconds, busy, job_id = recompute_through_worker(poll, season.cts, meter)
                    times.append(seconds)
                    others.append(busy)
                single, single_others, single_id = [], [], ""
                for _ in range(SINGLE_RUNS):
                    seconds, busy, single_id = recompute_through_worker(
                        poll, [season.single_ct], meter
                    )
                    single.append(seconds)
                    single_others.append(busy)
            poll_engine.dispose()
            recompute_s, single_s = statistics.median(times), statistics.median(single)
            print(
                f"recompute through the worker: warm-up {warm_s:.2f} s; runs (other load, "
                f"cores) {_runs(times, others)}; median {recompute_s:.2f} s"
            )
            print(
                f"one contest-trade of {SINGLE_ENTRIES} entries, lock → results: runs "
                f"{_runs(single, single_others, 3)}; median {single_s:.3f} s"
            )
            problems = verify(season, job_id, single_id)
            forget_pending_results(app.extensions["celery"])
            stop_process(worker)
            worker = None
            if want_profile:
                profile(season)
            db.session.remove()
            db.engine.dispose()
    finally:
        if worker is not None:
            stop_process(worker)
        recreate_database(DATABASE_URL, drop_only=True)
        forget_queue(env["JINGSAI_QUEUE"])
    print(f"worker log: {instance / 'worker.log'}; whole bench {time.perf_counter() - began:.0f} s")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    ratio = recompute_s / baseline_s
    verdict = "meets" if ratio <= 3 and single_s <= 1 else "misses"
    print(f"target ratio ≤ 3 and single_ct_s ≤ 1: {verdict}")
    print(
        f"recompute_s={recompute_s:.2f} baseline_s={baseline_s:.3f} ratio={ratio:.1f} "
        f"single_ct_s={single_s:.3f}"
    )
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()

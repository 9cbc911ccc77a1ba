"""Benchmark: a province's labour competition (劳动竞赛) scored and ranked through Celery workers,
against one hand-written SQL statement that computes the same scores.

Run from the repository root: ``.venv/bin/python bench/labour_periods.py``. It creates (and at
the end drops) a database of its own (``jingsai_bench_labour_<random>``, on the server of
DATABASE_URL, by default the local PostgreSQL) with ``flask db upgrade`` and loads with COPY a
province-sized year: 20,000 participants (units and work teams) × 12 monthly periods × 10
indicators (four ratios to target capped at 120 % or 110 %, two where lower is better; two
linear between a floor and the target; two ranked among the participants) = about 2.35 million
figures of accepted reports. Some participants miss a month (no report: every figure missing,
0), some reports are not accepted (not counted), and some periods hold a veto incident (一票否决)
that zeroes the participant's month.

The worker path is the product's: the organiser's scoring job, one task per month in a chord on
a Celery worker (``-c 2``, a queue of its own, REDIS_URL default Redis database 10) that reads the
month's accepted figures in one query, scores them with the pure rules
(``competitions.labour.rules``), writes each participant's indicator scores, total and rank as
``labour_score``/``result`` rows with a ``result_set``, then the running total. It is timed from
queueing to the job's finished state, twice (the second run replaces the first's rows; the
median is reported).

The baseline is one SQL statement (data-modifying CTEs) computing, from the same rows, each
indicator's achievement and score (6 and 4 places, half up), each month's total (2 places), the
veto, the ranks with shared places, the running total and its ranks, and writing the indicator
scores and the totals into two tables. After both ran every indicator score, total and rank of
the 260,000 standings is compared; ``equal=1`` only when all agree. The last line holds the
figures.
"""

import logging
import os
import statistics
import sys
import tempfile
import time
import uuid
from pathlib import Path
from random import Random

import psycopg
import redis
import sqlalchemy as sa
from _common import (
    ROOT,
    app_keys,
    keys_config,
    migrate_database,
    own_database_url,
    recreate_database,
    start_worker,
    stop_process,
)

sys.path.insert(0, str(ROOT))

from app import create_app
from competitions.core.config import load_config
from competitions.core.db import db
from competitions.core.jobs import create_job
from competitions.labour.tasks import KIND, queue_score

#: A database of the bench's own on the server of DATABASE_URL (never the one named there).
DATABASE_URL = own_database_url("jingsai_bench_labour")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/10")
PARTICIPANTS, PERIODS = 20_000, 12
#: (name, measure, direction, target, scoring, cap, floor): weights 10 each.
INDICATORS = [
    ("产量", "吨", "higher", 1000, "ratio", 120, None),
    ("产值", "万元", "higher", 500, "ratio", 120, None),
    ("劳动生产率", "万元/人", "higher", 80, "ratio", 110, None),
    ("创新成果", "项", "higher", 4, "ratio", 120, None),
    ("能耗", "吨标煤", "lower", 300, "ratio", 120, None),
    ("成本", "万元", "lower", 200, "ratio", 110, None),
    ("一次合格率", "%", "higher", 99, "linear", None, 95),
    ("返工率", "%", "lower", 1, "linear", None, 5),
    ("安全隐患", "项", "lower", 0, "rank", None, None),
    ("合理化建议", "条", "higher", 0, "rank", None, None),
]
#: Shares: a participant missing a month; a report not accepted; a zeroing veto in a month.
MISSING, NOT_ACCEPTED, VETOED = 0.02, 0.01, 0.002
RUNS = 2
JOB_TIMEOUT_S = 240
STAMP = "2026-01-31 08:00:00"


def _copy(cur, table: str, columns: tuple[str, ...], lines) -> int:
    """COPY text lines (tab-separated, ``\\N`` for NULL) into ``table``; returns the row count."""
    count, buffer = 0, []
    with cur.copy(f"COPY {table} ({', '.join(columns)}) FROM STDIN") as copy:
        for line in lines:
            buffer.append(line)
            count += 1
            if len(buffer) >= 50000:
                copy.write("".join(buffer))
                buffer.clear()
        if buffer:
            copy.write("".join(buffer))
    return count


def _figure(rng: Random, target: float, scoring: str, measure: str) -> str:
    """A plausible figure around the target (never negative), with at most 2 decimals."""
    if scoring == "rank":
        return str(rng.randint(0, 12))
    if measure == "%":
        return f"{rng.uniform(93, 100) if target > 50 else rng.uniform(0, 7):.2f}"
    return f"{max(0.0, rng.gauss(target, target * 0.15)):.2f}"


def build(env: dict) -> tuple[int, list[int], int, int]:
    """The competition with COPY in one transaction; returns (competition, period ids, total
    id, figures)."""
    rng = Random(16)
    url = DATABASE_URL.replace("postgresql+psycopg", "postgresql")
    with psycopg.connect(url) as conn, conn.cursor() as cur:
        cur.execute(
            "INSERT INTO contest (code, name, year, tier, starts_on, ends_on, created_at) "
            "VALUES ('SD-LD-2026', '2026年山东省劳动竞赛', 2026, 'province', '2026-01-01', "
            f"'2026-12-31', '{STAMP}') RETURNING id"
        )
        contest = cur.fetchone()[0]
        cur.execute(
            "INSERT INTO labour_competition (contest_id, name, period_kind, year, commend_top, "
            f"commendation, created_at) VALUES ({contest}, '全省劳动竞赛', 'month', 2026, 100, "
            f"'labour_model', '{STAMP}') RETURNING id"
        )
        comp = cur.fetchone()[0]
        for n, (name, measure, direction, target, scoring, cap, floor) in enumerate(INDICATORS):
            cur.execute(
                "INSERT INTO labour_indicator (competition_id, position, name, measure, direction,"
                " target, weight, scoring, cap, floor) VALUES (%s, %s, %s, %s, %s, %s, 10, %s, "
                "%s, %s)",
                (comp, n + 1, name, measure, direction, target, scoring, cap or 120, floor),
            )
        cur.execute(
            "INSERT INTO labour_veto (competition_id, name, effect) VALUES (%s, '重大安全事故', "
            "'zero') RETURNING id",
            (comp,),
        )
        veto = cur.fetchone()[0]
        cur.execute("SELECT id, scoring, target::float, measure FROM labour_indicator ORDER BY id")
        indicators = cur.fetchall()
        # Periods: the running total (position 0) and 12 months; assessment ids 1..13.
        periods = list(range(1, PERIODS + 2))
        _copy(
            cur,
            "assessment",
            ("id", "kind", "contest_id"),
            (f"{a}\tlabour_period\t{contest}\n" for a in periods),
        )
        _copy(
            cur,
            "labour_period",
            (
                "id",
                "contest_id",
                "competition_id",
                "position",
                "label",
                "is_open",
                "notice_working_days",
                "appeal_window_hours",
            ),
            (
                f"{a}\t{contest}\t{comp}\t{a - 1}\t"
                f"{'累计' if a == 1 else f'2026-{a - 1:02d}'}\t{'t' if a == 1 else 'f'}\t5\t0\n"
                for a in periods
            ),
        )
        _copy(
            cur,
            "labour_participant",
            ("id", "competition_id", "name", "kind"),
            (f"{p}\t{comp}\t班组{p:05d}\twork_team\n" for p in range(1, PARTICIPANTS + 1)),
        )
        standing = {}
        n = 0
        for a in periods:
            for p in range(1, PARTICIPANTS + 1):
                n += 1
                standing[(a, p)] = n
        _copy(
            cur,
            "subject",
            ("id", "kind", "assessment_id"),
            (f"{s}\tlabour_standing\t{a}\n" for (a, _), s in standing.items()),
        )
        _copy(
            cur,
            "labour_standing",
            ("id", "period_id", "participant_id"),
            (f"{s}\t{a}\t{p}\n" for (a, p), s in standing.items()),
        )
        reports = []
        for a in periods[1:]:
            for p in range(1, PARTICIPANTS + 1):
                if rng.random() < MISSING:
                    continue
                state = "submitted" if rng.random() < NOT_ACCEPTED else "accepted"
                reports.append((len(reports) + 1, a, p, state))
        _copy(
            cur,
            "labour_report",
            ("id", "period_id", "participant_id", "state", "return_reason"),
            (f"{r}\t{a}\t{p}\t{state}\t\n" for r, a, p, state in reports),
        )
        figures = _copy(
            cur,
            "labour_figure",
            ("report_id", "indicator_id", "value", "correction_reason"),
            (
                f"{r}\t{i}\t{_figure(rng, target, scoring, measure)}\t\n"
                for r, *_ in reports
                for i, scoring, target, measure in indicators
            ),
        )
        incidents = {
            (a, rng.randint(1, PARTICIPANTS))
            for a in periods[1:]
            for _ in range(int(PARTICIPANTS * VETOED))
        }
        _copy(
            cur,
            "labour_incident",
            ("period_id", "participant_id", "veto_id", "note", "recorded_at"),
            (f"{a}\t{p}\t{veto}\t\t{STAMP}\n" for a, p in sorted(incidents)),
        )
        # Closed months are locked for scoring, as closing one does in the app.
        _copy(
            cur,
            "marking_lock",
            ("assessment_id", "locked", "locked_at"),
            (f"{a}\tt\t{STAMP}\n" for a in periods[1:]),
        )
        for table, column in (
            ("assessment", "id"),
            ("subject", "id"),
            ("labour_participant", "id"),
            ("labour_report", "id"),
        ):
            cur.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', '{column}'), "
                f"(SELECT max({column}) FROM {table}))"
            )
        conn.commit()
    with psycopg.connect(url, autocommit=True) as conn:
        conn.execute("VACUUM ANALYZE")
    return comp, periods[1:], periods[0], figures


# --- the baseline: one statement --------------------------------------------------------------

BASELINE = """
WITH fig AS (
    SELECT r.period_id, r.participant_id, f.indicator_id, f.value
    FROM labour_report r JOIN labour_figure f ON f.report_id = r.id
    WHERE r.state = 'accepted' AND r.period_id = ANY(:periods)
), ranked AS (
    SELECT fig.*, i.direction, i.scoring, i.target, i.weight, i.cap, i.floor,
           RANK() OVER (PARTITION BY fig.period_id, fig.indicator_id ORDER BY
                        CASE WHEN i.direction = 'higher' THEN -fig.value ELSE fig.value END) AS rk,
           COUNT(*) OVER (PARTITION BY fig.period_id, fig.indicator_id) AS n
    FROM fig JOIN labour_indicator i ON i.id = fig.indicator_id
), achieved AS (
    SELECT period_id, participant_id, indicator_id, weight, ROUND(CASE scoring
        WHEN 'ratio' THEN LEAST(GREATEST(CASE WHEN direction = 'higher' THEN value / target
                                              WHEN value = 0 THEN cap / 100
                                              ELSE target / value END, 0), cap / 100)
        WHEN 'linear' THEN LEAST(GREATEST(CASE WHEN direction = 'higher'
                                               THEN (value - floor) / (target - floor)
                                               ELSE (floor - value) / (floor - target) END, 0), 1)
        ELSE CASE WHEN n = 1 THEN 1 ELSE (n - rk)::numeric / (n - 1) END END, 6) AS a
    FROM ranked
), cells AS (
    SELECT st.period_id, st.participant_id, i.id AS indicator_id,
           COALESCE(ROUND(ac.weight * ac.a, 4), 0) AS score, ac.a IS NULL AS missing
    FROM labour_standing st
    JOIN labour_indicator i ON i.competition_id = :comp
    LEFT JOIN achieved ac ON ac.period_id = st.period_id
         AND ac.participant_id = st.participant_id AND ac.indicator_id = i.id
    WHERE st.period_id = ANY(:periods)
), parts AS (
    INSERT INTO bench_score SELECT * FROM cells RETURNING period_id, participant_id, score
), totals AS (
    SELECT p.period_id, p.participant_id,
           CASE WHEN EXISTS (
               SELECT 1 FROM labour_incident inc JOIN labour_veto v ON v.id = inc.veto_id
               WHERE inc.period_id = p.period_id AND inc.participant_id = p.participant_id
                 AND v.effect = 'zero') THEN 0.00 ELSE ROUND(SUM(p.score), 2) END AS total
    FROM parts p GROUP BY p.period_id, p.participant_id
), running AS (
    SELECT :total_id AS period_id, participant_id, ROUND(SUM(total), 2) AS total
    FROM totals GROUP BY participant_id
), everything AS (
    SELECT * FROM totals UNION ALL SELECT * FROM running
)
INSERT INTO bench_total
SELECT period_id, participant_id, total,
       RANK() OVER (PARTITION BY period_id ORDER BY total DESC)
FROM everything
"""


def time_baseline(engine, comp: int, periods: list[int], total_id: int) -> list[float]:
    times = []
    with engine.begin() as conn:
        conn.execute(
            sa.text(
                "CREATE UNLOGGED TABLE bench_score (period_id int, participant_id int, "
                "indicator_id int, score numeric(9, 4), missing bool)"
            )
        )
        conn.execute(
            sa.text(
                "CREATE UNLOGGED TABLE bench_total (period_id int, participant_id int, "
                "total numeric(7, 2), rank int)"
            )
        )
    for _ in range(RUNS):
        with engine.begin() as conn:
            conn.execute(sa.text("TRUNCATE bench_score, bench_total"))
        start = time.perf_counter()
        with engine.begin() as conn:
            conn.execute(
                sa.text(BASELINE), {"periods": periods, "comp": comp, "total_id": total_id}
            )
        times.append(time.perf_counter() - start)
    return times


# --- ours: the worker -------------------------------------------------------------------------


def score_through_worker(poll, comp: int, periods: list[int]) -> float:
    """Create the job, queue the chord, wait for the job's end; seconds from queueing."""
    job = create_job(KIND, None, None)
    db.session.commit()
    job_id = job.id
    start = time.perf_counter()
    queue_score(job_id, comp, periods)
    query = sa.text("SELECT state FROM job WHERE id = :id")
    while time.perf_counter() < start + JOB_TIMEOUT_S:
        state = poll.execute(query, {"id": job_id}).scalar_one()
        if state in ("succeeded", "failed"):
            if state == "failed":
                sys.exit(f"scoring job {job_id} failed (see the worker log)")
            return time.perf_counter() - start
        time.sleep(0.02)
    sys.exit(f"scoring job {job_id} did not finish within {JOB_TIMEOUT_S} s")


def differences(engine) -> tuple[int, int, int]:
    """(totals or ranks that differ, indicator scores that differ, rows compared)."""
    with engine.connect() as conn:
        totals = conn.execute(
            sa.text(
                "SELECT count(*) FROM bench_total b "
                "JOIN labour_standing st ON st.period_id = b.period_id "
                "     AND st.participant_id = b.participant_id "
                "FULL JOIN result r ON r.subject_id = st.id "
                "WHERE r.total IS DISTINCT FROM b.total OR r.rank IS DISTINCT FROM b.rank"
            )
        ).scalar_one()
        scores = conn.execute(
            sa.text(
                "SELECT count(*) FROM bench_score b "
                "JOIN labour_standing st ON st.period_id = b.period_id "
                "     AND st.participant_id = b.participant_id "
                "FULL JOIN labour_score s ON s.subject_id = st.id "
                "     AND s.indicator_id = b.indicator_id "
                "WHERE s.score IS DISTINCT FROM b.score OR s.missing IS DISTINCT FROM b.missing"
            )
        ).scalar_one()
        rows = conn.execute(sa.text("SELECT count(*) FROM bench_total")).scalar_one()
    return totals, scores, rows


def forget_pending_results(celery_app) -> None:
    backend = celery_app.backend
    for mapping in getattr(backend, "_pending_results", ()):
        for waiters in list(mapping.values()):
            for result in list(waiters.values()):
                backend.remove_pending_result(result)


def forget_queue(queue: str) -> None:
    client = redis.Redis.from_url(REDIS_URL)
    client.delete(queue, f"_kombu.binding.{queue}")
    client.close()


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    instance = Path(tempfile.mkdtemp(prefix="jingsai-bench-labour-"))
    env = {
        **os.environ,
        **app_keys(),
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "JINGSAI_QUEUE": f"jingsai-bench-labour-{uuid.uuid4().hex[:8]}",
        "JINGSAI_INSTANCE": str(instance),
    }
    worker = None
    began = time.perf_counter()
    recreate_database(DATABASE_URL)
    try:
        migrate_database(env)
        start = time.perf_counter()
        comp, periods, total_id, figures = build(env)
        print(
            f"built in {time.perf_counter() - start:.1f} s: {PARTICIPANTS} participants × "
            f"{len(periods)} periods × {len(INDICATORS)} indicators, {figures} figures"
        )
        engine = sa.create_engine(DATABASE_URL)
        baseline = time_baseline(engine, comp, periods, total_id)
        baseline_s = statistics.median(baseline)
        print(f"baseline: one statement, runs {', '.join(f'{t:.2f}' for t in baseline)} s")
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
                **keys_config(env),
                "INSTANCE_DIR": str(instance),
                "CELERY": load_config(env)["CELERY"],
            }
        )
        logging.getLogger().setLevel(logging.WARNING)
        with app.app_context():
            worker = start_worker(env, instance / "worker.log", 2)
            poll_engine = sa.create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
            with poll_engine.connect() as poll:
                runs = [score_through_worker(poll, comp, periods) for _ in range(RUNS)]
            poll_engine.dispose()
            compute_s = statistics.median(runs)
            print(f"worker (2 processes): runs {', '.join(f'{t:.2f}' for t in runs)} s")
            forget_pending_results(app.extensions["celery"])
            stop_process(worker)
            worker = None
            db.session.remove()
            db.engine.dispose()
        totals, scores, rows = differences(engine)
        engine.dispose()
    finally:
        if worker is not None:
            stop_process(worker)
        recreate_database(DATABASE_URL, drop_only=True)
        forget_queue(env["JINGSAI_QUEUE"])
    equal = totals == 0 and scores == 0 and rows == PARTICIPANTS * (PERIODS + 1)
    print(
        f"compared {rows} totals and ranks ({totals} differ) and their indicator scores "
        f"({scores} differ); whole bench {time.perf_counter() - began:.0f} s"
    )
    print(
        f"compute_s={compute_s:.2f} baseline_s={baseline_s:.2f} "
        f"ratio={compute_s / baseline_s:.1f} equal={int(equal)}"
    )


if __name__ == "__main__":
    main()

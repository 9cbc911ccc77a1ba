"""Benchmark: a national recompute of results through Celery workers, against one hand-written
SQL statement that computes the same numbers.

Run from the repository root: ``.venv/bin/python bench/rankings.py [--profile]``. It creates
(and at the end drops) a database of its own (``jingsai_bench_rank_<random>``, on the server of
DATABASE_URL, by default the local PostgreSQL) with ``flask db upgrade``, and loads with COPY a
national-scale season: 10 provincial contests × 50 trades = 500 contest-trades feeding a
national contest that offers every trade, 200 entries each (100,000 entries in 30 delegations
per contest), a scheme of 6 items per contest-trade (theory: 2 measured; practical: 3 measured +
1 WorldSkills judgement by 5 judges, trimmed mean), so 10 marks per entry and about 1,000,000
marks; every marking is locked. The season looks like a contest: marks on a coarse grid (whole
marks, 0-3 judgements), so totals tie and the chain (practical, time used, theory) has work to
do; time used in whole minutes; some entries absent (no marks), withdrawn or disqualified;
trades award by proportion, by fixed counts with 优胜奖, or by medals; one trade has "no shared
ranks for medal places" with the chief judge's order stored. One more contest-trade of 600
entries measures the lock → results latency.

The baseline is one ``INSERT … SELECT`` computing, from the same rows, what the product
computes for every entry: each item's aggregate by its own method (trimmed mean, mean, …) to 4
places, 0-3 judgements converted, part sums scaled to 100 (4 places), weighted totals (2
places, half up), ranks with the whole tie-break chain and the medal-place order, statuses
(absent, withdrawn, disqualified unranked), awards by each trade's mode and minimum. The
product does more (team results, advancement, honours, result sets, cache): that is its cost.
After both ran, every total, part score, rank and award of the 100,000 entries is compared;
``equal=1`` only when all agree.

It times (medians of 3, after a warm-up) the baseline and the app's full recompute through a
Celery worker (``-c 2``, a queue of its own, REDIS_URL default Redis database 13), from
queueing to the job's finished state, with the CPU seconds each side used (the worker's
processes and the database's backends). Then the same recompute with 1, 2 and 4 worker
processes (scale-out). With ``--profile`` it then runs the worker's path in this process,
phase by phase, under cProfile. The last line holds the figures.
"""

import cProfile
import io
import json
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
    own_database_url,
    recreate_database,
    start_worker,
    stop_process,
)

sys.path.insert(0, str(ROOT))

from app import create_app
from competitions.core.config import load_config
from competitions.core.crypto import keyring_of
from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.results import services as results_services
from competitions.results.models import Honour, Result, TeamResult
from competitions.results.services import compute as results_compute
from competitions.results.services import finish as results_finish
from competitions.results.services import inputs as results_inputs
from competitions.results.tasks import queue_recompute

#: A database of the bench's own on the server of DATABASE_URL (never the one named there).
DATABASE_URL = own_database_url("jingsai_bench_rank")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
CONTESTS, TRADES, ENTRIES_PER_CT = 10, 50, 200
DELEGATIONS_PER_CONTEST, JUDGES = 30, 5
SINGLE_ENTRIES = 600
RUNS, SINGLE_RUNS, SCALE_RUNS = 3, 5, 2
#: Worker processes of the scale-out runs.
SCALE_OUT = (1, 2, 4)
JOB_TIMEOUT_S = 120
#: Entry statuses drawn for the season (the rest approved): absent entries have no marks.
STATUS_SHARES = (("absent", 0.02), ("withdrawn", 0.01), ("disqualified", 0.005))
#: Awards by trade number: most by proportion; every 10th by fixed counts with 优胜奖, every
#: 10th + 1 by medals.
FIXED = {"award_mode": "fixed", "award_numbers": "2,4,6", "honourable_mentions": "t"}
MEDALS = {"award_mode": "medals", "award_numbers": ""}
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
        self.no_shared_ct: int = 0
        self.entries = 0
        self.marks = 0
        self.statuses: dict[str, int] = defaultdict(int)


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


def build_season(env: dict) -> Season:
    """Load the whole season with COPY in one transaction; then VACUUM ANALYZE. ID numbers and
    phones go in encrypted, with their keyed hashes, under the keys of ``env`` (as the app
    keeps them)."""
    season = Season()
    keys = keyring_of({"DATA_KEY": env["JINGSAI_DATA_KEY"], "INDEX_KEY": env["JINGSAI_INDEX_KEY"]})
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
        season.no_shared_ct = next(ct for ct, c, t in cts if c == 2 and t == 3)
        # A contest-trade is an assessment (the supertable first, the same id).
        _copy(
            cur,
            "assessment",
            ("id", "kind", "contest_id"),
            (f"{ct}\tcontest_trade\t{c}\n" for ct, c, _ in cts),
        )
        _copy(
            cur,
            "contest_trade",
            ("id", "contest_id", "trade_id", *CT_DEFAULTS),
            _ct_lines(cts, season.no_shared_ct),
        )
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
            ("id", "assessment_id", "kind", "name", "scale_to_100"),
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
                f"{i}\t{p}\t{pos}\t{code}\t{code}\t\t{kind}\t{mx}\t{scale}\t1"
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
                "id_number_hash",
                "unit_id",
                "skill_level",
                "phone",
                "created_at",
            ),
            (
                f"{e}\t选手{e}\t{'MF'[e % 2]}\t{1970 + e % 30}-0{1 + e % 9}-1{e % 10}"
                f"\tpassport\t{keys.encrypt_text(f'E{e:08d}')}\t{keys.lookup_hash(f'E{e:08d}')}"
                f"\t{delegations[(c, n % DELEGATIONS_PER_CONTEST)]}"
                f"\t{3 + e % 3}\t{keys.encrypt_text('')}\t{STAMP}\n"
                for e, ct, c, n in entries
            ),
        )
        status = {e: _status(rng) for e, _, _, _ in entries}
        for e, ct, _, _ in entries:
            if ct != season.single_ct:
                season.statuses[status[e]] += 1
        # An entry is a subject (the supertable first, the same id).
        _copy(
            cur,
            "subject",
            ("id", "kind", "assessment_id"),
            (f"{e}\tentry\t{ct}\n" for e, ct, _, _ in entries),
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
                f"{e}\t{e}\t{ct}\t{delegations[(c, n % DELEGATIONS_PER_CONTEST)]}\t{status[e]}"
                f"\t{60 * rng.randint(50, 120)}\t{STAMP}\n"
                for e, ct, c, n in entries
            ),
        )
        season.entries = len([e for e in entries if e[1] != season.single_ct])
        season.marks = _copy(
            cur,
            "mark",
            ("id", "subject_id", "item_id", "judge_id", "value", "source", "updated_at"),
            _mark_lines([e for e in entries if status[e[0]] != "absent"], by_ct, judges, rng),
        )
        # The chief judge's order for the medal places of the trade that shares none: every
        # entry of it, so any tie there is decided (here: later registration first).
        order = [e for e, ct, _, _ in reversed(entries) if ct == season.no_shared_ct]
        _copy(
            cur,
            "result_set",
            (
                "assessment_id",
                "state",
                "computed_at",
                "version",
                "ranked",
                "unranked",
                "undecided",
                "decided_order",
            ),
            [f"{season.no_shared_ct}\tdraft\t{STAMP}\t0\t0\t0\t{{}}\t{json.dumps(order)}\n"],
        )
        _copy(
            cur,
            "marking_lock",
            ("assessment_id", "locked", "locked_by", "locked_at"),
            (f"{ct}\tt\t{judges[ct][0]}\t{STAMP}\n" for ct in marked),
        )
        for table in (
            "trade",
            "contest",
            "assessment",
            "unit",
            "delegation",
            "user_account",
            "scheme_part",
            "scheme_item",
            "person",
            "subject",
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


def _ct_lines(cts, no_shared_ct: int):
    """Contest-trades at the model's defaults (30/70, 10/20/30 %, top 3), except: every 10th
    trade awards fixed counts with 优胜奖, the next one medals, and one shares no medal place."""
    for ct, contest, trade in cts:
        settings = dict(CT_DEFAULTS)
        settings.update(FIXED if trade % 10 == 0 else MEDALS if trade % 10 == 1 else {})
        if ct == no_shared_ct:
            settings["no_shared_medal_ranks"] = "t"
        yield f"{ct}\t{contest}\t{trade}\t" + "\t".join(settings.values()) + "\n"


def _status(rng: Random) -> str:
    """An entry's status: mostly approved; a few absent, withdrawn or disqualified."""
    draw = rng.random()
    for status, share in STATUS_SHARES:
        if draw < share:
            return status
        draw -= share
    return "approved"


def _mark_lines(entries, by_ct, judges, rng: Random):
    """Every mark, on a coarse grid (whole marks; 0-3 judgements) so that totals tie: an entry's
    skill drives its scores, with noise per item and per judge."""
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
                    value = f"{round(max_mark * x)}.00"
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

    def our_cpu(self) -> float:
        """CPU seconds this bench, the worker's processes and the database's backends used since
        ``start`` (processes born meanwhile count whole)."""
        ours = self._ours()
        return sum(v - self.before[1].get(pid, 0.0) for pid, v in ours.items())

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
  theory numeric(9, 4), practical numeric(9, 4), total numeric(7, 2) NOT NULL, rank integer,
  award varchar(20)
)
"""

#: The same numbers as the product, from the same rows, in one statement:
#: - per (entry, item): the judges' scores aggregated by the item's method (mean, trimmed mean,
#:   median, closest pair) to 4 places half up, 0-3 judgements converted (max × agg / 3);
#: - per entry and part: the sum of its item marks, scaled to 100 where the scheme says, 4
#:   places; an entry with no marks scores 0 in each part the scheme has;
#: - the total, theory × w_t + practical × w_p, to 2 places half up;
#: - ranks among the entries not absent, withdrawn or disqualified: total, then practical,
#:   time used (none last), theory; equal entries share the rank, except within the medal
#:   places of a trade that shares none, where the chief judge's stored order decides;
#: - awards by the trade's mode (proportion with its rounding, fixed counts, medals; 优胜奖 down
#:   to half the field), cumulative cut-offs, nothing below the minimum total.
_BASELINE = sa.text("""
INSERT INTO bench_baseline (entry_id, contest_trade_id, theory, practical, total, rank, award)
WITH s AS (
  SELECT m.subject_id AS entry_id, i.id AS item_id, p.kind, i.max_mark, i.scale, i.aggregation,
         count(*) AS n, sum(m.value) AS total, min(m.value) AS lo, max(m.value) AS hi,
         avg(m.value) AS mean, array_agg(m.value ORDER BY m.value) AS v
  FROM mark m
  JOIN scheme_item i ON i.id = m.item_id
  JOIN scheme_part p ON p.id = i.part_id
  WHERE p.assessment_id = ANY(:ct_ids)
  GROUP BY m.subject_id, i.id, p.kind
), item AS (
  SELECT entry_id, kind, scale, max_mark, round(CASE
    WHEN aggregation = 'mean' OR (aggregation = 'trimmed_mean' AND n < 3) THEN mean
    WHEN aggregation = 'trimmed_mean' THEN (total - lo - hi) / (n - 2)
    WHEN aggregation = 'closest_pair' AND n = 3 THEN CASE
      WHEN v[2] - v[1] < v[3] - v[2] THEN (v[1] + v[2]) / 2
      WHEN v[3] - v[2] < v[2] - v[1] THEN (v[2] + v[3]) / 2
      ELSE v[2] END
    WHEN n % 2 = 1 THEN v[n / 2 + 1]
    ELSE (v[n / 2] + v[n / 2 + 1]) / 2
  END, 4) AS agg
  FROM s
), sums AS (
  SELECT entry_id,
         sum(CASE WHEN scale = 'ws3' THEN round(max_mark * agg / 3, 4) ELSE agg END)
           FILTER (WHERE kind = 'theory') AS theory,
         sum(CASE WHEN scale = 'ws3' THEN round(max_mark * agg / 3, 4) ELSE agg END)
           FILTER (WHERE kind = 'practical') AS practical
  FROM item GROUP BY entry_id
), part AS (
  SELECT p.assessment_id AS ct, p.kind, bool_or(p.scale_to_100) AS scaled,
         sum(i.max_mark) AS top
  FROM scheme_part p JOIN scheme_item i ON i.part_id = p.id
  WHERE p.assessment_id = ANY(:ct_ids)
  GROUP BY p.assessment_id, p.kind
), scored AS (
  SELECT e.id AS entry_id, e.contest_trade_id AS ct, e.time_used_s AS time_used,
         e.status NOT IN ('withdrawn', 'disqualified', 'absent') AS ranked,
         CASE WHEN tp.ct IS NOT NULL THEN round(CASE WHEN tp.scaled AND tp.top > 0
           THEN coalesce(x.theory, 0) * 100 / tp.top ELSE coalesce(x.theory, 0) END, 4)
         END AS theory,
         CASE WHEN pp.ct IS NOT NULL THEN round(CASE WHEN pp.scaled AND pp.top > 0
           THEN coalesce(x.practical, 0) * 100 / pp.top ELSE coalesce(x.practical, 0) END, 4)
         END AS practical
  FROM entry e
  LEFT JOIN sums x ON x.entry_id = e.id
  LEFT JOIN part tp ON tp.ct = e.contest_trade_id AND tp.kind = 'theory'
  LEFT JOIN part pp ON pp.ct = e.contest_trade_id AND pp.kind = 'practical'
  WHERE e.contest_trade_id = ANY(:ct_ids)
), totalled AS (
  SELECT sc.*, round((coalesce(sc.theory, 0) * c.theory_weight
                      + coalesce(sc.practical, 0) * c.practical_weight) / 100, 2) AS total
  FROM scored sc JOIN contest_trade c ON c.id = sc.ct
), decided AS (
  SELECT rs.assessment_id AS ct, d.entry_id::integer AS entry_id, d.pos
  FROM result_set rs
  CROSS JOIN LATERAL json_array_elements_text(rs.decided_order) WITH ORDINALITY
    AS d(entry_id, pos)
  WHERE rs.assessment_id = ANY(:ct_ids)
), ranked AS (
  SELECT t.*, RANK() OVER w AS shared,
         ROW_NUMBER() OVER (PARTITION BY t.ct, t.total, coalesce(t.practical, 0),
                                         t.time_used, coalesce(t.theory, 0)
                            ORDER BY d.pos) - 1 AS decided_offset,
         count(*) OVER (PARTITION BY t.ct) AS field
  FROM totalled t
  LEFT JOIN decided d ON d.ct = t.ct AND d.entry_id = t.entry_id
  WHERE t.ranked
  WINDOW w AS (PARTITION BY t.ct ORDER BY t.total DESC, coalesce(t.practical, 0) DESC,
               t.time_used ASC NULLS LAST, coalesce(t.theory, 0) DESC)
), placed AS (
  SELECT r.entry_id, r.field,
         CASE WHEN c.no_shared_medal_ranks AND r.shared <= 3 THEN r.shared + r.decided_offset
              ELSE r.shared END AS rank
  FROM ranked r JOIN contest_trade c ON c.id = r.ct
), counted AS (
  SELECT c.id AS ct, c.award_mode AS mode, c.award_min_total AS min_total,
         c.honourable_mentions AS mentions, c.award_rounding AS rounding,
         nullif(split_part(c.award_numbers, ',', 1), '')::int AS n1,
         nullif(split_part(c.award_numbers, ',', 2), '')::int AS n2,
         nullif(split_part(c.award_numbers, ',', 3), '')::int AS n3
  FROM contest_trade c WHERE c.id = ANY(:ct_ids)
), fields AS (
  SELECT ct, count(*) AS f FROM totalled WHERE ranked GROUP BY ct
), level AS (
  SELECT c.ct, mode, min_total, mentions, CASE WHEN mode = 'proportion' THEN
    CASE rounding WHEN 'floor' THEN floor(f.f * n / 100.0) WHEN 'ceil' THEN ceil(f.f * n / 100.0)
                  ELSE round(f.f * n / 100.0) END ELSE n END AS k, which
  FROM counted c JOIN fields f ON f.ct = c.ct
  CROSS JOIN LATERAL (VALUES (1, c.n1), (2, c.n2), (3, c.n3)) AS l(which, n)
), cut AS (
  SELECT ct, mode, min_total, mentions,
         sum(k) FILTER (WHERE which = 1) AS c1,
         sum(k) FILTER (WHERE which <= 2) AS c2,
         sum(k) FILTER (WHERE which <= 3) AS c3
  FROM level GROUP BY ct, mode, min_total, mentions
)
SELECT t.entry_id, t.ct, t.theory, t.practical, t.total, p.rank,
       CASE WHEN p.rank IS NULL OR t.total < coalesce(k.min_total, t.total) THEN NULL
            WHEN k.mode = 'medals' THEN CASE WHEN p.rank <= 1 THEN 'gold'
              WHEN p.rank <= 2 THEN 'silver' WHEN p.rank <= 3 THEN 'bronze'
              WHEN p.rank <= p.field / 2 THEN 'mention' END
            WHEN p.rank <= k.c1 THEN 'first' WHEN p.rank <= k.c2 THEN 'second'
            WHEN p.rank <= k.c3 THEN 'third'
            WHEN k.mentions AND p.rank <= greatest(p.field / 2, k.c3) THEN 'mention'
       END
FROM totalled t
LEFT JOIN placed p ON p.entry_id = t.entry_id
LEFT JOIN cut k ON k.ct = t.ct
""")


def time_baseline(engine, ct_ids: list[int]) -> tuple[float, int, list[float], list[float], float]:
    """Median seconds of the statement (with its commit) after a warm-up; its rows; every run's
    seconds and the cores other processes kept busy meanwhile; the median CPU seconds of the
    database backend that ran it."""
    with engine.begin() as conn:
        conn.execute(sa.text(_BASELINE_TABLE))
    times, others, cpu, rows = [], [], [], 0
    with engine.connect() as meter_conn:
        meter = OtherLoad(meter_conn.execution_options(isolation_level="AUTOCOMMIT"))
        for n in range(RUNS + 1):
            with engine.begin() as conn:
                conn.execute(sa.text("TRUNCATE bench_baseline"))
            meter.start()
            start = time.perf_counter()
            with engine.begin() as conn:
                backend = conn.execute(sa.text("SELECT pg_backend_pid()")).scalar_one()
                used = cpu_seconds(backend)
                rows = conn.execute(_BASELINE, {"ct_ids": ct_ids}).rowcount
                used = cpu_seconds(backend) - used
            if n:
                times.append(time.perf_counter() - start)
                others.append(meter.cores(times[-1]))
                cpu.append(used)
    return statistics.median(times), rows, times, others, statistics.median(cpu)


# --- ours: the worker ------------------------------------------------------------------------


def recompute_through_worker(
    poll, ct_ids: list[int], meter: OtherLoad
) -> tuple[float, float, str, float]:
    """Create the job, queue it, wait for its end; returns (seconds from queueing, cores other
    processes kept busy meanwhile, job id, CPU seconds of ours: worker, backends, bench)."""
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
            return elapsed, meter.cores(elapsed), job_id, meter.our_cpu()
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


#: Every entry of the season whose stored result differs from the baseline's in any number.
_DIFFERENCES = sa.text("""
SELECT count(*) FROM entry e
LEFT JOIN result r ON r.subject_id = e.id
LEFT JOIN bench_baseline b ON b.entry_id = e.id
WHERE e.contest_trade_id = ANY(:ct_ids)
  AND (r.subject_id IS NULL OR b.entry_id IS NULL
       OR r.theory IS DISTINCT FROM b.theory OR r.practical IS DISTINCT FROM b.practical
       OR r.total IS DISTINCT FROM b.total OR r.rank IS DISTINCT FROM b.rank
       OR r.award IS DISTINCT FROM b.award)
""")

#: How much the chain had to do: entries sharing a rank, and entries whose total equals
#: another's in the same trade yet got a rank of their own (a tie the chain broke).
_TIES = sa.text("""
SELECT count(*) FILTER (WHERE same_rank > 1), count(*) FILTER (WHERE same_total > same_rank)
FROM (SELECT count(*) OVER (PARTITION BY assessment_id, rank) AS same_rank,
             count(*) OVER (PARTITION BY assessment_id, total) AS same_total
      FROM result WHERE assessment_id = ANY(:ct_ids) AND rank IS NOT NULL) r
""")


def verify(season: Season, job_id: str, single_job_id: str) -> tuple[list[str], int]:
    """What is wrong with the stored results, in words (empty when all is there), and how many
    entries' numbers differ from the baseline's."""
    ids, problems = season.cts, []

    def count(model, *where) -> int:
        return db.session.scalar(sa.select(sa.func.count()).select_from(model).where(*where))

    results = count(Result, Result.assessment_id.in_(ids))
    ranked = count(Result, Result.assessment_id.in_(ids), Result.rank.is_not(None))
    awarded = count(Result, Result.assessment_id.in_(ids), Result.award.is_not(None))
    advancing = count(Result, Result.assessment_id.in_(ids), Result.advances.is_(True))
    teams = count(TeamResult, TeamResult.contest_trade_id.in_(ids))
    honours = count(Honour, Honour.contest_trade_id.in_(ids))
    single = count(Result, Result.assessment_id == season.single_ct, Result.rank.is_not(None))
    shared, broken = db.session.execute(_TIES, {"ct_ids": ids}).one()
    differ = db.session.scalar(_DIFFERENCES, {"ct_ids": ids})
    unranked = sum(n for status, n in season.statuses.items() if status != "approved")
    print(
        f"check: {results} results ({ranked} ranked, {awarded} awarded, {advancing} advancing), "
        f"{teams} team results, {honours} honours; single contest-trade: {single} ranked; "
        f"statuses {dict(season.statuses)}; {shared} entries share a rank, {broken} ties on the "
        f"total broken by the chain; {differ} entries differ from the baseline"
    )
    if results != season.entries:
        problems.append(f"{results} result rows for {season.entries} entries")
    if ranked != season.entries - unranked:
        problems.append(f"{ranked} ranked of {season.entries - unranked} approved")
    if not teams or not advancing or not awarded or not honours:
        problems.append("no team results, advancement, awards or honours")
    if not shared or not broken:
        problems.append("the season has no shared ranks or no ties for the chain to break")
    single_entries = db.session.scalar(
        sa.text("SELECT count(*) FROM entry WHERE contest_trade_id = :ct AND status <> ALL(:out)"),
        {"ct": season.single_ct, "out": ["absent", "withdrawn", "disqualified"]},
    )
    if single != single_entries:
        problems.append(f"the single contest-trade has {single} ranked of {single_entries}")
    if differ:
        problems.append(f"{differ} entries' results differ from the baseline's")
    for jid in (job_id, single_job_id):
        job = db.session.get(Job, jid)
        if job.state != "succeeded" or (job.result or {}).get("refused") != {}:
            problems.append(f"job {jid}: {job.state}, refused {(job.result or {}).get('refused')}")
    return problems, differ


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
        season = build_season(env)
        engine = sa.create_engine(DATABASE_URL)
        build_s = time.perf_counter() - start
        print(
            f"built in {build_s:.1f} s: {len(season.cts)} contest-trades, "
            f"{season.entries} entries, {season.marks} marks (with the extra contest-trade of "
            f"{SINGLE_ENTRIES} entries)"
        )
        baseline_s, rows, runs, others, baseline_cpu = time_baseline(engine, season.cts)
        engine.dispose()
        print(
            f"baseline: one INSERT … SELECT of {rows} results: runs (other load, cores) "
            f"{_runs(runs, others, 3)}; median {baseline_s:.3f} s, {baseline_cpu:.2f} CPU s"
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
        with app.app_context():
            print(f"chunks of a national recompute: {len(results_services.chunks(season.cts))}")
            poll_engine = sa.create_engine(DATABASE_URL, isolation_level="AUTOCOMMIT")
            scale: dict[int, float] = {}
            with poll_engine.connect() as poll:
                for processes in (2, *(n for n in SCALE_OUT if n != 2)):
                    worker = start_worker(env, instance / "worker.log", processes)
                    meter = OtherLoad(poll, worker.pid)
                    warm_s = recompute_through_worker(poll, season.cts, meter)[0]
                    runs = RUNS if processes == 2 else SCALE_RUNS
                    times, others, cpu, job_id = [], [], [], ""
                    for _ in range(runs):
                        seconds, busy, job_id, used = recompute_through_worker(
                            poll, season.cts, meter
                        )
                        times.append(seconds)
                        others.append(busy)
                        cpu.append(used)
                    scale[processes] = statistics.median(times)
                    print(
                        f"recompute through {processes} worker processes: warm-up {warm_s:.2f} s;"
                        f" runs (other load, cores) {_runs(times, others)}; median "
                        f"{scale[processes]:.2f} s, {statistics.median(cpu):.2f} CPU s"
                    )
                    if processes == 2:
                        recompute_s, recompute_cpu = scale[2], statistics.median(cpu)
                        single, single_others, single_id = [], [], ""
                        for _ in range(SINGLE_RUNS):
                            seconds, busy, single_id, _ = recompute_through_worker(
                                poll, [season.single_ct], meter
                            )
                            single.append(seconds)
                            single_others.append(busy)
                        single_s = statistics.median(single)
                        print(
                            f"one contest-trade of {SINGLE_ENTRIES} entries, lock → results: runs "
                            f"{_runs(single, single_others, 3)}; median {single_s:.3f} s"
                        )
                        problems, differ = verify(season, job_id, single_id)
                    forget_pending_results(app.extensions["celery"])
                    stop_process(worker)
                    worker = None
            poll_engine.dispose()
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
    speedup = scale[1] / scale[2]
    verdict = "meets" if ratio <= 1.5 and speedup >= 1.6 and not differ else "misses"
    print(f"target ratio ≤ 1.5, equal=1, 2 workers ≥ 1.6× one: {verdict} ({speedup:.2f}×)")
    print(
        f"recompute_s={recompute_s:.2f} baseline_s={baseline_s:.3f} ratio={ratio:.1f} "
        f"equal={int(not differ)} "
        + " ".join(f"workers_{n}_s={scale[n]:.2f}" for n in SCALE_OUT)
        + f" recompute_cpu_s={recompute_cpu:.2f} baseline_cpu_s={baseline_cpu:.2f}"
        f" single_ct_s={single_s:.3f}"
    )
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()

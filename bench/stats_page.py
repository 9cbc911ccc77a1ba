"""Benchmark: the union's statistics page for a province-sized year, read from the figures the
workers keep, against counting the same figures from every entry as a page without them would.

Run from the repository root: ``.venv/bin/python bench/stats_page.py``. It creates a database of
its own (``jingsai_bench_stats_<random>``, on the server of DATABASE_URL, the local PostgreSQL
unless set; the database named there is never touched), ``flask db upgrade``s it, drops it at
the end, and loads one year of a province (COPY and INSERT … SELECT, in about a minute): the
province union, 16 city unions with 10 county unions each and 2,000 enterprises under the
counties; 100 provincial contests (organised by the province union, 5 trades each) and 5,000
lower contests (city, county and enterprise, organised across the tree, one trade each);
500,000 entries of 200,000 people; the provincial results published with awards, and 500
promotions granted; and 13,000 innovation contests (创新创效竞赛, each in a contest of its own:
10 provincial, the rest by city and county unions and enterprises) with four categories each
and 20 to 50 achievements each (~455,000, 1 in 25 a draft the figures leave out, most with a
claimed benefit in yuan), generated set-based in SQL (generate_series). Scaled: the seed
articles' 3.57 million results of 13,000 contests (~275 each) would take the load and every
count past the bench's five minutes on 2 cores; ~35 each keeps the contests at full count and
the achievements at an eighth. Achievements carry no team members nor attachments (the figures
do not count them).

A real Celery worker (2 processes) then counts the year's figures (``compute_s``: the task the
beat runs every minute when something changed), and the registrar's page is asked 100 times for
each of three trees (everything, the province union, a city union) through the app
(``page_ms_p99``). The baseline counts the same figures of the same trees straight from the
entries and achievements, as a page without the workers' figures would on every request
(``baseline_ms_p99``: ``services.count_year``, which counts every tree at once, so once in all
for the three trees: it takes tens of seconds). The bench checks that the
stored figures equal the counted ones, that the innovation contests, achievements and claimed
benefit stored and shown on the page for each tree equal a hand-written SQL count of the
innovation tables, and that there are 13,000 innovation contests in all. The last line:
``page_ms_p99=… baseline_ms_p99=… ratio=… compute_s=… rows=… entries=… innovation_contests=…
achievements=… benefit_yuan=… bench_s=… equal=1``.
"""

import logging
import os
import sys
import tempfile
import time
import uuid
from datetime import date
from pathlib import Path
from random import Random

import sqlalchemy as sa
from _common import (
    ROOT,
    app_keys,
    keys_config,
    migrate_database,
    own_database_url,
    percentile,
    recreate_database,
    start_worker,
    stop_process,
)

sys.path.insert(0, str(ROOT))

from flask_babel import gettext
from markupsafe import escape

from app import create_app
from competitions.accounts.models import User
from competitions.assessment.models import Assessment, Subject
from competitions.core.config import load_config
from competitions.core.crypto import keyring
from competitions.core.db import bulk_insert, db
from competitions.innovation.rules import CATEGORIES
from competitions.registry.models import Contest, ContestTrade, Entry, Person, Trade
from competitions.results.models import Honour, Promotion, Result, ResultSet
from competitions.stats import services, tasks
from competitions.stats.models import Figure
from competitions.units.models import Unit
from tests.factories import log_in

#: A database of the bench's own, named afresh each run on the server of DATABASE_URL (the
#: local PostgreSQL unless set): the one named there is never touched.
DATABASE_URL = own_database_url("jingsai_bench_stats")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
YEAR = 2026
CITIES, COUNTIES, ENTERPRISES = 16, 10, 2000
PROVINCIAL, LOWER = 100, 5000
PEOPLE, ENTRIES = 200_000, 500_000
PROMOTIONS = 500
#: Innovation contests, each with LOW..HIGH achievements (spread evenly, ~35 on average).
INNOVATION, ACHIEVEMENTS_LOW, ACHIEVEMENTS_HIGH = 13_000, 20, 50
PAGE_ASKS, BASELINE_ASKS = 100, 1
INDUSTRIES = ("机械", "电力", "化工", "建筑", "交通", "信息", "纺织", "冶金")


def load(rng: Random) -> dict:
    """The province's year, written with COPY; returns the trees the page is asked for."""
    province = Unit(name="山东省总工会", kind="union")
    db.session.add(province)
    db.session.flush()
    cities = [
        Unit(name=f"第{i + 1:02d}市总工会", kind="union", parent_id=province.id)
        for i in range(CITIES)
    ]
    db.session.add_all(cities)
    db.session.flush()
    counties = [
        Unit(name=f"{c.name}第{j + 1:02d}县总工会", kind="union", parent_id=c.id)
        for c in cities
        for j in range(COUNTIES)
    ]
    db.session.add_all(counties)
    db.session.flush()
    enterprises = [
        Unit(name=f"企业{k:04d}", kind="enterprise", parent_id=counties[k % len(counties)].id)
        for k in range(ENTERPRISES)
    ]
    db.session.add_all(enterprises)
    trades = [
        Trade(
            code=f"T{t:03d}", name_zh=f"工种{t}", name_en=f"Trade {t}", industry=INDUSTRIES[t % 8]
        )
        for t in range(200)
    ]
    db.session.add_all(trades)
    registrar = User(username="registrar", display_name="Registrar", is_registrar=True)
    registrar.set_password("bench-pass")
    db.session.add(registrar)
    db.session.flush()

    contests, organisers = [], []
    for i in range(PROVINCIAL):
        contests.append(("province", province.id, f"SD-{i:03d}"))
    lower_orgs = [("city", cities), ("county", counties), ("enterprise", enterprises)]
    for i in range(LOWER):
        tier, pool = lower_orgs[i % 3]
        contests.append((tier, pool[rng.randrange(len(pool))].id, f"L-{i:05d}"))
    bulk_insert(
        Contest,
        [
            {
                "id": n + 1,
                "code": code,
                "name": f"{code} 职工职业技能竞赛",
                "year": YEAR,
                "tier": tier,
                "organising_unit_id": org,
                "starts_on": date(YEAR, 5, 10),
                "ends_on": date(YEAR, 5, 12),
            }
            for n, (tier, org, code) in enumerate(contests)
        ],
    )
    organisers = {n + 1: tier for n, (tier, _, _) in enumerate(contests)}
    cts = []
    for contest_id, tier in organisers.items():
        for k in range(5 if tier == "province" else 1):
            cts.append((len(cts) + 1, contest_id, trades[(contest_id * 7 + k) % len(trades)].id))
    bulk_insert(
        Assessment, [{"id": i, "kind": "contest_trade", "contest_id": c} for i, c, _ in cts]
    )
    bulk_insert(ContestTrade, [{"id": i, "contest_id": c, "trade_id": t} for i, c, t in cts])

    cipher = keyring().encrypt_text("370102199001011234")
    all_units = [u.id for u in enterprises] + [u.id for u in counties]
    bulk_insert(
        Person,
        [
            {
                "id": p + 1,
                "name": f"选手{p}",
                "gender": "M",
                "birth_date": date(1990, 1, 1),
                "id_type": "resident",
                "id_number": cipher,
                "id_number_hash": f"{p:064x}",
                "unit_id": all_units[p % len(all_units)],
                "phone": cipher,
            }
            for p in range(PEOPLE)
        ],
    )
    provincial_cts = [i for i, c, _ in cts if organisers[c] == "province"]
    entries = []
    for e in range(ENTRIES):
        ct = provincial_cts[e % len(provincial_cts)] if e < 100_000 else rng.randrange(len(cts)) + 1
        entries.append(
            (e + 1, ct, rng.randrange(PEOPLE) + 1, "approved" if e % 50 else "withdrawn")
        )
    # One person once per contest-trade.
    seen, unique = set(), []
    for row in entries:
        if (row[1], row[2]) not in seen:
            seen.add((row[1], row[2]))
            unique.append(row)
    bulk_insert(
        Subject, [{"id": e, "kind": "entry", "assessment_id": ct} for e, ct, _, _ in unique]
    )
    bulk_insert(
        Entry,
        [{"id": e, "contest_trade_id": ct, "person_id": p, "status": s} for e, ct, p, s in unique],
    )
    bulk_insert(
        ResultSet,
        [
            {"assessment_id": ct, "state": "final", "decided_order": [], "undecided": {}}
            for ct in provincial_cts
        ],
    )
    awards = ("first", "second", "third")
    results = [
        {
            "subject_id": e,
            "assessment_id": ct,
            "total": 80,
            "rank": 1,
            "award": awards[e % 3] if e % 4 else None,
        }
        for e, ct, _, s in unique
        if ct in set(provincial_cts) and s == "approved"
    ]
    bulk_insert(Result, results)
    promoted = results[:PROMOTIONS]
    bulk_insert(
        Honour,
        [
            {
                "id": n + 1,
                "contest_trade_id": r["assessment_id"],
                "entry_id": r["subject_id"],
                "honour": "promotion",
                "state": "granted",
            }
            for n, r in enumerate(promoted)
        ],
    )
    person_of = {e: p for e, _, p, _ in unique}
    bulk_insert(
        Promotion,
        [
            {
                "honour_id": n + 1,
                "person_id": person_of[r["subject_id"]],
                "contest_trade_id": r["assessment_id"],
                "from_level": 4,
                "to_level": 3,
                "award": r["award"],
                "granted_on": date(YEAR, 11, 1),
            }
            for n, r in enumerate(promoted)
        ],
    )
    started = time.perf_counter()
    achievements = load_innovation(
        len(contests),
        province.id,
        [u.id for u in cities],
        [u.id for u in counties],
        [u.id for u in enterprises],
    )
    innovation_s = time.perf_counter() - started
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return {
        "everything": None,
        "province": province.id,
        "city": cities[0].id,
        "entries": len(unique),
        "achievements": achievements,
        "innovation_s": innovation_s,
    }


def load_innovation(
    first_id: int, province: int, cities: list[int], counties: list[int], enterprises: list[int]
) -> int:
    """The year's innovation contests, written set-based (INSERT … SELECT generate_series):
    each held in a contest of its own (ids after ``first_id``): 10 provincial, then a tenth by
    city unions, a fifth by county unions and the rest by enterprises; four categories each;
    ACHIEVEMENTS_LOW..ACHIEVEMENTS_HIGH achievements each from the enterprises, in every state
    (1 in 25 a draft, which the figures leave out), a claimed benefit up to 2 million yuan with
    fen (1 in 7 claims none). Returns how many achievements were written."""
    params = {
        "n": INNOVATION,
        "base": first_id,
        "year": YEAR,
        "province": province,
        "cities": cities,
        "counties": counties,
        "enterprises": enterprises,
    }

    def run(sql: str):
        return db.session.execute(sa.text(sql), params)

    run(
        f"""
        INSERT INTO contest (id, code, name, year, tier, organising_unit_id, starts_on, ends_on,
                             created_at)
        SELECT :base + g, 'CX-' || lpad(g::text, 5, '0'),
               'CX-' || lpad(g::text, 5, '0') || ' 职工创新成果竞赛', :year,
               CASE WHEN g <= 10 THEN 'province' WHEN g % 10 = 0 THEN 'city'
                    WHEN g % 10 IN (1, 2) THEN 'county' ELSE 'enterprise' END,
               CASE WHEN g <= 10 THEN :province
                    WHEN g % 10 = 0 THEN (CAST(:cities AS integer[]))[1 + g % {len(cities)}]
                    WHEN g % 10 IN (1, 2)
                        THEN (CAST(:counties AS integer[]))[1 + (g * 7) % {len(counties)}]
                    ELSE (CAST(:enterprises AS integer[]))[1 + (g * 13) % {len(enterprises)}] END,
               make_date(:year, 3, 1), make_date(:year, 10, 31), now()
        FROM generate_series(1, :n) AS g
        """
    )
    run("SELECT setval(pg_get_serial_sequence('contest', 'id'), :base + :n)")
    run(
        """
        INSERT INTO innovation_contest (id, contest_id, name, review_weight, defence_weight,
                                        is_open, created_at)
        SELECT g, :base + g, 'CX-' || lpad(g::text, 5, '0') || ' 职工创新成果竞赛', 60, 40,
               false, now()
        FROM generate_series(1, :n) AS g
        """
    )
    run("SELECT setval(pg_get_serial_sequence('innovation_contest', 'id'), :n)")
    categories = "ARRAY[" + ", ".join(f"'{c}'" for c in CATEGORIES) + "]"
    run(
        f"""
        INSERT INTO innovation_category (innovation_id, position, category, special, first,
                                         second, third)
        SELECT g, p, ({categories})[p + 1], 1, 5, 10, 30
        FROM generate_series(1, :n) AS g, generate_series(0, {len(CATEGORIES) - 1}) AS p
        """
    )
    spread = ACHIEVEMENTS_HIGH - ACHIEVEMENTS_LOW + 1
    written = run(
        f"""
        INSERT INTO innovation_submission (innovation_id, category, title, abstract, unit_id,
                                           benefit_yuan, state, return_reason, submitted_at)
        SELECT g, ({categories})[1 + (g + k) % {len(CATEGORIES)}],
               'CX-' || g || '-' || k || ' 技术革新成果', '',
               (CAST(:enterprises AS integer[]))[1 + (g * 31 + k * 7) % {len(enterprises)}],
               CASE WHEN k % 7 = 0 THEN NULL
                    ELSE ((g::bigint * 7919 + k * 104729) % 200000000) / 100.0 END,
               s.state, CASE WHEN s.state = 'returned' THEN '缺少附件' ELSE '' END,
               CASE WHEN s.state <> 'draft' THEN make_timestamp(:year, 6, 1, 9, 0, 0) END
        FROM generate_series(1, :n) AS g
        CROSS JOIN LATERAL generate_series(1, {ACHIEVEMENTS_LOW} + (g * 37) % {spread}) AS k
        CROSS JOIN LATERAL (
            SELECT CASE (g + 3 * k) % 25 WHEN 0 THEN 'draft' WHEN 1 THEN 'returned'
                        WHEN 2 THEN 'submitted' ELSE 'passed' END AS state
        ) AS s
        """
    ).rowcount
    return written


def innovation_counted_directly(scope: int | None) -> dict:
    """The tree's innovation contests, achievements (not drafts) and their claimed benefit in
    whole yuan, counted straight from the innovation tables by hand-written SQL."""
    found = db.session.execute(
        sa.text(
            """
            WITH RECURSIVE tree AS (
                SELECT id FROM unit WHERE id = :scope
                UNION ALL SELECT u.id FROM unit u JOIN tree ON u.parent_id = tree.id
            )
            SELECT count(DISTINCT ic.id),
                   count(s.id) FILTER (WHERE s.state <> 'draft'),
                   round(coalesce(sum(s.benefit_yuan) FILTER (WHERE s.state <> 'draft'), 0))
            FROM innovation_contest ic
            JOIN contest c ON c.id = ic.contest_id
            LEFT JOIN innovation_submission s ON s.innovation_id = ic.id
            WHERE c.year = :year
              AND (CAST(:scope AS integer) IS NULL
                   OR c.organising_unit_id IN (SELECT id FROM tree))
            """
        ),
        {"scope": scope, "year": YEAR},
    ).one()
    return {
        ("contest_kinds", "innovation"): found[0],
        ("innovations", ""): found[1],
        ("innovation_benefit", ""): int(found[2]),
    }


def counted_directly(counted: list[dict], scope: int | None) -> dict:
    """One tree's figures out of the year's counted from the entries (``services.count_year``,
    what a page would do: it counts every tree at once)."""
    out: dict[tuple[str, str], int] = {}
    for row in counted:
        if row["unit_id"] == scope:
            out[(row["measure"], row["dimension"])] = row["value"]
    return out


def stored(scope: int | None) -> dict:
    found = services.figures(YEAR, scope)
    return {(m, d): v for m, dims in found.by.items() for d, v in dims.items()}


def shown(page: str, label: str, value: int) -> bool:
    """Whether the page's headline figures show ``value`` under ``label``."""
    return f"<dt>{escape(label)}</dt><dd>{value}</dd>" in page


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    began = time.perf_counter()
    instance = Path(tempfile.mkdtemp(prefix="jingsai-bench-"))
    env = {
        **os.environ,
        **app_keys(),
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "JINGSAI_QUEUE": f"jingsai-bench-{uuid.uuid4().hex[:8]}",
        "JINGSAI_INSTANCE": str(instance),
    }
    worker = None
    wrong: list[str] = []
    try:
        recreate_database(DATABASE_URL)
        migrate_database(env)
        app = create_app(
            {
                "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
                **keys_config(env),
                # The bench's own client logs in without a form page first.
                "WTF_CSRF_ENABLED": False,
                "INSTANCE_DIR": str(instance),
                "CELERY": load_config(env)["CELERY"],
            }
        )
        logging.getLogger().setLevel(logging.WARNING)
        with app.app_context():
            started = time.perf_counter()
            trees = load(Random(2026))
            load_s = time.perf_counter() - started
            print(
                f"loaded in {load_s:.1f} s, the innovation contests in"
                f" {trees['innovation_s']:.1f} s ({trees['achievements']} achievements written,"
                " drafts among them)",
                flush=True,
            )
            worker = start_worker(env, instance / "worker.log")
            started = time.perf_counter()
            counted_years = tasks.refresh.delay(YEAR).get(timeout=240)
            compute_s = time.perf_counter() - started
            print(f"the worker counted the year in {compute_s:.1f} s", flush=True)
            assert counted_years == [YEAR], counted_years
            db.session.expire_all()
            rows = db.session.scalar(sa.select(sa.func.count()).select_from(Figure))
            with app.test_request_context():
                # The page's words in its default language (a new session's).
                labels = {
                    ("people", ""): gettext("Distinct people"),
                    ("contest_kinds", "innovation"): gettext("Innovation contests"),
                    ("innovations", ""): gettext("Innovation achievements"),
                    ("innovation_benefit", ""): gettext("Their claimed benefit (yuan)"),
                }

            client = app.test_client()
            assert log_in(client, "registrar", "bench-pass").status_code == 302
            page_ms, baseline_ms = [], []
            # The baseline: the year counted from the entries and achievements, as a page
            # without the workers' figures would on every request. One count holds every
            # tree's figures (the same work whichever tree is asked), so it is counted
            # BASELINE_ASKS times in all, not per tree: each takes tens of seconds.
            for _ in range(BASELINE_ASKS):
                start = time.perf_counter()
                counted = services.count_year(YEAR)
                baseline_ms.append((time.perf_counter() - start) * 1000)
            for name in ("everything", "province", "city"):
                scope = trees[name]
                query = f"?year={YEAR}" + (f"&unit={scope}" if scope else "")
                for _ in range(PAGE_ASKS):
                    start = time.perf_counter()
                    response = client.get("/statistics" + query)
                    page_ms.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.status_code
                page = response.get_data(as_text=True)
                direct = counted_directly(counted, scope)
                kept = stored(scope)
                if not kept or kept != direct:
                    wrong.append(f"{name}: the stored figures differ from the counted ones")
                innovation = innovation_counted_directly(scope)
                if name == "everything":
                    innovation_totals = innovation
                    if innovation[("contest_kinds", "innovation")] != INNOVATION:
                        wrong.append(f"{name}: {innovation} innovation contests, not {INNOVATION}")
                for key, value in {("people", ""): kept.get(("people", "")), **innovation}.items():
                    if not value:
                        wrong.append(f"{name}: no {key} to check")
                    if kept.get(key) != value:
                        wrong.append(f"{name}: {key} stored {kept.get(key)}, counted {value}")
                    if not shown(page, labels[key], value):
                        wrong.append(f"{name}: the page does not show {labels[key]} {value}")
                print(f"{name}: " + ", ".join(f"{labels[k]} {v}" for k, v in innovation.items()))
            db.session.remove()
            db.engine.dispose()
    finally:
        if worker is not None:
            stop_process(worker)
        recreate_database(DATABASE_URL, drop_only=True)
    if wrong:
        sys.exit("\n".join(wrong))
    page_p99 = percentile(sorted(page_ms), 99)
    base_p99 = percentile(sorted(baseline_ms), 99)
    print(f"loaded in {load_s:.1f} s; worker log: {instance / 'worker.log'}")
    print(
        f"page_ms_p99={page_p99:.1f} baseline_ms_p99={base_p99:.0f} "
        f"ratio={base_p99 / page_p99:.0f} compute_s={compute_s:.2f} rows={rows} "
        f"entries={trees['entries']} "
        f"innovation_contests={innovation_totals[('contest_kinds', 'innovation')]} "
        f"achievements={innovation_totals[('innovations', '')]} "
        f"benefit_yuan={innovation_totals[('innovation_benefit', '')]} "
        f"bench_s={time.perf_counter() - began:.0f} equal=1"
    )


if __name__ == "__main__":
    main()

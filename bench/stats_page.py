"""Benchmark: the union's statistics page for a province-sized year, read from the figures the
workers keep, against counting the same figures from every entry as a page without them would.

Run from the repository root: ``.venv/bin/python bench/stats_page.py``. It creates (and at the
end drops) the database named in DATABASE_URL (default ``jingsai_bench_stats`` on the local
PostgreSQL) with ``flask db upgrade``, and loads one year of a province (COPY, in a few seconds):
the province union, 16 city unions with 10 county unions each and 2,000 enterprises under the
counties; 100 provincial contests (organised by the province union, 5 trades each) and 5,000
lower contests (city, county and enterprise, organised across the tree, one trade each);
500,000 entries of 200,000 people; the provincial results published with awards, and 500
promotions granted. Innovation contests are not counted yet (that kind is not built).

A real Celery worker (2 processes) then counts the year's figures (``compute_s``: the task the
beat runs every minute when something changed), and the registrar's page is asked 100 times for
each of three trees (everything, the province union, a city union) through the app
(``page_ms_p99``). The baseline counts the same figures of the same trees straight from the
entries, as a page without the workers' figures would on every request (``baseline_ms_p99``,
3 times per tree: each takes seconds). The bench checks that the stored figures equal the
counted ones and that the page shows them. The last line: ``page_ms_p99=… baseline_ms_p99=…
ratio=… compute_s=… rows=… entries=… equal=1``.
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
    percentile,
    recreate_database,
    start_worker,
    stop_process,
)

sys.path.insert(0, str(ROOT))

from app import create_app
from competitions.accounts.models import User
from competitions.assessment.models import Assessment, Subject
from competitions.core.config import load_config
from competitions.core.crypto import keyring
from competitions.core.db import bulk_insert, db
from competitions.registry.models import Contest, ContestTrade, Entry, Person, Trade
from competitions.results.models import Honour, Promotion, Result, ResultSet
from competitions.stats import services, tasks
from competitions.stats.models import Figure
from competitions.units.models import Unit
from tests.factories import log_in

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jingsai_bench_stats"
)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
YEAR = 2026
CITIES, COUNTIES, ENTERPRISES = 16, 10, 2000
PROVINCIAL, LOWER = 100, 5000
PEOPLE, ENTRIES = 200_000, 500_000
PROMOTIONS = 500
PAGE_ASKS, BASELINE_ASKS = 100, 3
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
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return {
        "everything": None,
        "province": province.id,
        "city": cities[0].id,
        "entries": len(unique),
    }


def counted_directly(scope: int | None) -> dict:
    """The year's figures of one tree counted from the entries (what a page would do)."""
    out: dict[tuple[str, str], int] = {}
    for row in services.count_year(YEAR):
        if row["unit_id"] == scope:
            out[(row["measure"], row["dimension"])] = row["value"]
    return out


def stored(scope: int | None) -> dict:
    found = services.figures(YEAR, scope)
    return {(m, d): v for m, dims in found.by.items() for d, v in dims.items()}


def main() -> None:
    logging.basicConfig(level=logging.WARNING)
    recreate_database(DATABASE_URL)
    instance = Path(tempfile.mkdtemp(prefix="jingsai-bench-"))
    env = {
        **os.environ,
        **app_keys(),
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "JINGSAI_QUEUE": f"jingsai-bench-{uuid.uuid4().hex[:8]}",
        "JINGSAI_INSTANCE": str(instance),
    }
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
    worker = None
    try:
        with app.app_context():
            started = time.perf_counter()
            trees = load(Random(2026))
            load_s = time.perf_counter() - started
            print(f"loaded in {load_s:.1f} s", flush=True)
            worker = start_worker(env, instance / "worker.log")
            started = time.perf_counter()
            counted_years = tasks.refresh.delay(YEAR).get(timeout=240)
            compute_s = time.perf_counter() - started
            assert counted_years == [YEAR], counted_years
            db.session.expire_all()
            rows = db.session.scalar(sa.select(sa.func.count()).select_from(Figure))

            client = app.test_client()
            assert log_in(client, "registrar", "bench-pass").status_code == 302
            page_ms, baseline_ms, equal = [], [], True
            for name in ("everything", "province", "city"):
                scope = trees[name]
                query = f"?year={YEAR}" + (f"&unit={scope}" if scope else "")
                for _ in range(PAGE_ASKS):
                    start = time.perf_counter()
                    response = client.get("/statistics" + query)
                    page_ms.append((time.perf_counter() - start) * 1000)
                    assert response.status_code == 200, response.status_code
                page = response.get_data(as_text=True)
                for _ in range(BASELINE_ASKS):
                    start = time.perf_counter()
                    direct = counted_directly(scope)
                    baseline_ms.append((time.perf_counter() - start) * 1000)
                kept = stored(scope)
                equal = equal and kept == direct and bool(kept)
                people = kept[("people", "")]
                equal = equal and f"<dd>{people}</dd>" in page
            db.session.remove()
            db.engine.dispose()
    finally:
        if worker is not None:
            stop_process(worker)
        recreate_database(DATABASE_URL, drop_only=True)
    if not equal:
        sys.exit("the stored figures differ from the figures counted from the entries")
    page_p99 = percentile(sorted(page_ms), 99)
    base_p99 = percentile(sorted(baseline_ms), 99)
    print(f"loaded in {load_s:.1f} s; worker log: {instance / 'worker.log'}")
    print(
        f"page_ms_p99={page_p99:.1f} baseline_ms_p99={base_p99:.0f} "
        f"ratio={base_p99 / page_p99:.0f} compute_s={compute_s:.2f} rows={rows} "
        f"entries={trees['entries']} equal=1"
    )


if __name__ == "__main__":
    main()

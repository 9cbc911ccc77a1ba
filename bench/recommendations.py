"""Benchmark: the recommended-entries page of a provincial contest fed by 500 contests (many of
them held outside Jingsai) with 20,000 recommended entries, against one hand-written SQL
statement counting the same per source.

Run from the repository root: ``.venv/bin/python bench/recommendations.py``. It creates (and at
the end drops) a database of its own (``jingsai_bench_rec_<random>``, on the server of
DATABASE_URL, by default the local PostgreSQL), builds the contests, people and entries with
bulk inserts, then asks the page as the organiser (every source, then one source) and times the
summary the page shows. It checks that the summary equals the baseline's counts and that the
page lists its rows. The last line holds the figures; the target is ``page_ms_p99`` under 1000."""

import logging
import os
import sys
import tempfile
import time
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import (  # noqa: E402
    app_keys,
    keys_config,
    own_database_url,
    percentile,
    recreate_database,
)

from app import create_app  # noqa: E402
from competitions.accounts.models import ContestRole, User  # noqa: E402
from competitions.core.crypto import id_number_hash  # noqa: E402
from competitions.core.db import bulk_insert, db  # noqa: E402
from competitions.registry.models import Contest, ContestTrade, Entry, Person, Trade  # noqa: E402
from competitions.registry.rules import resident_id_check_char  # noqa: E402
from competitions.results.models import Result  # noqa: E402
from competitions.tiers.models import DirectRecommendation, OutsideContest  # noqa: E402
from competitions.tiers.services import recommend  # noqa: E402
from competitions.units.models import Unit  # noqa: E402
from tests.factories import log_in  # noqa: E402

SOURCES = 500
ENTRIES = 20_000
TRADES = [("6-20-01", "钳工"), ("6-20-02", "焊工"), ("6-04-01", "砌筑工"), ("4-04-05", "网络")]
#: Units recommending directly, and how many people each.
DIRECT_UNITS, DIRECT_EACH = 20, 10
ASKS = 30
#: A database of the bench's own on the server of DATABASE_URL (never the one named there).
DATABASE_URL = own_database_url("jingsai_bench_rec")
log = logging.getLogger("bench")

#: The baseline: the same counts per (trade, source, state) in one hand-written statement.
BASELINE = sa.text("""
SELECT up.contest_trade_id, src_ct.contest_id, d.unit_id, up.status, count(*)
FROM entry up
LEFT JOIN entry src ON src.id = up.source_entry_id
LEFT JOIN contest_trade src_ct ON src_ct.id = src.contest_trade_id
LEFT JOIN direct_recommendation d ON d.entry_id = up.id
JOIN contest_trade ct ON ct.id = up.contest_trade_id
WHERE ct.contest_id = :contest AND (up.source_entry_id IS NOT NULL OR d.entry_id IS NOT NULL)
GROUP BY 1, 2, 3, 4
""")


def resident_ids(count: int):
    """``count`` distinct valid resident IDs, 500 serials per birth day from 1975 on."""
    for i in range(count):
        birth = date(1975, 1, 1) + timedelta(days=i // 500)
        first17 = f"370102{birth:%Y%m%d}{i % 500 * 2 + 1:03d}"
        yield birth, first17 + resident_id_check_char(first17)


STATUSES = ["recommended"] * 7 + ["registered"] * 2 + ["returned"]


def build() -> tuple[int, int]:
    """The province, its 500 feeding contests, people, lower entries with results, and the
    recommended entries; returns (province id, organiser id)."""
    trades = [Trade(code=c, name_zh=zh, name_en=zh) for c, zh in TRADES]
    province = Contest(
        code="SD-BENCH",
        name="省赛",
        year=2019,
        tier="province",
        starts_on=date(2019, 9, 1),
        ends_on=date(2019, 9, 3),
    )
    user = User(username="organiser", display_name="Organiser")
    user.set_password("bench-pass")
    units = [Unit(name=f"推荐单位{i}") for i in range(DIRECT_UNITS)]
    db.session.add_all([*trades, province, user, *units])
    db.session.flush()
    db.session.add(ContestRole(user_id=user.id, contest_id=province.id, role="organiser"))
    upper = [
        ContestTrade(contest_id=province.id, trade_id=t.id, recommend_per_source=3) for t in trades
    ]
    lower_contests = [
        Contest(
            code=f"X-{i:03d}",
            name=f"第{i}县赛",
            year=2019,
            tier="county",
            starts_on=date(2019, 5, 1),
            ends_on=date(2019, 5, 2),
            parent_id=province.id,
        )
        for i in range(SOURCES)
    ]
    db.session.add_all([*upper, *lower_contests])
    db.session.flush()
    db.session.add_all(OutsideContest(contest_id=c.id) for c in lower_contests[::2])
    lower = [ContestTrade(contest_id=c.id, trade_id=t.id) for c in lower_contests for t in trades]
    db.session.add_all(lower)
    db.session.commit()

    direct = DIRECT_UNITS * DIRECT_EACH
    people = []
    for i, (birth, number) in enumerate(resident_ids(ENTRIES + direct)):
        people.append(
            {
                "name": f"选手{i:05d}",
                "gender": "M" if i % 2 else "F",
                "birth_date": birth,
                "id_type": "resident",
                "id_number": number,
                "id_number_hash": id_number_hash(number),
            }
        )
    person_ids = list(
        db.session.scalars(
            sa.insert(Person).returning(Person.id, sort_by_parameter_order=True), people
        )
    )
    # Each source sends 40 people, 10 per trade; each had a rank there.
    lower_rows = []
    for i in range(ENTRIES):
        source, trade = divmod(i, ENTRIES // SOURCES)
        ct = lower[source * len(trades) + trade % len(trades)]
        lower_rows.append(
            {"person_id": person_ids[i], "contest_trade_id": ct.id, "status": "approved"}
        )
    lower_ids = list(
        db.session.scalars(
            sa.insert(Entry).returning(Entry.id, sort_by_parameter_order=True), lower_rows
        )
    )
    bulk_insert(
        Result,
        [
            {
                "subject_id": e,
                "assessment_id": lower_rows[i]["contest_trade_id"],
                "total": 90 - (i % 10),
                "rank": i % 10 // len(trades) + 1,
                "advances": True,
            }
            for i, e in enumerate(lower_ids)
        ],
    )
    by_trade = {t.id: ct.id for t, ct in zip(trades, upper, strict=True)}
    lower_trade = {ct.id: ct.trade_id for ct in lower}
    upper_rows = [
        {
            "person_id": person_ids[i],
            "contest_trade_id": by_trade[lower_trade[lower_rows[i]["contest_trade_id"]]],
            "status": STATUSES[i % 10],
            "source_entry_id": lower_ids[i],
        }
        for i in range(ENTRIES)
    ]
    direct_rows = [
        {
            "person_id": person_ids[ENTRIES + i],
            "contest_trade_id": upper[i % len(upper)].id,
            "status": "recommended",
        }
        for i in range(direct)
    ]
    db.session.execute(sa.insert(Entry), upper_rows)
    direct_ids = list(
        db.session.scalars(
            sa.insert(Entry).returning(Entry.id, sort_by_parameter_order=True), direct_rows
        )
    )
    db.session.execute(
        sa.insert(DirectRecommendation),
        [
            {"entry_id": e, "unit_id": units[i // DIRECT_EACH].id, "recommended_by": user.id}
            for i, e in enumerate(direct_ids)
        ],
    )
    db.session.commit()
    db.session.execute(sa.text("ANALYZE"))
    db.session.commit()
    return province.id, user.id


def timed(fn, times: int) -> list[float]:
    """Milliseconds of each of ``times`` calls, sorted."""
    out = []
    for _ in range(times):
        start = time.perf_counter()
        fn()
        out.append((time.perf_counter() - start) * 1000)
    return sorted(out)


def main() -> None:
    """Build, ask, measure, check, clean up; the last line holds the figures."""
    logging.basicConfig(level=logging.WARNING)
    recreate_database(DATABASE_URL)
    instance = Path(tempfile.mkdtemp(prefix="jingsai-bench-"))
    env = {**os.environ, **app_keys()}
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
            **keys_config(env),
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_DIR": str(instance),
            "JINGSAI_PAGE_CACHE": False,
        }
    )
    logging.getLogger().setLevel(logging.WARNING)
    try:
        with app.app_context():
            db.create_all()
            start = time.perf_counter()
            province, _user = build()
            build_s = time.perf_counter() - start
            client = app.test_client()
            assert log_in(client, "organiser", "bench-pass").status_code == 302
            url = f"/contests/{province}/recommendations"
            first = client.get(url)
            assert first.status_code == 200, first.status_code
            page = first.get_data(as_text=True)
            listed = page.count('name="entry_ids"')

            def ask_page():
                assert client.get(url).status_code == 200

            page_ms = timed(ask_page, ASKS)
            one_source = f"{url}?source=c{province + 1}&status="
            source_ms = timed(lambda: client.get(one_source), ASKS // 3)
            summary_ms = timed(lambda: recommend.summary(province), ASKS)
            baseline_ms = timed(
                lambda: db.session.execute(BASELINE, {"contest": province}).all(), ASKS
            )
            summary = recommend.summary(province)
            baseline = db.session.execute(BASELINE, {"contest": province}).all()
            ours = {(r.ct_id, r.key): (r.recommended, r.accepted, r.returned) for r in summary.rows}
            theirs: dict = {}
            for ct_id, lower_contest, unit, status, n in baseline:
                counts = theirs.setdefault(
                    (ct_id, recommend.source_key(lower_contest, unit)), [0, 0, 0]
                )
                counts[0 if status == "recommended" else 2 if status == "returned" else 1] += n
            equal = ours == {k: tuple(v) for k, v in theirs.items()}
            rows = sum(sum(v) for v in ours.values())
            sources = len({k for _ct, k in ours})
            db.session.remove()
            db.engine.dispose()
    finally:
        recreate_database(DATABASE_URL, drop_only=True)
    if not equal or rows != ENTRIES + DIRECT_UNITS * DIRECT_EACH or listed != recommend.PAGE_SIZE:
        sys.exit(f"wrong: equal={equal} rows={rows} listed={listed}")
    print(f"built in {build_s:.1f} s; {sources} sources ({SOURCES} contests, {DIRECT_UNITS} units)")
    p50, p99 = percentile(page_ms, 50), percentile(page_ms, 99)
    summary_p50, baseline_p50 = percentile(summary_ms, 50), percentile(baseline_ms, 50)
    print(
        f"page_ms_p50={p50:.1f} page_ms_p99={p99:.1f} "
        f"source_page_ms_p99={percentile(source_ms, 99):.1f} summary_ms={summary_p50:.1f} "
        f"baseline_ms={baseline_p50:.1f} ratio={summary_p50 / baseline_p50:.2f} rows={rows} "
        f"sources={sources} equal={int(equal)}"
    )


if __name__ == "__main__":
    main()

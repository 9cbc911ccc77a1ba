"""Benchmark: a 10,000-row .xlsx import through the web upload and a real Celery worker.

Run from the repository root: ``.venv/bin/python bench/import_entries.py``. It creates (and at
the end drops) a database of its own (``jingsai_bench_<random>``, on the server of DATABASE_URL,
by default the local PostgreSQL), uses REDIS_URL (default Redis database 13) with a queue of its
own, and prints the end-to-end seconds against the seconds openpyxl needs just to read the same
file."""

import io
import logging
import os
import sys
import tempfile
import time
import uuid
from datetime import date, timedelta
from pathlib import Path

import sqlalchemy as sa
from openpyxl import Workbook, load_workbook

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from _common import (  # noqa: E402
    app_keys,
    keys_config,
    own_database_url,
    recreate_database,
    start_worker,
    stop_process,
)

from app import create_app  # noqa: E402
from competitions.accounts.models import ContestRole, User  # noqa: E402
from competitions.core.config import load_config  # noqa: E402
from competitions.core.db import db  # noqa: E402
from competitions.core.jobs import Job  # noqa: E402
from competitions.imports.services.parsing import COLUMNS  # noqa: E402
from competitions.registry.models import (  # noqa: E402
    Contest,
    ContestTrade,
    Delegation,
    Entry,
    Trade,
)
from competitions.registry.rules import resident_id_check_char  # noqa: E402
from competitions.units.models import Unit  # noqa: E402
from tests.factories import log_in  # noqa: E402

ROWS = 10_000
#: A database of the bench's own on the server of DATABASE_URL (never the one named there).
DATABASE_URL = own_database_url("jingsai_bench")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
TRADES = [
    ("6-20-01", "钳工", "Fitter"),
    ("6-20-02", "焊工", "Welder"),
    ("6-04-01", "砌筑工", "Bricklayer"),
    ("4-04-05", "网络与信息安全管理员", "Network security"),
]
UNITS = [f"山东第{i}机械厂" for i in range(1, 21)]
DELEGATIONS = [f"第{i}代表队" for i in range(1, 11)]
SKILLS = ["五级/初级工", "四级/中级工", "三级/高级工", "二级/技师", "一级/高级技师", None]
log = logging.getLogger("bench")


def resident_ids(count: int):
    """``count`` distinct valid resident IDs: birth dates from 1970 on, 500 serials per day."""
    for i in range(count):
        birth = date(1970, 1, 1) + timedelta(days=i // 500)
        first17 = f"370102{birth:%Y%m%d}{i % 500 * 2 + 1:03d}"
        yield first17 + resident_id_check_char(first17)


def workbook(count: int) -> bytes:
    """An import file of ``count`` sound rows with Chinese headers."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("报名表")
    sheet.append([c.zh for c in COLUMNS])
    for i, number in enumerate(resident_ids(count)):
        sheet.append(
            [
                f"选手{i:05d}",
                "居民身份证",
                number,
                None,
                None,
                UNITS[i % len(UNITS)],
                SKILLS[i % len(SKILLS)],
                f"138{i:08d}",
                TRADES[i % len(TRADES)][1],
                DELEGATIONS[i % len(DELEGATIONS)],
                "已报名" if i % 3 else "已审核",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def parse_only(data: bytes) -> float:
    """Seconds openpyxl (read-only, formulas kept) takes to read every row of the file."""
    start = time.perf_counter()
    book = load_workbook(io.BytesIO(data), read_only=True, data_only=False)
    rows = sum(1 for _ in book.worksheets[0].iter_rows(values_only=True))
    book.close()
    assert rows == ROWS + 1
    return time.perf_counter() - start


def build_contest() -> int:
    """A contest with its trades, units, delegations and an organiser; return the contest id."""
    units = [Unit(name=name) for name in UNITS]
    trades = [Trade(code=c, name_zh=zh, name_en=en) for c, zh, en in TRADES]
    contest = Contest(
        code="BENCH",
        name="基准测试大赛",
        year=2019,
        tier="province",
        starts_on=date(2019, 5, 10),
        ends_on=date(2019, 5, 12),
    )
    user = User(username="organiser", display_name="Organiser")
    user.set_password("bench-pass")
    db.session.add_all([*units, *trades, contest, user])
    db.session.flush()
    db.session.add_all([ContestTrade(contest_id=contest.id, trade_id=t.id) for t in trades])
    db.session.add_all([Delegation(contest_id=contest.id, name=n) for n in DELEGATIONS])
    db.session.add(ContestRole(user_id=user.id, contest_id=contest.id, role="organiser"))
    db.session.commit()
    return contest.id


def import_through_worker(app, contest_id: int, data: bytes) -> tuple[float, Job]:
    """Upload the file as the organiser and wait for its job; return (seconds, the job)."""
    client = app.test_client()
    # As an organiser does: the password, then the authenticator app's code (organisers have
    # two-step log-in).
    assert log_in(client, "organiser", "bench-pass").status_code == 302
    start = time.perf_counter()
    response = client.post(
        f"/contests/{contest_id}/import", data={"file": (io.BytesIO(data), "bench.xlsx")}
    )
    assert response.status_code == 303, response.status_code
    job_id = response.headers["Location"].rsplit("/", 1)[1]
    deadline = start + 240
    while time.perf_counter() < deadline:
        db.session.expire_all()
        job = db.session.get(Job, job_id)
        if job.state in ("succeeded", "failed"):
            return time.perf_counter() - start, job
        time.sleep(0.05)
    sys.exit(f"the import job {job_id} did not finish within 240 s")


def main() -> None:
    """Build, import, measure, clean up; the last line holds the figures."""
    logging.basicConfig(level=logging.WARNING)
    data = workbook(ROWS)
    parse_s = min(parse_only(data) for _ in range(3))
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
    app = create_app(
        {
            "SQLALCHEMY_DATABASE_URI": DATABASE_URL,
            **keys_config(env),
            "WTF_CSRF_ENABLED": False,
            "INSTANCE_DIR": str(instance),
            "CELERY": load_config(env)["CELERY"],
        }
    )
    logging.getLogger().setLevel(logging.WARNING)
    worker = None
    try:
        with app.app_context():
            db.create_all()
            contest_id = build_contest()
            worker = start_worker(env, instance / "worker.log")
            import_s, job = import_through_worker(app, contest_id, data)
            entries = db.session.scalar(sa.select(sa.func.count()).select_from(Entry))
            db.session.remove()
            db.engine.dispose()
        if job.state != "succeeded" or entries != ROWS:
            sys.exit(f"the import did not save every row: {job!r}, {entries} entries")
    finally:
        if worker is not None:
            stop_process(worker)
        recreate_database(DATABASE_URL, drop_only=True)
    print(f"worker log: {instance / 'worker.log'}; job {job.id}: {job.message}")
    print(
        f"import_rows={ROWS} import_s={import_s:.2f} parse_only_s={parse_s:.2f} "
        f"ratio={import_s / parse_s:.1f}"
    )


if __name__ == "__main__":
    main()

"""Benchmark: the public results page and the contestant's lookup under a crowd, against a
trivial endpoint of the same app.

Run from the repository root: ``.venv/bin/python bench/results_load.py``. It creates (and at the
end drops) the database named in DATABASE_URL (default ``jingsai_bench_results`` on the local
PostgreSQL) with ``flask db upgrade``, loads one contest-trade of 600 entries (600 contestants in
40 units and 20 delegations, results under public notice, teams), empties its Redis database
(REDIS_URL, default database 12: page cache, rate-limit counters) and serves the app with
gunicorn (2 sync workers). ``wrk -t2 -c50 -d10s --latency`` (Debian's ``wrk``, sending
``Accept-Encoding: gzip`` as browsers do) then hits, one after another:

- ``/healthz`` (a trivial endpoint of the same app: the baseline);
- the public page of the contest-trade (``/results/trades/<id>``, 600 rows, cached in Redis);
- the lookup (POST ``/my-result`` with ID number, name and the form's CSRF token, a different
  contestant on each request; the per-client limit is raised for the bench, since all of wrk's
  connections come from one address);
- for comparison, the same page rendered on every request (a second gunicorn with
  ``JINGSAI_PAGE_CACHE=0``).

It prints requests/s and p99 of each; the last line holds ``page_rps=… baseline_rps=… ratio=…
p99_ms=…`` (ratio = page / baseline, p99 of the page) and the lookup's and uncached figures.
"""

import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
from datetime import date, datetime, timedelta
from decimal import Decimal
from pathlib import Path
from random import Random
from urllib.parse import quote

import redis
from _common import (
    ROOT,
    app_keys,
    free_port,
    migrate_database,
    recreate_database,
    start_gunicorn,
    stop_process,
)

sys.path.insert(0, str(ROOT))

from app import create_app
from competitions.core.config import load_config
from competitions.core.db import db
from competitions.registry.models import (
    Contest,
    ContestTrade,
    Delegation,
    Entry,
    Person,
    Trade,
    Unit,
)
from competitions.registry.rules import resident_id_check_char
from competitions.results.models import Result, ResultSet, TeamResult

DATABASE_URL = os.environ.get(
    "DATABASE_URL", "postgresql+psycopg://postgres@127.0.0.1:5432/jingsai_bench_results"
)
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")
ENTRIES = 600
SECONDS = int(os.environ.get("BENCH_SECONDS", 10))
CONNECTIONS = 50
SURNAMES = (
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡"
    "余杜叶程苏魏吕丁任沈姚卢姜崔钟谭陆汪范金石廖贾夏韦付方白邹孟熊秦邱江尹薛闫段雷侯"
    "龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤"
)
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华建国志红文斌宇浩凯鹏飞鑫波辉"


def resident_id(rng: Random, n: int) -> tuple[str, date]:
    """A valid resident ID number (GB 11643 check character) and its birth date."""
    born = date(1975, 1, 1) + timedelta(days=rng.randrange(0, 9000))
    body = f"370102{born:%Y%m%d}{n % 1000:03d}"
    return body + resident_id_check_char(body), born


def load(app) -> tuple[int, list[tuple[str, str]]]:
    """One contest-trade of ENTRIES published results; returns its id and (ID, name) pairs."""
    rng = Random(20261122)
    with app.app_context():
        trade = Trade(code="6-20-01", name_zh="钳工", name_en="Fitter")
        contest = Contest(
            code="SD-2026",
            name="2026年山东省职工职业技能大赛",
            year=2026,
            tier="province",
            starts_on=date(2026, 10, 20),
            ends_on=date(2026, 10, 22),
        )
        db.session.add_all([trade, contest])
        db.session.flush()
        ct = ContestTrade(contest_id=contest.id, trade_id=trade.id)
        units = [Unit(name=f"山东第{n + 1}机械厂") for n in range(40)]
        db.session.add(ct)
        db.session.add_all(units)
        db.session.flush()
        teams = [
            Delegation(contest_id=contest.id, name=f"第{n + 1}代表队", unit_id=units[n].id)
            for n in range(20)
        ]
        db.session.add_all(teams)
        db.session.flush()
        people, seen = [], set()
        for n in range(ENTRIES):
            number, born = resident_id(rng, n)
            name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
            if (number, name) in seen:
                continue
            seen.add((number, name))
            people.append(
                Person(
                    name=name,
                    gender="M" if int(number[16]) % 2 else "F",
                    birth_date=born,
                    id_number=number,
                    unit_id=units[n % 40].id,
                )
            )
        db.session.add_all(people)
        db.session.flush()
        entries = [
            Entry(
                person_id=p.id,
                contest_trade_id=ct.id,
                delegation_id=teams[n % 20].id,
                status="approved",
            )
            for n, p in enumerate(people)
        ]
        db.session.add_all(entries)
        db.session.flush()
        totals = sorted((Decimal(rng.randrange(4000, 9900)) / 100 for _ in entries), reverse=True)
        awards = ["first"] * 60 + ["second"] * 120 + ["third"] * 180
        for n, (entry, total) in enumerate(zip(entries, totals, strict=True)):
            db.session.add(
                Result(
                    entry_id=entry.id,
                    contest_trade_id=ct.id,
                    theory=total - 5,
                    practical=total + 2,
                    total=total,
                    rank=n + 1,
                    award=awards[n] if n < len(awards) else None,
                    advances=n < 3,
                )
            )
        for n, team in enumerate(teams):
            db.session.add(
                TeamResult(
                    contest_trade_id=ct.id,
                    delegation_id=team.id,
                    score=Decimal(280 - n),
                    rank=n + 1,
                    members=[entries[n].id, entries[n + 20].id, entries[n + 40].id],
                )
            )
        db.session.add(
            ResultSet(
                contest_trade_id=ct.id,
                state="notice",
                ranked=len(entries),
                published_at=datetime(2026, 11, 20, 9, 0),
                notice_deadline=datetime(2099, 11, 27, 23, 59, 59),
                onsite_appeal_until=datetime(2026, 11, 20, 11, 0),
            )
        )
        db.session.commit()
        pairs = [(p.id_number, p.name) for p in people]
        return ct.id, pairs


def wrk(url: str, script: Path | None = None) -> dict:
    """Run wrk against ``url``; its requests/s, p99 (ms) and non-2xx/3xx answers."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "5s"]
    command += ["-H", "Accept-Encoding: gzip, deflate, br"]  # as every browser sends
    if script:
        command += ["-s", str(script)]
    out = subprocess.run([*command, url], capture_output=True, text=True, check=True).stdout
    rps = float(re.search(r"Requests/sec:\s+([\d.]+)", out).group(1))
    p99 = re.search(r"99%\s+([\d.]+)(us|ms|s)\b", out)
    scale = {"us": 0.001, "ms": 1, "s": 1000}[p99.group(2)]
    bad = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", out)
    errors = re.search(r"Socket errors:.*", out)
    return {
        "rps": rps,
        "p99_ms": float(p99.group(1)) * scale,
        "bad": int(bad.group(1)) if bad else 0,
        "socket_errors": errors.group(0) if errors else "",
        "requests": int(re.search(r"(\d+) requests in", out).group(1)),
    }


def lookup_script(port: int, pairs: list[tuple[str, str]], folder: Path) -> Path:
    """A wrk script posting the lookup form for a different contestant each time, with the
    session cookie and CSRF token of one real visit to the form."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", "/my-result")
    response = conn.getresponse()
    page = response.read().decode()
    cookie = response.getheader("Set-Cookie").split(";", 1)[0]
    token = re.search(r'name="csrf_token" type="hidden" value="([^"]+)"', page)
    conn.close()
    bodies = [
        f"csrf_token={quote(token.group(1))}&id_number={number}&name={quote(name)}"
        for number, name in pairs
    ]
    # One real lookup first: it must find the contestant (302 to the results).
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request(
        "POST",
        "/my-result",
        body=bodies[0],
        headers={"Content-Type": "application/x-www-form-urlencoded", "Cookie": cookie},
    )
    first = conn.getresponse()
    first.read()
    if first.status != 302 or "/my-result/results" not in first.getheader("Location", ""):
        sys.exit(f"the lookup does not find a contestant: {first.status}")
    conn.close()
    lua = folder / "lookup.lua"
    quoted = ",\n".join('"' + b.replace('"', '\\"') + '"' for b in bodies)
    lua.write_text(
        f"""
bodies = {{{quoted}}}
counter = 0
request = function()
  counter = counter + 1
  local body = bodies[(counter % #bodies) + 1]
  return wrk.format("POST", "/my-result", {{
    ["Content-Type"] = "application/x-www-form-urlencoded",
    ["Cookie"] = "{cookie}"
  }}, body)
end
"""
    )
    return lua


def check_page(port: int, path: str, must_contain: str) -> None:
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    conn.request("GET", path)
    response = conn.getresponse()
    body = response.read().decode()
    if response.status != 200 or must_contain not in body:
        sys.exit(f"{path} answered {response.status} without {must_contain!r}")
    conn.close()


def show(label: str, figures: dict) -> None:
    print(
        f"{label:<34} {figures['rps']:>9.1f} req/s   p99 {figures['p99_ms']:>7.2f} ms   "
        f"{figures['requests']} requests, {figures['bad']} non-2xx/3xx {figures['socket_errors']}",
        flush=True,
    )


def main() -> None:
    if shutil.which("wrk") is None:
        sys.exit("wrk is missing: apt-get install wrk")
    recreate_database(DATABASE_URL)
    folder = Path(tempfile.mkdtemp(prefix="jingsai-bench-results-"))
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        "JINGSAI_INSTANCE": str(folder),
        "JINGSAI_LOOKUP_LIMIT": "100000000 per minute",
        **app_keys(),
    }
    procs = []
    try:
        migrate_database(env)
        app = create_app({**load_config(env), "SQLALCHEMY_ENGINE_OPTIONS": {}})
        ct_id, pairs = load(app)
        redis.Redis.from_url(REDIS_URL).flushdb()
        print(f"loaded: 1 contest-trade, {len(pairs)} entries published", flush=True)
        port = free_port()
        procs.append(start_gunicorn(env, 2, port, folder / "gunicorn.log", "/healthz"))
        page = f"/results/trades/{ct_id}"
        check_page(port, page, pairs[-1][1])
        base = f"http://127.0.0.1:{port}"
        baseline = wrk(base + "/healthz")
        show("trivial endpoint /healthz", baseline)
        cached = wrk(base + page)
        show(f"results page ({len(pairs)} rows, cached)", cached)
        lookup = wrk(base + "/my-result", lookup_script(port, pairs, folder))
        show("lookup POST /my-result", lookup)
        stop_process(procs.pop())
        port = free_port()
        procs.append(
            start_gunicorn(
                {**env, "JINGSAI_PAGE_CACHE": "0"}, 2, port, folder / "gunicorn2.log", "/healthz"
            )
        )
        check_page(port, page, pairs[-1][1])
        uncached = wrk(f"http://127.0.0.1:{port}{page}")
        show("results page, rendered every time", uncached)
    finally:
        for proc in procs:
            stop_process(proc)
        recreate_database(DATABASE_URL, drop_only=True)
        shutil.rmtree(folder, ignore_errors=True)
    if cached["bad"] or lookup["bad"]:
        sys.exit("some requests failed (non-2xx/3xx answers)")
    ratio = cached["rps"] / baseline["rps"]
    print(
        f"page_rps={cached['rps']:.0f} baseline_rps={baseline['rps']:.0f} ratio={ratio:.2f} "
        f"p99_ms={cached['p99_ms']:.1f} lookup_rps={lookup['rps']:.0f} "
        f"lookup_p99_ms={lookup['p99_ms']:.1f} uncached_rps={uncached['rps']:.0f} "
        f"uncached_p99_ms={uncached['p99_ms']:.1f}"
    )


if __name__ == "__main__":
    main()

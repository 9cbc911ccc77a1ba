"""Benchmark: the public results pages of an 80-trade provincial contest and the contestant's
lookup under a crowd, against a trivial endpoint of the same app; and how soon a recompute
reaches every web worker.

Run from the repository root: ``.venv/bin/python bench/results_load.py``. It creates (and at the
end drops) a database of its own (``jingsai_bench_results_<random>``, on the server of
DATABASE_URL, by default the local PostgreSQL) with ``flask db upgrade``, loads one provincial
contest of 80 trades, all published under public notice: 79 trades of 100 entries and one
popular trade of 600 (8,500 contestants in 40 units and 20 delegations, teams); the popular
trade's results are computed by the app from marks, so it can be recomputed. It empties its
Redis database (REDIS_URL, default database 12: page cache, rate-limit counters), tells the app
the 80 trades were published (the rows were inserted directly; publishing through the app
announces the change the same way after its commit, and the app renders each trade's public page
into the cache then) and serves the app with gunicorn (2 sync workers). ``wrk -t2 -c50 -d10s
--latency`` (Debian's ``wrk``, sending ``Accept-Encoding: gzip`` as browsers do) then runs, one
after another:

- ``/healthz`` (a trivial endpoint of the same app: the baseline);
- the crowd: every trade's public page (``/results/trades/<id>``), chosen at random with a
  skew as a real crowd has (Zipf, s = 1.1: the popular trade takes about a fifth, the last
  trades a few requests each). Meanwhile this process reads a sample of pages itself and checks
  each shows its trade's first place with the right total; and a few seconds in, it changes a
  mark of the popular trade (as an upheld appeal does), recomputes its results with the app's
  own code and commits, then reads the popular page on fresh connections until every answer
  shows the new order: ``stale_s`` is the time from the start of the commit to the last old
  answer (at least to the commit's return, since the app renders the new page inside the commit
  after the database has committed), and any old answer after a new one from another worker
  fails the bench;
- the lookup (POST ``/my-result`` with ID number, name and the form's CSRF token, a different
  contestant on each request; the per-client limit is raised for the bench, since all of wrk's
  connections come from one address);
- for comparison, the popular page rendered on every request (a second gunicorn with
  ``JINGSAI_PAGE_CACHE=0``).

Errors are counted in every phase (wrk's non-2xx/3xx answers and socket errors, and the
sample's wrong pages). The last line holds ``page_rps=… baseline_rps=… ratio=… p99_ms=…
stale_s=…`` and the lookup's and uncached figures.
"""

import gzip
import http.client
import os
import re
import shutil
import subprocess
import sys
import tempfile
import threading
import time
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
    own_database_url,
    recreate_database,
    start_gunicorn,
    stop_process,
)
from sqlalchemy import insert, select, update

sys.path.insert(0, str(ROOT))

from app import create_app
from competitions.accounts.models import User
from competitions.core.config import load_config
from competitions.core.db import db
from competitions.judging.models import Mark, MarkingLock, SchemeItem, SchemePart
from competitions.publication.services import cache
from competitions.registry.models import (
    Contest,
    ContestTrade,
    Delegation,
    Entry,
    Person,
    Trade,
    id_number_hash,
)
from competitions.registry.rules import resident_id_check_char
from competitions.results.models import Result, ResultSet, TeamResult
from competitions.results.services import compute
from competitions.units.models import Unit

#: A database of the bench's own on the server of DATABASE_URL (never the one named there).
DATABASE_URL = own_database_url("jingsai_bench_results")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/12")
TRADES, ENTRIES, POPULAR_ENTRIES = 80, 100, 600
#: The crowd's skew over the trades (Zipf's exponent): trade k is asked 1/k^s as often.
ZIPF_S = 1.1
#: Seconds into the crowd's run when the popular trade is recomputed.
RECOMPUTE_AT_S = 3
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


class Contest80:
    """What the bench loaded: the trades' ids (most popular first), who is first in each, the
    people to look up, and the popular trade's marks to change."""

    def __init__(self) -> None:
        self.ct_ids: list[int] = []
        #: ct id → (name, total as printed) of its first place
        self.first: dict[int, tuple[str, str]] = {}
        self.pairs: list[tuple[str, str]] = []
        self.popular = 0
        #: the popular trade's first place's practical mark (its id)
        self.mark_id = 0


def _people(rng: Random, count: int, start: int, units: list[int], seen: set) -> list[dict]:
    """``count`` contestants with valid resident IDs (none in ``seen``) and made-up names."""
    rows = []
    for n in range(start, start + count):
        number, born = resident_id(rng, n)
        while number in seen:
            number, born = resident_id(rng, n)
        seen.add(number)
        name = rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))
        rows.append(
            {
                "name": name,
                "gender": "M" if int(number[16]) % 2 else "F",
                "birth_date": born,
                "id_type": "resident",
                "id_number": number,
                "id_number_hash": id_number_hash(number),
                "unit_id": units[n % len(units)],
            }
        )
    return rows


def _ids(model, rows: list[dict]) -> list[int]:
    """Insert rows in bulk; their new ids, in order."""
    return list(
        db.session.scalars(insert(model).returning(model.id, sort_by_parameter_order=True), rows)
    )


def load(app) -> Contest80:
    """An 80-trade provincial contest, every trade published under notice: 79 trades with their
    results as stored rows, the popular one computed by the app from marks."""
    rng, loaded = Random(20261122), Contest80()
    with app.app_context():
        contest = Contest(
            code="SD-2026",
            name="2026年山东省职工职业技能大赛",
            year=2026,
            tier="province",
            starts_on=date(2026, 10, 20),
            ends_on=date(2026, 10, 22),
        )
        db.session.add(contest)
        db.session.flush()
        trade_ids = _ids(
            Trade,
            [
                {"code": f"6-{k // 10:02d}-{k % 10:02d}", "name_zh": f"工种{k + 1}",
                 "name_en": f"Trade {k + 1}"}
                for k in range(TRADES)
            ],
        )  # fmt: skip
        loaded.ct_ids = _ids(
            ContestTrade, [{"contest_id": contest.id, "trade_id": t} for t in trade_ids]
        )
        units = _ids(
            Unit, [{"name": f"山东第{n + 1}机械厂", "kind": "enterprise"} for n in range(40)]
        )
        teams = _ids(
            Delegation,
            [
                {"contest_id": contest.id, "name": f"第{n + 1}代表队", "unit_id": units[n]}
                for n in range(20)
            ],
        )
        judge = User(username="judge", display_name="裁判", password_hash="!")
        db.session.add(judge)
        db.session.flush()
        people, seen = 0, set()
        for k, ct_id in enumerate(loaded.ct_ids):
            size = POPULAR_ENTRIES if k == 0 else ENTRIES
            persons = _people(rng, size, people, units, seen)
            people += size
            person_ids = _ids(Person, persons)
            loaded.pairs += [(p["id_number"], p["name"]) for p in persons]
            entry_ids = _ids(
                Entry,
                [
                    {
                        "person_id": person_id,
                        "contest_trade_id": ct_id,
                        "delegation_id": teams[n % 20],
                        "status": "approved",
                        "time_used_s": 3000 + n,
                    }
                    for n, person_id in enumerate(person_ids)
                ],
            )
            db.session.add(
                ResultSet(
                    assessment_id=ct_id,
                    state="notice",
                    ranked=size,
                    published_at=datetime(2026, 11, 20, 9, 0),
                    notice_deadline=datetime(2099, 11, 27, 23, 59, 59),
                    onsite_appeal_until=datetime(2026, 11, 20, 11, 0),
                )
            )
            if k == 0:
                loaded.popular = ct_id
                _marks(ct_id, entry_ids, judge.id, rng)
                continue
            totals = sorted(Decimal(rng.randrange(4000, 9900)) / 100 for _ in entry_ids)[::-1]
            awards = ["first"] * 10 + ["second"] * 20 + ["third"] * 30
            db.session.execute(
                insert(Result),
                [
                    {
                        "subject_id": entry_id,
                        "assessment_id": ct_id,
                        "theory": total - 5,
                        "practical": total + 2,
                        "total": total,
                        "rank": n + 1,
                        "award": awards[n] if n < len(awards) else None,
                        "advances": n < 3,
                    }
                    for n, (entry_id, total) in enumerate(zip(entry_ids, totals, strict=True))
                ],
            )
            db.session.execute(
                insert(TeamResult),
                [
                    {
                        "contest_trade_id": ct_id,
                        "delegation_id": team,
                        "score": Decimal(280 - n),
                        "time_sum": 9000 + n,
                        "rank": n + 1,
                        "members": entry_ids[n : n + 41 : 20],
                    }
                    for n, team in enumerate(teams)
                ],
            )
            loaded.first[ct_id] = (persons[0]["name"], f"{totals[0]:.2f}")
        db.session.commit()
        compute.recompute([loaded.popular])
        db.session.commit()
        loaded.first[loaded.popular] = first_place(loaded.popular)
        loaded.mark_id = db.session.scalar(
            select(Mark.id)
            .join(Result, Result.subject_id == Mark.subject_id)
            .join(SchemeItem, SchemeItem.id == Mark.item_id)
            .where(Result.assessment_id == loaded.popular, Result.rank == 1)
            .where(SchemeItem.code == "P1")
        )
    return loaded


def _marks(ct_id: int, entry_ids: list[int], judge_id: int, rng: Random) -> None:
    """The popular trade's scheme (one theory and one practical item of 100), every entry's
    two marks, and the lock, so that the app computes its results."""
    item_ids = []
    for kind, code in (("theory", "T1"), ("practical", "P1")):
        part = SchemePart(assessment_id=ct_id, kind=kind, name=kind)
        db.session.add(part)
        db.session.flush()
        item = SchemeItem(part_id=part.id, code=code, criterion=code, max_mark=Decimal(100))
        db.session.add(item)
        db.session.flush()
        item_ids.append(item.id)
    db.session.execute(
        insert(Mark),
        [
            {
                "subject_id": entry_id,
                "item_id": item_id,
                "judge_id": judge_id,
                "value": Decimal(rng.randrange(4000, 9900)) / 100,
            }
            for entry_id in entry_ids
            for item_id in item_ids
        ],
    )
    db.session.add(MarkingLock(assessment_id=ct_id, locked=True, locked_by=judge_id))


def announce_published(app, loaded: Contest80) -> float:
    """What publishing through the app does after it has set the result sets' state: announce
    the changed contest-trades and commit (the app renders their public pages then). Seconds."""
    with app.app_context():
        start = time.perf_counter()
        cache.results_changed(loaded.ct_ids)
        db.session.commit()
        seconds = time.perf_counter() - start
        db.session.remove()
    return seconds


def first_place(ct_id: int) -> tuple[str, str]:
    """The name and total (as printed) of a trade's first place, from the database."""
    name, total = db.session.execute(
        select(Person.name, Result.total)
        .join(Entry, Entry.person_id == Person.id)
        .join(Result, Result.subject_id == Entry.id)
        .where(Result.assessment_id == ct_id, Result.rank == 1)
    ).one()
    return name, f"{total:.2f}"


def wrk_command(url: str, script: Path | None = None) -> list[str]:
    """wrk's command line: 2 threads, the connections, the seconds, latency, gzip accepted."""
    command = ["wrk", "-t2", f"-c{CONNECTIONS}", f"-d{SECONDS}s", "--latency", "--timeout", "5s"]
    command += ["-H", "Accept-Encoding: gzip, deflate, br"]  # as every browser sends
    if script:
        command += ["-s", str(script)]
    return [*command, url]


def parse_wrk(out: str) -> dict:
    """wrk's requests/s, p99 (ms), non-2xx/3xx answers, socket errors and request count."""
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


def wrk(url: str, script: Path | None = None) -> dict:
    """Run wrk against ``url``; its figures."""
    done = subprocess.run(wrk_command(url, script), capture_output=True, text=True, check=True)
    return parse_wrk(done.stdout)


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
        f"csrf_token={quote(token.group(1))}&id_number={number}&name={quote(name)}&agree=y"
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


def zipf_weights(n: int) -> list[float]:
    """The share of requests of each trade, most popular first."""
    raw = [1 / (k + 1) ** ZIPF_S for k in range(n)]
    return [w / sum(raw) for w in raw]


def crowd_script(ct_ids: list[int], folder: Path) -> Path:
    """A wrk script asking for the trades' pages with the crowd's skew."""
    running, cumulative = 0.0, []
    for weight in zipf_weights(len(ct_ids)):
        running += weight
        cumulative.append(f"{running:.9f}")
    cumulative[-1] = "1.0"
    paths = ", ".join(f'"/results/trades/{ct_id}"' for ct_id in ct_ids)
    lua = folder / "crowd.lua"
    lua.write_text(
        f"""
paths = {{{paths}}}
cumulative = {{{", ".join(cumulative)}}}
local threads = 0
setup = function(thread)
  threads = threads + 1
  thread:set("seed", threads * 7919)
end
init = function(args)
  math.randomseed(seed)
end
request = function()
  local r, lo, hi = math.random(), 1, #cumulative
  while lo < hi do
    local mid = math.floor((lo + hi) / 2)
    if cumulative[mid] < r then lo = mid + 1 else hi = mid end
  end
  return wrk.format("GET", paths[lo])
end
"""
    )
    return lua


def fetch(port: int, path: str) -> tuple[int, str]:
    """One GET on a fresh connection, as a browser sends it (gzip accepted); status and text."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.request("GET", path, headers={"Accept-Encoding": "gzip"})
        response = conn.getresponse()
        body = response.read()
        if response.getheader("Content-Encoding") == "gzip":
            body = gzip.decompress(body)
        return response.status, body.decode()
    finally:
        conn.close()


class Sampler(threading.Thread):
    """Reads pages while the crowd runs, chosen with the crowd's skew, and checks each shows its
    trade's first place with the right total (the popular trade: before or after its
    recompute, which the staleness probe judges)."""

    def __init__(self, port: int, loaded: Contest80, new_first: list):
        super().__init__(daemon=True)
        self.port, self.loaded, self.new_first = port, loaded, new_first
        self.stop, self.checked, self.wrong = threading.Event(), 0, []

    def run(self) -> None:
        rng, weights = Random(7), zipf_weights(len(self.loaded.ct_ids))
        while not self.stop.is_set():
            ct_id = rng.choices(self.loaded.ct_ids, weights)[0]
            status, body = fetch(self.port, f"/results/trades/{ct_id}")
            firsts = [
                self.loaded.first[ct_id],
                *(self.new_first if ct_id == self.loaded.popular else []),
            ]
            if status != 200 or not any(name in body and total in body for name, total in firsts):
                self.wrong.append((ct_id, status))
            self.checked += 1


def recompute_popular(app, loaded: Contest80, new_first: list) -> tuple[float, float]:
    """Change the popular trade's first place's practical mark (as an upheld appeal's correction
    does) and recompute its results with the app's code; the new first place goes to
    ``new_first`` before the commit (the sample accepts it from then on); the moments the commit
    began and returned (the app renders the new page inside it, after the database commit)."""
    with app.app_context():
        db.session.execute(update(Mark).where(Mark.id == loaded.mark_id).values(value=Decimal(1)))
        compute.recompute([loaded.popular])
        new_first.append(first_place(loaded.popular))
        committing = time.monotonic()
        db.session.commit()
        returned = time.monotonic()
        db.session.remove()
    return committing, returned


def probe_staleness(
    port: int, loaded: Contest80, committing: float, returned: float, new_first
) -> tuple[float, int]:
    """Read the popular page on fresh connections until 200 answers in a row show the new first
    place; the seconds from the start of the commit to the end of the last old answer (at least
    to the commit's return: old pages may be served until then), and how many answers were old
    after a new one had been served."""
    path = f"/results/trades/{loaded.popular}"
    old_name, new_name = loaded.first[loaded.popular][0], new_first[0]
    last_old, in_a_row, seen_new, old_after_new = returned, 0, False, 0
    for _ in range(20000):  # a guard: 200 in a row come long before
        status, body = fetch(port, path)
        ended = time.monotonic()
        fresh = (
            status == 200
            and body.find(new_name) != -1
            and (body.find(old_name) == -1 or body.find(new_name) < body.find(old_name))
        )
        if fresh:
            seen_new, in_a_row = True, in_a_row + 1
            if in_a_row >= 200:
                return last_old - committing, old_after_new
        else:
            last_old, in_a_row = ended, 0
            old_after_new += seen_new
    sys.exit("the popular page never settled on the new results")


def crowd(app, port: int, loaded: Contest80, folder: Path) -> tuple[dict, float, int, Sampler]:
    """The crowd's run with the sample and, a few seconds in, the recompute and its probe."""
    new_first: list = []
    sampler = Sampler(port, loaded, new_first)
    command = wrk_command(f"http://127.0.0.1:{port}/", crowd_script(loaded.ct_ids, folder))
    runner = subprocess.Popen(command, stdout=subprocess.PIPE, text=True)
    sampler.start()
    time.sleep(RECOMPUTE_AT_S)  # when the change comes, not a wait for anything
    committing, returned = recompute_popular(app, loaded, new_first)
    stale_s, old_after_new = probe_staleness(port, loaded, committing, returned, new_first[0])
    out, _ = runner.communicate()
    sampler.stop.set()
    sampler.join()
    if runner.returncode:
        sys.exit(f"wrk failed: {out}")
    return parse_wrk(out), stale_s, old_after_new, sampler


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
    procs, problems = [], []
    try:
        migrate_database(env)
        app = create_app({**load_config(env), "SQLALCHEMY_ENGINE_OPTIONS": {}})
        loaded = load(app)
        redis.Redis.from_url(REDIS_URL).flushdb()
        announced_s = announce_published(app, loaded)
        print(
            f"loaded: {len(loaded.ct_ids)} trades published, {len(loaded.pairs)} entries; "
            f"their pages rendered at the publish's commit in {announced_s:.1f} s",
            flush=True,
        )
        port = free_port()
        procs.append(start_gunicorn(env, 2, port, folder / "gunicorn.log", "/healthz"))
        popular = f"/results/trades/{loaded.popular}"
        check_page(port, popular, loaded.first[loaded.popular][0])
        base = f"http://127.0.0.1:{port}"
        baseline = wrk(base + "/healthz")
        show("trivial endpoint /healthz", baseline)
        cached, stale_s, old_after_new, sampler = crowd(app, port, loaded, folder)
        show(f"the crowd over {len(loaded.ct_ids)} trades (cached)", cached)
        print(
            f"sample: {sampler.checked} pages read and checked, {len(sampler.wrong)} wrong; "
            f"the popular trade recomputed {RECOMPUTE_AT_S} s in: every worker served the new "
            f"results {stale_s:.3f} s after the commit began, {old_after_new} old answers after "
            "a new"
        )
        lookup = wrk(base + "/my-result", lookup_script(port, loaded.pairs, folder))
        show("lookup POST /my-result", lookup)
        stop_process(procs.pop())
        port = free_port()
        procs.append(
            start_gunicorn(
                {**env, "JINGSAI_PAGE_CACHE": "0"}, 2, port, folder / "gunicorn2.log", "/healthz"
            )
        )
        check_page(port, popular, loaded.first[loaded.popular][0])
        uncached = wrk(f"http://127.0.0.1:{port}{popular}")
        show(f"popular page ({POPULAR_ENTRIES} rows), rendered every time", uncached)
    finally:
        for proc in procs:
            stop_process(proc)
        recreate_database(DATABASE_URL, drop_only=True)
        shutil.rmtree(folder, ignore_errors=True)
    for label, figures in (
        ("baseline", baseline),
        ("crowd", cached),
        ("lookup", lookup),
        ("uncached", uncached),
    ):
        if figures["bad"] or figures["socket_errors"]:
            problems.append(f"{label}: {figures['bad']} bad answers {figures['socket_errors']}")
    if sampler.wrong:
        problems.append(f"{len(sampler.wrong)} sampled pages wrong, e.g. {sampler.wrong[:3]}")
    if old_after_new:
        problems.append(f"{old_after_new} old pages served after the new results")
    if not sampler.checked:
        problems.append("no page was sampled")
    ratio = cached["rps"] / baseline["rps"]
    verdict = ratio >= 0.8 and cached["p99_ms"] < 50 and stale_s < 2
    print(f"target ratio ≥ 0.8, p99 < 50 ms, stale_s < 2: {'meets' if verdict else 'misses'}")
    for problem in problems:
        print(f"PROBLEM: {problem}")
    print(
        f"page_rps={cached['rps']:.0f} baseline_rps={baseline['rps']:.0f} ratio={ratio:.2f} "
        f"p99_ms={cached['p99_ms']:.1f} stale_s={stale_s:.3f} lookup_rps={lookup['rps']:.0f} "
        f"lookup_p99_ms={lookup['p99_ms']:.1f} uncached_rps={uncached['rps']:.0f} "
        f"uncached_p99_ms={uncached['p99_ms']:.1f}"
    )
    if problems:
        sys.exit(1)


if __name__ == "__main__":
    main()

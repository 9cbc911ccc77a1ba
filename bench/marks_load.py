"""Benchmark: 50 judges saving scores through gunicorn, against a trivial page's ceiling.

Run from the repository root: ``.venv/bin/python bench/marks_load.py``. It creates (and at the
end drops) a database of its own (``jingsai_bench_marks_<random>``, on the server of
DATABASE_URL, by default the local PostgreSQL) with ``flask db upgrade``, builds one
contest-trade marked by 10 groups of 5 judges (each judge: 20 items × 60 coded entries = 1,200
cells of their own) and a chief judge, and serves the app with gunicorn. It logs every judge in
and reads their grid, then:

- the baseline: a trivial endpoint, 50 clients for 10 s;
- the open model: saves arrive at a fixed rate (BENCH_RATE, default 100/s) for 30 s, spread
  over the judges, whether or not the server keeps up; each save's latency counts from the
  moment it was due, not from when a free client sent it (no coordinated omission);
- flat out: each judge saves again as soon as the last save answered (the server's ceiling);
- the same cell: 50 times, a judge saves a score while the chief judge corrects that very score
  (with a reason), both released at once; afterwards each of those cells holds the value of
  its last audit row, one mark row, both changes audited.

Then it checks in the database that every save the server confirmed is there, each matched to
its own audit row (who, which cell, which value), and none doubled. REDIS_URL (default Redis
database 13) is only Celery's configuration. The last line holds the figures: the open model's
rate and p99, lost saves, the flat-out rate and p99, the same-cell phase's outcome.
"""

import http.client
import json
import logging
import os
import re
import sys
import tempfile
import threading
import time
from collections import Counter
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass, field
from datetime import date, timedelta
from decimal import Decimal
from functools import partial
from pathlib import Path
from random import Random
from urllib.parse import urlencode

import sqlalchemy as sa
from _common import (
    ROOT,
    CpuMeter,
    HttpClient,
    Phase,
    Tally,
    app_keys,
    free_port,
    keys_config,
    migrate_database,
    own_database_url,
    phase_of,
    recreate_database,
    run_phase,
    start_gunicorn,
    stop_process,
)
from werkzeug.security import generate_password_hash

sys.path.insert(0, str(ROOT))

from app import create_app
from competitions.accounts.models import ContestRole, User
from competitions.core.config import load_config
from competitions.core.db import db
from competitions.judging import rules
from competitions.judging.models import (
    JudgeItem,
    JudgeSubject,
    Mark,
    MarkChange,
    PanelMember,
    SchemeItem,
    SchemePart,
    SubjectCode,
)
from competitions.registry.models import Contest, ContestTrade, Entry, Person, Trade
from competitions.registry.rules import resident_id_check_char

#: A database of the bench's own on the server of DATABASE_URL (never the one named there).
DATABASE_URL = own_database_url("jingsai_bench_marks")
REDIS_URL = os.environ.get("REDIS_URL", "redis://127.0.0.1:6379/13")
GROUPS, JUDGES_PER_GROUP, ENTRIES_PER_GROUP = 10, 5, 60
SAVE_SECONDS, BASELINE_SECONDS = 30.0, 10.0
#: The open model's arrival rate (saves per second) and the clients that send them.
RATE = float(os.environ.get("BENCH_RATE", "100"))
SENDERS = 64
#: Rounds of the same-cell phase (a judge's save and the chief judge's correction at once).
SAME_CELL_ROUNDS = 50
PASSWORD = "bench-pass"
#: The chief judge of the same-cell phase.
CHIEF = "chief"
#: Sync workers: 2, one per core. Measured with this bench on the 2-core machine, runs alternated:
#: 2 workers spent 8.3-10.6 ms of gunicorn CPU per save, 4 workers 10.1-13.7 ms (3 and 5: 11.4,
#: 12.1); saves/s were as high or higher with 2 (152/s, p99 0.7-0.8 s, on the two quiet runs) and
#: the tail tighter (p99/p50 about 2-3, against 2.5-6 with 4). A save is CPU-bound and PostgreSQL
#: shares the two cores, so more workers only add context switches. BENCH_WORKERS=4 measures again.
WORKERS = int(os.environ.get("BENCH_WORKERS", "2"))
#: The most trivial route: a static file, served by Flask (no template, no database when the
#: request carries no session cookie), so the baseline is the server's and the framework's ceiling.
BASELINE_PATH = "/static/css/app.css"
#: (kind, scale, max mark, step) of the items, in turn: measured 0-5 by 0.01, judged 0-10 by 0.5,
#: WorldSkills 0-3 judgement, measured 0-20 by 0.1.
ITEM_KINDS = [
    ("measurement", "marks", Decimal(5), Decimal("0.01")),
    ("judgement", "marks", Decimal(10), Decimal("0.5")),
    ("judgement", "ws3", Decimal(6), Decimal(1)),
    ("measurement", "marks", Decimal(20), Decimal("0.1")),
]
ITEMS = 20
Cell = tuple[str, int]  # (anonymous code, item id), as the judge's grid shows it


@dataclass(frozen=True)
class World:
    """What the load needs to know of the marked contest-trade."""

    ct_id: int
    user_ids: dict[str, int]
    entry_ids: dict[str, int]
    #: item id → the valid scores a judge may type (a few dozen at most)
    choices: dict[int, list[str]]


def valid_scores(rule: rules.ItemRule) -> list[str]:
    """Up to 40 scores the item accepts: 0, one step, two steps…"""
    count = int(rule.score_max / rule.step) + 1
    return [format(rule.step * k, "f") for k in range(min(count, 40))]


def build_world() -> World:
    """One contest-trade: 20 items, 600 coded entries, 10 groups of 5 judges; returns its ids."""
    contest = Contest(
        code="BENCH-MARKS",
        name="评分压力测试大赛",
        year=2019,
        tier="province",
        starts_on=date(2019, 5, 10),
        ends_on=date(2019, 5, 12),
    )
    trade = Trade(code="6-20-01", name_zh="钳工", name_en="Fitter")
    db.session.add_all([contest, trade])
    db.session.flush()
    ct = ContestTrade(contest_id=contest.id, trade_id=trade.id)
    db.session.add(ct)
    db.session.flush()
    items = scheme(ct.id)
    entries = _coded_entries(ct.id, GROUPS * ENTRIES_PER_GROUP)
    user_ids = panel(ct.id, contest.id, items, list(entries.values()))
    chief = User(
        username=CHIEF, display_name="裁判长", password_hash=generate_password_hash(PASSWORD)
    )
    db.session.add(chief)
    db.session.flush()
    db.session.add(PanelMember(assessment_id=ct.id, user_id=chief.id, role="chief_judge"))
    db.session.add(ContestRole(user_id=chief.id, contest_id=contest.id, role="chief_judge"))
    user_ids[CHIEF] = chief.id
    db.session.commit()
    choices = {item.id: valid_scores(item.rule) for item in items}
    return World(ct.id, user_ids, entries, choices)


def scheme(
    ct_id: int, count: int = ITEMS, aggregation: str = "trimmed_mean", tolerance=None
) -> list[SchemeItem]:
    """A practical part of ``count`` items of the kinds in ``ITEM_KINDS``, each for 5 judges
    (bench/soak.py builds its scheme with it too)."""
    part = SchemePart(assessment_id=ct_id, kind="practical", name="实操")
    db.session.add(part)
    db.session.flush()
    items = []
    for n in range(count):
        kind, scale, max_mark, step = ITEM_KINDS[n % len(ITEM_KINDS)]
        items.append(
            SchemeItem(
                part_id=part.id,
                position=n + 1,
                code=f"A{n + 1}",
                criterion=f"评分项{n + 1}",
                kind=kind,
                scale=scale,
                max_mark=max_mark,
                step=step,
                judges=JUDGES_PER_GROUP,
                aggregation=aggregation,
                tolerance=tolerance,
            )
        )
    db.session.add_all(items)
    db.session.flush()
    return items


def _coded_entries(ct_id: int, count: int) -> dict[str, int]:
    """``count`` approved entries with codes and stations drawn by the rules; {code: entry id}."""
    persons = []
    for i in range(count):
        birth = date(1980, 1, 1) + timedelta(days=i // 500)
        first17 = f"370102{birth:%Y%m%d}{i % 500 * 2 + 1:03d}"
        persons.append(
            Person(
                name=f"选手{i:03d}",
                gender="M",
                birth_date=birth,
                id_number=first17 + resident_id_check_char(first17),
            )
        )
    db.session.add_all(persons)
    db.session.flush()
    entries = [Entry(person_id=p.id, contest_trade_id=ct_id, status="approved") for p in persons]
    db.session.add_all(entries)
    db.session.flush()
    rng = Random(2019)
    codes, stations = rules.draw_codes(count, rng), rules.draw_stations(count, rng)
    db.session.add_all(
        SubjectCode(subject_id=e.id, assessment_id=ct_id, code=c, station=s)
        for e, c, s in zip(entries, codes, stations, strict=True)
    )
    return {c: e.id for e, c in zip(entries, codes, strict=True)}


def panel(
    ct_id: int,
    contest_id: int,
    items: list,
    entry_ids: list[int],
    groups: int = GROUPS,
    per_group: int = ENTRIES_PER_GROUP,
    password_hash: str | None = None,
) -> dict[str, int]:
    """``groups`` groups of JUDGES_PER_GROUP judges; a group marks its own ``per_group``
    entries on every item; {username: id} (bench/soak.py builds its panel with it too)."""
    # Hashed once: scrypt is slow on purpose.
    password_hash = password_hash or generate_password_hash(PASSWORD)
    users = [
        User(username=f"judge{g:02d}{j}", display_name=f"裁判{g}-{j}", password_hash=password_hash)
        for g in range(groups)
        for j in range(JUDGES_PER_GROUP)
    ]
    db.session.add_all(users)
    db.session.flush()
    members = [PanelMember(assessment_id=ct_id, user_id=u.id, role="judge") for u in users]
    db.session.add_all(members)
    db.session.add_all(
        ContestRole(user_id=u.id, contest_id=contest_id, role="judge") for u in users
    )
    db.session.flush()
    for n, member in enumerate(members):
        group = n // JUDGES_PER_GROUP
        mine = entry_ids[group * per_group : (group + 1) * per_group]
        db.session.add_all(JudgeItem(member_id=member.id, item_id=item.id) for item in items)
        db.session.add_all(JudgeSubject(member_id=member.id, subject_id=e) for e in mine)
    return {u.username: u.id for u in users}


@dataclass
class Judge:
    """One judge's browser and what the server confirmed they saved."""

    username: str
    client: HttpClient
    csrf: str = ""
    cells: list[Cell] = field(default_factory=list)
    #: cell → the last value the server answered 200 for
    saved: dict[Cell, str] = field(default_factory=dict)
    #: cells whose last save may or may not have landed (no answer, or a 5xx)
    unsure: set[Cell] = field(default_factory=set)
    saves: int = 0
    sent: int = 0
    visits: Counter = field(default_factory=Counter)
    #: every save the server confirmed: (cell, value), in the order the answers came
    confirmed: list = field(default_factory=list)
    #: cell → saves of it in flight (the open model may send a cell again before it answers)
    inflight: Counter = field(default_factory=Counter)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def answered(self, cell: Cell, value: str, status: int | None) -> None:
        """Remember what the server said of one save (None: no answer)."""
        with self.lock:
            if status == 200:
                self.saves += 1
                self.saved[cell] = value
                self.confirmed.append((cell, value))
                self.unsure.discard(cell)
            elif status is None or status >= 500:
                self.unsure.add(cell)

    def next_save(self, choices: dict[int, list[str]]) -> tuple[Cell, str]:
        """The next cell of the walk, with a value other than the cell's current one.

        The judge walks the grid row by row and types every fifth cell twice (a correction, as
        the autosave after a pause sends), then starts over; so every save changes the value.
        """
        position = self.sent % (len(self.cells) * 6 // 5)
        self.sent += 1
        cell = self.cells[position * 5 // 6]
        scores = choices[cell[1]]
        while True:
            self.visits[cell] += 1
            value = scores[(int(cell[0]) + self.visits[cell]) % len(scores)]
            if value != self.saved.get(cell):
                return cell, value


def _log_in(client: HttpClient, username: str) -> str | None:
    """Log a user in through the form, as a browser does; returns a problem or None."""
    status, page = client.request("GET", "/login")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if status != 200 or not token:
        return f"GET /login: {status}"
    form = {"username": username, "password": PASSWORD, "csrf_token": token[1].decode()}
    status, _ = client.request(
        "POST", "/login", urlencode(form), {"Content-Type": "application/x-www-form-urlencoded"}
    )
    return None if status == 302 else f"POST /login: {status}"


def log_in(judge: Judge, ct_id: int, expected: int = ENTRIES_PER_GROUP * ITEMS) -> str | None:
    """Log the judge in and read their grid (CSRF token, ``expected`` cells); returns a problem
    or None (bench/soak.py uses it too)."""
    client = judge.client
    problem = _log_in(client, judge.username)
    if problem:
        return problem
    status, page = client.request("GET", f"/marking/{ct_id}")
    csrf = re.search(rb'data-csrf="([^"]+)"', page)
    if status != 200 or not csrf:
        return f"GET /marking/{ct_id}: {status}"
    judge.csrf = csrf[1].decode()
    cells = re.findall(rb'data-code="(\d+)" data-item="(\d+)"', page)
    judge.cells = [(code.decode(), int(item)) for code, item in cells]
    if len(judge.cells) != expected:
        return f"the grid shows {len(judge.cells)} cells"
    return None


def fetch_baseline(judge: Judge, tally: Tally) -> None:
    """One GET of the trivial endpoint, without the session cookie."""
    start = time.perf_counter()
    try:
        status, _ = judge.client.request("GET", BASELINE_PATH, cookies=False)
    except (OSError, http.client.HTTPException) as exc:
        tally.errors[type(exc).__name__] += 1
        return
    tally.record(time.perf_counter() - start, status)


def save_score(
    judge: Judge, tally: Tally, ct_id: int, choices: dict[int, list[str]], waited: float = 0.0
) -> None:
    """One autosave of the judge's next cell, as the grid's script sends it; its latency counts
    ``waited`` seconds the save was due before it could be sent (bench/soak.py)."""
    cell, value = judge.next_save(choices)
    body = json.dumps({"code": cell[0], "item": cell[1], "value": value})
    headers = {"Content-Type": "application/json", "X-CSRFToken": judge.csrf}
    start = time.perf_counter()
    try:
        status, _ = judge.client.request("POST", f"/marking/{ct_id}/scores", body, headers)
    except (OSError, http.client.HTTPException) as exc:
        tally.errors[type(exc).__name__] += 1
        judge.answered(cell, value, None)
        return
    tally.record(time.perf_counter() - start + waited, status)
    judge.answered(cell, value, status)


@dataclass
class Check:
    """What the database holds against what the server confirmed."""

    saves: int
    changes: int
    rows: int
    distinct_rows: int
    cells_saved: int
    missing: int
    unexpected: int
    wrong_values: int
    unsure: int
    #: confirmed saves with no audit row of their own (who, which cell, which value)
    unmatched: int
    #: audit rows no confirmed save accounts for (beyond saves of unknown outcome)
    extra: int
    #: same-cell rounds whose cell does not hold the value of its last audit row
    same_cell_wrong: int = 0

    @property
    def lost(self) -> int:
        """Confirmed saves without their own audit row."""
        return self.unmatched

    def problems(self) -> list[str]:
        """What is wrong, in words; empty when every save is there exactly once."""
        found = {
            "saves confirmed but without their own audit row": self.unmatched,
            "audit rows without a confirmed save": self.extra,
            "mark rows beyond one per cell": self.rows - self.distinct_rows,
            "saved cells without a mark row": self.missing,
            "mark rows on cells never saved": self.unexpected,
            "cells whose value is not the last one saved": self.wrong_values,
            "same-cell rounds whose value is not their last audit row's": self.same_cell_wrong,
        }
        return [f"{what}: {n}" for what, n in found.items() if n]


def verify(world: World, judges: list[Judge], same_cell: list) -> Check:
    """Compare the mark and mark_change tables with what every judge (and the chief judge in
    the same-cell phase) was told was saved: each confirmed save must have its own audit row."""
    expected, unsure, confirmed = {}, set(), Counter()
    for judge in judges:
        user_id = world.user_ids[judge.username]
        for (code, item), value in judge.saved.items():
            expected[(world.entry_ids[code], item, user_id)] = Decimal(value)
        unsure |= {(world.entry_ids[code], item, user_id) for code, item in judge.unsure}
        for (code, item), value in judge.confirmed:
            confirmed[(world.entry_ids[code], item, user_id, Decimal(value))] += 1
    for key, values in same_cell:
        confirmed.update((*key, Decimal(v)) for v in values)
    same_keys = {key for key, _ in same_cell}
    rows = db.session.execute(sa.select(Mark.subject_id, Mark.item_id, Mark.judge_id, Mark.value))
    stored = {}
    count = 0
    for entry_id, item_id, judge_id, value in rows:
        stored[(entry_id, item_id, judge_id)] = value
        count += 1
    audit, last = Counter(), {}
    for key_and_value in db.session.execute(
        sa.select(
            MarkChange.subject_id, MarkChange.item_id, MarkChange.judge_id, MarkChange.new_value
        ).order_by(MarkChange.id)
    ):
        audit[tuple(key_and_value)] += 1
        last[tuple(key_and_value)[:3]] = key_and_value[3]
    unmatched = sum(max(0, n - audit[k]) for k, n in confirmed.items())
    extra = sum(max(0, n - confirmed[k]) for k, n in audit.items() if k[:3] not in unsure)
    return Check(
        saves=sum(confirmed.values()),
        changes=sum(audit.values()),
        rows=count,
        distinct_rows=len(stored),
        cells_saved=len(expected),
        missing=len(expected.keys() - stored.keys()),
        unexpected=len(stored.keys() - expected.keys() - unsure - same_keys),
        wrong_values=sum(
            1
            for k, v in expected.items()
            if k in stored and k not in unsure and k not in same_keys and stored[k] != v
        ),
        unsure=len(unsure),
        unmatched=unmatched,
        extra=extra,
        same_cell_wrong=sum(1 for k in same_keys if stored.get(k) != last.get(k)),
    )


def open_phase(judges: list[Judge], world: World, meter: CpuMeter, port: int) -> Phase:
    """Saves due at a fixed rate, judge after judge, whether or not the server keeps up: save i
    is due at start + i / RATE; its latency counts from then. Each save goes on a connection of
    its own (a browser's grid has several saves in flight), with the judge's cookies."""
    total = int(RATE * SAVE_SECONDS)
    due = iter(range(total))
    take = threading.Lock()
    tallies = [Tally() for _ in range(SENDERS)]
    clock: dict[str, float] = {}

    def start() -> None:
        clock["start"] = time.perf_counter() + 0.05

    barrier = threading.Barrier(SENDERS, action=start)

    def sender(n: int) -> None:
        barrier.wait()
        while True:
            with take:
                i = next(due, None)
            if i is None:
                return
            when = clock["start"] + i / RATE
            wait = when - time.perf_counter()
            if wait > 0:
                time.sleep(wait)  # the arrival schedule: the save is not due yet
            judge = judges[i % len(judges)]
            with judge.lock:
                cell, value = judge.next_save(world.choices)
                overlap = cell in judge.inflight
                judge.inflight[cell] += 1
            body = json.dumps({"code": cell[0], "item": cell[1], "value": value})
            headers = {"Content-Type": "application/json", "X-CSRFToken": judge.csrf}
            headers["Cookie"] = "; ".join(f"{k}={v}" for k, v in judge.client.cookies.items())
            conn = http.client.HTTPConnection("127.0.0.1", port, timeout=30)
            try:
                conn.request("POST", f"/marking/{world.ct_id}/scores", body=body, headers=headers)
                response = conn.getresponse()
                response.read()
                status = response.status
            except (OSError, http.client.HTTPException) as exc:
                tallies[n].errors[type(exc).__name__] += 1
                judge.answered(cell, value, None)
                continue
            finally:
                conn.close()
                with judge.lock:
                    judge.inflight[cell] -= 1
                    overlap = overlap or judge.inflight[cell] > 0
            tallies[n].record(time.perf_counter() - when, status)
            judge.answered(cell, value, status)
            if overlap:  # another save of the cell was in flight: either may have landed last
                with judge.lock:
                    judge.unsure.add(cell)

    before = meter.snapshot()
    with ThreadPoolExecutor(SENDERS) as pool:
        list(pool.map(sender, range(SENDERS)))
    return phase_of(tallies, time.perf_counter() - clock["start"], before, meter)


def same_cell_phase(judges: list[Judge], chief: Judge, world: World) -> tuple[list, int]:
    """SAME_CELL_ROUNDS times, a judge saves a score of a cell while the chief judge corrects
    that score, both released at once; the (cell key, confirmed values) of each round, and how
    many requests of the phase failed."""
    rounds, failures = [], 0
    for n in range(SAME_CELL_ROUNDS):
        judge = judges[n % len(judges)]
        # A cell the judge has saved (so there is a score to correct), a new value for each.
        cell = sorted(judge.saved)[n // len(judges)]
        value = next(v for v in world.choices[cell[1]] if v != judge.saved[cell])
        correction = next(v for v in world.choices[cell[1]] if v not in (value, judge.saved[cell]))
        key = (world.entry_ids[cell[0]], cell[1], world.user_ids[judge.username])
        gate = threading.Barrier(2)

        def save(judge=judge, cell=cell, value=value, gate=gate):
            gate.wait()
            body = json.dumps({"code": cell[0], "item": cell[1], "value": value})
            headers = {"Content-Type": "application/json", "X-CSRFToken": judge.csrf}
            return judge.client.request("POST", f"/marking/{world.ct_id}/scores", body, headers)[0]

        def correct(key=key, cell=cell, correction=correction, gate=gate):
            form = {
                "code": cell[0],
                "item_id": cell[1],
                "judge_id": key[2],
                "value": correction,
                "reason": "复核更正：同一格同时保存",
                "csrf_token": chief.csrf,
            }
            gate.wait()
            status, _ = chief.client.request(
                "POST",
                f"/contest-trades/{world.ct_id}/review/correct",
                urlencode(form),
                {"Content-Type": "application/x-www-form-urlencoded"},
            )
            if status not in (302, 303):
                return status
            # The review page says whether the correction was made (a refusal flashes an error).
            status, page = chief.client.request("GET", f"/contest-trades/{world.ct_id}/review")
            return 303 if status == 200 and b'class="flash error"' not in page else status

        with ThreadPoolExecutor(2) as pool:
            saved, corrected = pool.submit(save), pool.submit(correct)
            saved, corrected = saved.result(), corrected.result()
        values = []
        if saved == 200:
            values.append(value)
            with judge.lock:
                judge.saved.pop(cell, None)  # its final value is judged by the audit row
        else:
            failures += 1
        if corrected in (302, 303):
            values.append(correction)
        else:
            failures += 1
        rounds.append((key, values))
    return rounds, failures


def chief_log_in(chief: Judge, ct_id: int) -> str | None:
    """Log the chief judge in and take the CSRF token of the review page's forms."""
    problem = _log_in(chief.client, chief.username)
    if problem:
        return f"the chief judge's log-in: {problem}"
    status, page = chief.client.request("GET", f"/contest-trades/{ct_id}/review")
    token = re.search(rb'name="csrf_token"[^>]*value="([^"]+)"', page)
    if status != 200 or not token:
        return f"the review page: {status}"
    chief.csrf = token[1].decode()
    return None


def measure(world: World, port: int, server_pid: int) -> tuple[Phase, Phase, Phase, list, list]:
    """Log the judges in, then run the baseline, the open model, flat-out saves and the
    same-cell rounds."""
    judges = [Judge(name, HttpClient(port)) for name in world.user_ids if name != CHIEF]
    chief = Judge(CHIEF, HttpClient(port))
    with ThreadPoolExecutor(len(judges)) as pool:
        problems = [p for p in pool.map(partial(log_in, ct_id=world.ct_id), judges) if p]
    problems += [p for p in [chief_log_in(chief, world.ct_id)] if p]
    if problems:
        sys.exit(f"{len(problems)} judges could not log in or read their grid: {problems[0]}")
    meter = CpuMeter(server_pid, DATABASE_URL)
    try:
        baseline = run_phase(judges, BASELINE_SECONDS, fetch_baseline, meter)
        opened = open_phase(judges, world, meter, port)
        step = partial(save_score, ct_id=world.ct_id, choices=world.choices)
        saves = run_phase(judges, SAVE_SECONDS, step, meter)
        same_cell, same_failures = same_cell_phase(judges, chief, world)
    finally:
        meter.close()
        for judge in (*judges, chief):
            judge.client.close()
    if same_failures:
        print(f"PROBLEM: {same_failures} requests of the same-cell phase failed")
    return baseline, opened, saves, judges, same_cell


def report(baseline: Phase, opened: Phase, saves: Phase, check: Check, rounds: int) -> None:
    """Print the figures; the last line is the one a script reads."""
    print(
        f"gunicorn: {WORKERS} sync workers; {GROUPS * JUDGES_PER_GROUP} judges, "
        f"{ENTRIES_PER_GROUP * ITEMS} cells each"
    )
    phases = (
        (f"baseline GET {BASELINE_PATH}", baseline),
        (f"saves arriving at {RATE:g}/s (open model, latency from when due)", opened),
        ("saves, flat out (no pause: the server's ceiling)", saves),
    )
    for name, phase in phases:
        print(
            f"{name}: {phase.rate:.0f}/s over {phase.seconds:.1f} s, p50 {phase.ms(50):.1f} ms, "
            f"p99 {phase.ms(99):.1f} ms, max {phase.ms(100):.1f} ms, "
            f"errors {sum(phase.errors.values())} {dict(phase.errors) or ''}"
        )
        print(f"  {phase.cpu_line()}")
        if phase.cpu["others"] / phase.seconds > 0.25:
            print("  WARNING: other processes competed for the cores; rates and latencies suffer")
    print(
        f"check: {check.saves} saves confirmed, {check.changes} mark_change rows; "
        f"{check.rows} mark rows for {check.distinct_rows} distinct cells, "
        f"{check.cells_saved} cells saved; {check.wrong_values} wrong values; "
        f"{check.unsure} cells with an unknown outcome; {check.unmatched} confirmed saves "
        f"without their own audit row; same cell, judge and chief judge at once: {rounds} rounds, "
        f"{check.same_cell_wrong} wrong"
    )
    for problem in check.problems():
        print(f"PROBLEM: {problem}")
    print(
        f"offered_per_s={RATE:g} saves_per_s={opened.rate:.1f} p99_ms={opened.ms(99):.1f} "
        f"lost={check.lost} max_saves_per_s={saves.rate:.1f} flat_p99_ms={saves.ms(99):.1f} "
        f"same_cell_wrong={check.same_cell_wrong} baseline_rps={baseline.rate:.0f}"
    )


def main() -> None:
    """Build, serve, load, check, clean up; the last line holds the figures."""
    logging.basicConfig(level=logging.WARNING)
    instance = Path(tempfile.mkdtemp(prefix="jingsai-bench-marks-"))
    env = {
        **os.environ,
        "DATABASE_URL": DATABASE_URL,
        "REDIS_URL": REDIS_URL,
        **app_keys(),
        "JINGSAI_INSTANCE": str(instance),
    }
    server = None
    recreate_database(DATABASE_URL)
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
        with app.app_context():
            world = build_world()
            db.session.remove()
        port = free_port()
        server = start_gunicorn(env, WORKERS, port, instance / "gunicorn.log", BASELINE_PATH)
        baseline, opened, saves, judges, same_cell = measure(world, port, server.pid)
        with app.app_context():
            check = verify(world, judges, same_cell)
            db.session.remove()
            db.engine.dispose()
    finally:
        if server is not None:
            stop_process(server)
        recreate_database(DATABASE_URL, drop_only=True)
    report(baseline, opened, saves, check, len(same_cell))
    if check.problems():
        sys.exit(1)


if __name__ == "__main__":
    main()

"""Blind marking as a linkage test: no one on the panel (judges, clerks, the chief judge) can
link an anonymous code to a person by any page, download or join of them while a mark of the
trade can still change. Contest-trade 1 is under two-layer encryption (二次加密): its codes
are the second layer (密号), and neither encryption officer (加密裁判) can link one to a person
either: the first layer's officer reads people and check-in numbers (检录号) but never a 密号,
the second's reads 检录号 and 密号 but never who; no panel role reads a 检录号.

For each panel role, every route the role reaches on the staff side is asked (pages, JSON,
.xlsx read with openpyxl, PDF read with pdftotext) with contest-trade 1 of the access matrix's
world in each state where its marks can still change: open, locked with draft results, and
reopened by an upheld appeal while under public notice. Public pages are left out: publication
is the rulebook's moment of decoding, and anyone may read them.
"""

import io
import json
import re
import shutil
import subprocess
from decimal import Decimal
from html.parser import HTMLParser

import pytest
from openpyxl import load_workbook

from competitions.core.db import db
from competitions.judging.models import MarkingLock
from competitions.publication.models import Appeal
from competitions.publication.services import appeals
from competitions.results.models import ResultSet
from tests.security.matrix import (
    ANONYMOUS,
    CHIEF,
    CIPHER1,
    CIPHER2,
    CLERK,
    JUDGE,
    MATRIX,
    QUERY,
    RECUSED,
    clients,
    path_of,
    rules_of,
)
from tests.security.world import NOW, World, build_world

PANEL = (CHIEF, JUDGE, RECUSED, CLERK)
#: The states of contest-trade 1 in which its marks can still change.
OPEN_STATES = ("open", "locked_draft", "reopened_by_appeal")


def _put_in_state(world: World, state: str) -> None:
    """Contest-trade 1 (built final) as it is in ``state``; committed."""
    lock = db.session.get(MarkingLock, world.ct1.id)
    result_set = db.session.get(ResultSet, world.ct1.id)
    if state == "open":  # computed once, then unlocked by the chief judge
        lock.locked, result_set.state = False, "draft"
    elif state == "locked_draft":
        lock.locked, result_set.state = True, "draft"
    elif state == "reopened_by_appeal":
        result_set.state = "notice"
        entry = world.entries[2]
        appeal = Appeal(
            assessment_id=world.ct1.id,
            subject_id=entry.id,
            real_name=entry.person.name,
            reason=f"我是{entry.person.name}，{world.unit.name}的，第二项成绩记错了",
        )
        db.session.add(appeal)
        db.session.flush()
        decision = f"经核实，{entry.person.name}（{world.delegation.name}）的尺寸记录有误"
        assert appeals.decide(appeal, True, decision, world.appeal.decided_by, NOW) is None
    db.session.commit()


class _Rows(HTMLParser):
    """The rows of an HTML page: each table row's cells, and every other text as a row."""

    def __init__(self):
        super().__init__()
        self.rows, self._row, self._cell = [], None, None

    def handle_starttag(self, tag, attrs):
        if tag == "tr":
            self._row = []
        elif tag in ("td", "th") and self._row is not None:
            self._cell = []

    def handle_endtag(self, tag):
        if tag in ("td", "th") and self._cell is not None and self._row is not None:
            self._row.append("".join(self._cell).strip())
            self._cell = None
        elif tag == "tr" and self._row is not None:
            self.rows.append(self._row)
            self._row = None

    def handle_data(self, data):
        if self._cell is not None:
            self._cell.append(data)
        elif data.strip():
            self.rows.append([data.strip()])


def _pdf_text(data: bytes) -> str:
    """What pdftotext reads from a PDF (a PDF a panel role gets must be readable here)."""
    assert shutil.which("pdftotext"), "a panel role received a PDF: install poppler-utils"
    done = subprocess.run(["pdftotext", "-", "-"], input=data, capture_output=True, check=True)
    return done.stdout.decode()


def rows_of(response) -> list[list[str]]:
    """A response as rows of text cells, whatever it is (HTML, JSON, .xlsx, PDF, text)."""
    kind, data = response.mimetype, response.get_data()
    if kind.endswith("spreadsheetml.sheet"):
        book = load_workbook(io.BytesIO(data), read_only=True)
        return [
            ["" if v is None else str(v) for v in row]
            for sheet in book.worksheets
            for row in sheet.iter_rows(values_only=True)
        ]
    if kind == "application/pdf":
        return [line.split() for line in _pdf_text(data).splitlines()]
    if kind == "application/json":
        return _json_rows(json.loads(data))
    if kind == "text/html":
        parser = _Rows()
        parser.feed(data.decode())
        return parser.rows
    return [line.split(",") for line in data.decode(errors="replace").splitlines()]


def _json_rows(value) -> list[list[str]]:
    if isinstance(value, dict):
        scalars = [str(v) for v in value.values() if not isinstance(v, dict | list)]
        nested = [r for v in value.values() if isinstance(v, dict | list) for r in _json_rows(v)]
        return [scalars, *nested]
    if isinstance(value, list):
        return [r for v in value for r in _json_rows(v)]
    return [[str(value)]]


def panel_answers(app, world: World, role: str):
    """(path, response) of every GET the role is let into on the staff side, plus the grid's
    score answers."""
    client = clients(app, world)[role]
    for rule in rules_of(app):
        if "GET" in rule.methods and ANONYMOUS not in MATRIX[rule.endpoint].allowed:
            path = path_of(rule, world)
            query = QUERY.get(rule.endpoint, lambda w: {})(world)
            response = client.get(path, query_string=query)
            if response.status_code == 200:
                yield path, response
    path = f"/marking/{world.ct1.id}/scores"
    body = {"code": world.codes[0], "item": world.items[0].id, "value": "5"}
    yield path, client.post(path, json=body)


def _numbers(row) -> set[Decimal]:
    """The decimals of a row that could be scores, totals or ranks (not codes or years)."""
    out = set()
    for cell in row:
        if re.fullmatch(r"-?\d+(\.\d+)?", cell.strip()):
            out.add(Decimal(cell.strip()).normalize())
    return out


def joins(rows_by_path: dict, codes: list[str], identities: list[str]):
    """Where a code-keyed row and a name-keyed row share a value (score, total, rank), or one
    row holds both a code and a person: each such pair unmasks a code."""
    keyed_by_code, keyed_by_person = [], []
    for path, rows in rows_by_path.items():
        for row in rows:
            text = " ".join(row)
            code = next((c for c in codes if c in row), None)
            person = next((i for i in identities if i in text), None)
            if code and person:
                yield f"{path}: {code} next to {person}"
            elif code:
                keyed_by_code.append((path, code, _numbers(row)))
            elif person:
                keyed_by_person.append((path, person, _numbers(row)))
    for path, code, values in keyed_by_code:
        for other, person, theirs in keyed_by_person:
            shared = values & theirs
            if shared:
                yield f"{path} ({code}) joins {other} ({person}) on {sorted(shared)}"


@pytest.mark.parametrize("state", OPEN_STATES)
def test_no_panel_role_can_link_a_code_to_a_person_while_marks_can_change(app, state):
    world = build_world()
    _put_in_state(world, state)
    secrets = world.identities()
    found = []
    for role in PANEL:
        rows_by_path = {}
        for path, response in panel_answers(app, world, role):
            if response.status_code >= 500:
                found.append(f"{role}: {path} crashed ({response.status_code})")
                continue
            rows = rows_of(response)
            rows_by_path[path] = rows
            text = "\n".join(" ".join(row) for row in rows)
            found += [f"{role}: {path} shows {s}" for s in secrets if s in text]
            found += [f"{role}: {path} shows 检录号 {n}" for n in _cells(rows, world.numbers)]
        found += [f"{role}: {j}" for j in joins(rows_by_path, world.codes, secrets)]
    assert not found, "\n".join(dict.fromkeys(found))


def _cells(rows, values) -> list[str]:
    """The values that stand alone in a cell of the rows (codes and numbers are short)."""
    return [value for value in values if any(value in row for row in rows)]


@pytest.mark.parametrize("state", OPEN_STATES)
def test_no_encryption_officer_can_link_a_secret_code_to_a_person(app, state):
    """Each officer reads only their own layer, and nothing else of theirs joins the two."""
    world = build_world()
    _put_in_state(world, state)
    secrets = world.identities()
    found, read = [], {CIPHER1: {}, CIPHER2: {}}
    for role in read:
        for path, response in panel_answers(app, world, role):
            if response.status_code >= 500:
                found.append(f"{role}: {path} crashed ({response.status_code})")
            elif response.status_code == 200:
                read[role][path] = rows_of(response)
    first, second = read[CIPHER1], read[CIPHER2]
    layer1 = f"/contest-trades/{world.ct1.id}/encryption/first"
    layer2 = f"/contest-trades/{world.ct1.id}/encryption/second"
    # Each reads their own layer (else the test would prove nothing).
    assert world.entries[0].person.name in str(first[layer1])
    assert set(_cells(first[layer1], world.numbers)) == set(world.numbers)
    assert set(_cells(second[layer2], world.codes)) == set(world.codes)
    assert layer2 not in first and layer1 not in second
    for path, rows in first.items():
        found += [f"{CIPHER1}: {path} shows 密号 {c}" for c in _cells(rows, world.codes)]
    for path, rows in second.items():
        text = "\n".join(" ".join(row) for row in rows)
        found += [f"{CIPHER2}: {path} shows {s}" for s in secrets if s in text]
    found += [f"{CIPHER2}: {j}" for j in joins(second, world.codes, secrets)]
    found += [f"{CIPHER1}: {j}" for j in joins(first, world.codes, secrets)]
    assert not found, "\n".join(dict.fromkeys(found))


def test_the_chief_judge_reads_names_once_the_results_are_final(app):
    """Blind until final: then the chief judge's results page names the contestants."""
    world = build_world()  # contest-trade 1 is final
    page = clients(app, world)[CHIEF].get(f"/contest-trades/{world.ct1.id}/results")
    assert world.contestant.name in page.get_data(as_text=True)


@pytest.mark.parametrize("state", OPEN_STATES)
def test_organisers_still_read_the_names_while_marks_can_change(app, state):
    world = build_world()
    _put_in_state(world, state)
    page = clients(app, world)["org"].get(f"/contest-trades/{world.ct1.id}/results")
    assert world.contestant.name in page.get_data(as_text=True)


def _probe(client, path: str, name: str, id_number: str):
    """A post that names a person every way a form might ask (relation, appeal, look-up), as
    the role gets it back, with what was typed taken out of the answer."""
    data = {
        "name": name,
        "real_name": name,
        "id_number": id_number,
        "relation": "同事",
        "reason": "核对此人是否参赛",
    }
    client.get("/")  # shows (and so clears) what an earlier post left to flash
    response = client.post(path, data=data)
    body = response.get_data(as_text=True).replace(name, "…").replace(id_number, "…")
    # A CSRF token carries the second it was made: the same answer a second later differs there.
    body = re.sub(r'(csrf_token"[^>]*value=|data-csrf=)"[^"]*"', r'\1"…"', body)
    return response.status_code, response.headers.get("Location"), body


def test_no_answer_to_a_panel_role_tells_whether_a_person_is_entered(app):
    """The family of the relation probe: every form a panel role may post, asked about an
    entered contestant and about a made-up person, answers alike."""
    world = build_world()
    _put_in_state(world, "open")
    entered = world.entries[2].person
    made_up = ("周未报", "11010119800101001X")
    found = []
    for role in PANEL:
        client = clients(app, world)[role]
        for rule in rules_of(app):
            access = MATRIX[rule.endpoint]
            if "POST" not in rule.methods or role not in access.allowed:
                continue
            if ANONYMOUS in access.allowed:
                continue  # public forms (the contestant's own look-up is rate limited)
            if rule.endpoint in ("accounts.logout", "accounts.end_my_sessions"):
                continue  # they end the prober's own session: nobody else's facts in them
            path = path_of(rule, world)
            if _probe(client, path, entered.name, entered.id_number) != _probe(
                client, path, *made_up
            ):
                found.append(f"{role}: POST {path} answers differently for an entered person")
    assert not found, "\n".join(found)

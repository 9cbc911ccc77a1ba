"""The organiser's exports of a contest-trade: results and score sheets as .xlsx, a print view."""

from datetime import date
from decimal import Decimal
from io import BytesIO

import pytest
from openpyxl import load_workbook
from sqlalchemy import select

from competitions.accounts.models import User
from competitions.core.db import db
from competitions.core.sheet_rules import neutralise_cell
from competitions.judging.models import CodeReveal, Mark, MarkingLock
from competitions.judging.services.marks import save_score
from competitions.results.models import ResultSet
from competitions.results.services import compute
from tests import factories as f
from tests.judging.marking_world import build

FORMULA_NAME = '=HYPERLINK("http://x","y")'
SCRIPT_NAME = "<script>alert(1)</script>"


@pytest.mark.parametrize(
    ("value", "expected"),
    [
        (FORMULA_NAME, "'" + FORMULA_NAME),
        ("+86 531 1234", "'+86 531 1234"),
        ("-1", "'-1"),
        ("@SUM(A1:A9)", "'@SUM(A1:A9)"),
        ("\t=1+1", "'\t=1+1"),
        ("\r=1+1", "'\r=1+1"),
        ("\x00=1+1", "'=1+1"),  # a control character cannot hide the formula
        ("a\x07b", "ab"),  # nor be written into the workbook
        ("a=b", "a=b"),
        ("张三", "张三"),
        (SCRIPT_NAME, SCRIPT_NAME),  # inert in a spreadsheet; HTML escapes it
        ("", ""),
        (None, None),
        (-1, -1),
        (Decimal("-2.5"), Decimal("-2.5")),
        (80, 80),
        (True, True),
        (date(2019, 5, 10), date(2019, 5, 10)),
    ],
)
def test_a_cell_never_runs_as_a_formula(value, expected):
    assert neutralise_cell(value) == expected


def _scored_world(lock: bool):
    """Three entries (one with a formula for a name, one with a script), a hostile delegation
    name, judges who differ on the judged item; locked and computed when ``lock``."""
    world = build(n_entries=3)
    world.ct.theory_weight, world.ct.practical_weight = Decimal(0), Decimal(100)
    world.entries[0].person.name = FORMULA_NAME
    world.entries[1].person.name = SCRIPT_NAME
    team = f.delegation(world.ct.contest, "@济南代表队")
    for entry in world.entries:
        entry.delegation_id = team.id
    judged, measured = world.items
    for entry, base in zip(world.entries, (Decimal(9), Decimal(7), Decimal(5)), strict=True):
        for n, judge in enumerate(world.judges):
            score = base - Decimal("0.5") * n  # judge1 9, judge2 8.5, judge3 8 …
            save_score(world.ct.id, entry.id, judged.id, judge.id, score, judge.id)
            save_score(world.ct.id, entry.id, measured.id, judge.id, Decimal(3), judge.id)
    db.session.commit()
    if lock:
        db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
        db.session.commit()
        compute.recompute([world.ct.id])
        db.session.commit()
    return world


def _book(client, url):
    response = client.get(url)
    assert response.status_code == 200, response.status_code
    assert response.mimetype.endswith("spreadsheetml.sheet")
    assert response.headers["Cache-Control"] == "no-store"
    return load_workbook(BytesIO(response.data))


def _rows(sheet):
    return [[cell.value for cell in row] for row in sheet.iter_rows()]


def _is_inert(cell, text: str) -> bool:
    """Stored as text (not a formula) that shows the name after a neutralising apostrophe."""
    return cell.data_type == "s" and cell.value == "'" + text


def test_the_organiser_downloads_the_ranked_results(client, login):
    world = _scored_world(lock=True)
    world.entries[0].time_used_s = 3150
    db.session.commit()
    login("org")
    client.get("/lang/en")
    book = _book(client, f"/contest-trades/{world.ct.id}/results.xlsx")
    results, teams, honours = book.worksheets
    assert [s.title for s in book.worksheets] == ["Results", "Team results", "Honours recommended"]
    title = results["A1"].value
    assert world.ct.contest.name in title and "Fitter" in title and "Draft" in title  # English
    assert _rows(results)[1] == [
        "Rank",
        "Full name",
        "Gender",
        "ID number",
        "Unit",
        "Delegation",
        "Theory",
        "Practical",
        "Total",
        "Award",
        "Time used",
    ]  # no "Advances": the contest feeds no higher contest
    body = _rows(results)[2:]
    assert [row[10] for row in body] == ["52:30", None, None]  # as minutes:seconds
    assert [row[0] for row in body] == [1, 2, 3]
    assert [row[8] for row in body] == [76.67, 63.33, 50]
    # Part scores as people read them, 2 places like the totals (exact ones: score sheets).
    assert [row[7] for row in body] == [76.67, 63.33, 50]
    assert results["H3"].number_format == results["I5"].number_format == "0.00"
    assert [row[9] for row in body] == ["Second prize", "Third prize", None]
    ids = [e.person.id_number for e in world.entries]
    assert [row[3] for row in body] == ids  # whole ID numbers for the organiser
    assert body[2][1] == "选手2号" and body[0][2] == "Male" and body[0][4] == "济钢"
    assert _is_inert(results["B3"], FORMULA_NAME)
    assert results["B4"].value == SCRIPT_NAME  # inert text in a spreadsheet
    assert _is_inert(results["F3"], "@济南代表队")
    assert all(cell.data_type != "f" for row in results.iter_rows() for cell in row)
    team_rows = _rows(teams)[2:]
    assert team_rows[0][:4] == [1, "'@济南代表队", 190, "First prize"]  # the best three
    assert teams["C3"].number_format == "0.00"  # read as 190.00, like on the pages
    assert _is_inert(teams["B3"], "@济南代表队")
    assert "选手2号" in team_rows[0][4]
    honour_rows = _rows(honours)[2:]
    assert ("May Day Labour Medal", "'" + FORMULA_NAME) in {(r[0], r[1]) for r in honour_rows}
    assert {r[4] for r in honour_rows} == {"Recommended"}


def test_an_unranked_entry_shows_its_status_in_place_of_a_rank(client, login):
    world = _scored_world(lock=False)
    world.entries[0].status = "absent"
    db.session.merge(MarkingLock(assessment_id=world.ct.id, locked=True))
    db.session.commit()
    compute.recompute([world.ct.id])
    db.session.commit()
    login("org")
    client.get("/lang/en")
    body = _rows(_book(client, f"/contest-trades/{world.ct.id}/results.xlsx").worksheets[0])[2:]
    ranked = [(1, SCRIPT_NAME), (2, "选手2号")]
    assert [(row[0], row[1]) for row in body] == [*ranked, ("Absent", "'" + FORMULA_NAME)]
    assert body[2][6:9] == [None, None, None]  # no scores it did not earn


def test_a_chief_judge_exports_by_code_until_final_then_with_masked_id_numbers(client, login):
    world = _scored_world(lock=True)
    login("chief")
    url = f"/contest-trades/{world.ct.id}/results.xlsx"
    draft = _book(client, url)
    cells = {str(v) for sheet in draft.worksheets for row in _rows(sheet) for v in row}
    assert set(world.codes) <= cells
    assert not {e.person.name for e in world.entries} & cells
    assert [sheet.title for sheet in draft.worksheets] == ["成绩", "荣誉推荐"]  # no team results
    db.session.get(ResultSet, world.ct.id).state = "final"
    db.session.commit()
    id_number = world.entries[2].person.id_number
    masked = id_number[:4] + "*" * 10 + id_number[-4:]
    assert _rows(_book(client, url).worksheets[0])[4][3] == masked


def _marks_in_db(world) -> dict:
    """{(code, item code, judge username): value} as saved."""
    codes = {e.id: c for e, c in zip(world.entries, world.codes, strict=True)}
    items = {i.id: i.code for i in world.items}
    judges = {j.id: j.username for j in world.judges}
    return {
        (codes[m.subject_id], items[m.item_id], judges[m.judge_id]): m.value
        for m in db.session.scalars(select(Mark))
    }


def _everything(book) -> str:
    return " ".join(str(c.value) for s in book.worksheets for r in s.iter_rows() for c in r)


def test_score_sheets_show_codes_only_before_the_lock(client, login):
    world = _scored_world(lock=False)
    login("org")
    client.get("/lang/en")
    book = _book(client, f"/contest-trades/{world.ct.id}/score-sheets.xlsx")
    marks, sums = book.worksheets
    assert "not locked" in marks["A1"].value
    header = _rows(marks)[1]
    assert header[:5] == ["Code", "Part", "Item", "Criterion", "Max mark"]
    assert header[5:] == ["Judge1 (judge1)", "Judge2 (judge2)", "Judge3 (judge3)", "Item mark"]
    text = _everything(book)
    assert "选手2号" not in text and "HYPERLINK" not in text and "济钢" not in text
    saved = _marks_in_db(world)
    rows = _rows(marks)[2:]
    assert len(rows) == len(world.entries) * len(world.items)
    for row in rows:
        code, item = row[0], row[2]
        for n, judge in enumerate(("judge1", "judge2", "judge3")):
            assert Decimal(str(row[5 + n])) == saved[(code, item, judge)]
    first = next(r for r in rows if r[0] == world.codes[0] and r[2] == "J1")
    assert first[5:9] == [9, 8.5, 8, 8.5]  # the mean of the three judges
    assert _rows(sums)[1] == ["Code", "Practical: sum of items", "Practical: part score"]
    by_code = {r[0]: r[1:] for r in _rows(sums)[2:]}
    assert by_code[world.codes[0]] == [11.5, pytest.approx(76.6667)]
    assert db.session.scalar(select(CodeReveal)) is None


def test_score_sheets_name_the_entries_after_the_lock_and_record_it(client, login):
    world = _scored_world(lock=True)
    login("chief")  # a chief judge keeps to the codes: the list is the organiser's
    chief_book = _book(client, f"/contest-trades/{world.ct.id}/score-sheets.xlsx")
    assert "选手2号" not in _everything(chief_book)
    assert db.session.scalar(select(CodeReveal)) is None
    login("org")
    client.get("/lang/en")
    book = _book(client, f"/contest-trades/{world.ct.id}/score-sheets.xlsx")
    marks = book.worksheets[0]
    assert marks["A1"].value.endswith("The marks are locked.")
    assert _rows(marks)[1][:4] == ["Code", "Full name", "Unit", "Part"]
    rows = {(r[0], r[4]): r for r in _rows(marks)[2:]}
    assert rows[(world.codes[2], "J1")][1:3] == ["选手2号", "济钢"]
    assert _is_inert(marks.cell(3, 2), FORMULA_NAME)
    reveal = db.session.scalar(select(CodeReveal))
    organiser = db.session.scalar(select(User).filter_by(username="org"))
    assert (reveal.what, reveal.user_id) == ("export", organiser.id)


def test_the_printable_report_lists_the_results_with_signature_lines(client, login):
    world = _scored_world(lock=True)
    login("org")
    page = client.get(f"/contest-trades/{world.ct.id}/results/report").get_data(as_text=True)
    assert "裁判长" in page and "组委会" in page  # the default language is Chinese
    client.get("/lang/en")
    response = client.get(f"/contest-trades/{world.ct.id}/results/report")
    page = response.get_data(as_text=True)
    assert response.status_code == 200
    assert page.count("Signature") == 2 and page.count("Date<span") == 2
    assert "Chief judge" in page and "Organiser" in page and "(Chief)" in page
    assert "print.css" in page and "js/print.js" in page and 'id="print"' in page
    assert world.ct.contest.name in page and "Province" in page and "2019-05-10" in page
    assert "<strong>Draft</strong>" in page
    assert SCRIPT_NAME not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    table = page[page.index('id="report-results"') : page.index("</table>")]
    positions = [table.index(t) for t in ("76.67", "63.33", "50.00")]
    assert positions == sorted(positions)
    assert "Second prize" in table and "选手2号" in table


def test_the_results_page_offers_the_exports(client, login):
    world = _scored_world(lock=True)
    login("org")
    page = client.get(f"/contest-trades/{world.ct.id}/results").get_data(as_text=True)
    for url in ("results.xlsx", "results/report", "score-sheets.xlsx"):
        assert f"/contest-trades/{world.ct.id}/{url}" in page


def test_nothing_to_export_before_the_results_are_computed(client, login):
    world = _scored_world(lock=False)
    login("org")
    client.get("/lang/en")
    for url in ("results.xlsx", "results/report"):
        response = client.get(f"/contest-trades/{world.ct.id}/{url}", follow_redirects=True)
        assert response.request.path == f"/contest-trades/{world.ct.id}/results"
        assert "Not computed yet" in response.get_data(as_text=True)


URLS = ("results.xlsx", "score-sheets.xlsx", "results/report")


def test_only_the_contests_organisers_and_chief_judges_export(app, client, login):
    world = _scored_world(lock=True)
    for role in ("clerk", "arbitrator"):
        f.grant(f.user(role), world.ct.contest, role)
    other = f.contest("QD-2019")
    f.grant(f.user("other-org"), other, "organiser")
    db.session.commit()
    for url in URLS:
        response = client.get(f"/contest-trades/{world.ct.id}/{url}")
        assert response.status_code == 302 and "/login" in response.headers["Location"]
    for user in ("judge1", "clerk", "arbitrator", "other-org"):
        login(user)
        for url in URLS:
            assert client.get(f"/contest-trades/{world.ct.id}/{url}").status_code == 403, user
    for user in ("org", "chief"):
        login(user)
        for url in URLS:
            assert client.get(f"/contest-trades/{world.ct.id}/{url}").status_code == 200, user

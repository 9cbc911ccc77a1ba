"""The contest day in Debian's chromium, on the demo data: the chief judge reopens the welders'
marks; the organiser imports the computer-based theory exam by ID number and practical marks
by anonymous code, which lifts the last two contestants to the top, equal on total and
practical; the clerk types their time used by code; the chief judge locks, and the time used
decides their order on the results page."""

import re
import sqlite3

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import new_page, running_app, sign_lock, site_keyring
from tests.imports.sheets import xlsx_bytes

pytestmark = pytest.mark.browser

#: Full marks on every item of the demo scheme (seeds/data/judging.json).
PRACTICAL = {"P1": 40, "P2": 20, "P3": 20, "P4": 15, "P5": 5}
THEORY = {"T1": 40, "T2": 60}


@pytest.fixture(scope="module")
def contest_day(tmp_path_factory):
    """A demo site of its own (this journey reopens and relocks the welders' marks)."""
    instance = tmp_path_factory.mktemp("contest-day")
    with running_app(instance, "jingsai-contest-day") as url:
        yield url, instance / "jingsai.sqlite"


def read(database, sql: str, *args) -> list[tuple]:
    """Rows of the site's own database, as the app committed them."""
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, args).fetchall()


def upload(page, url: str, name: str, data: bytes) -> None:
    """Upload a marks file on its import page; the job page reloads itself until it ends."""
    page.goto(url)
    page.set_input_files(
        "#file", files=[{"name": name, "mimeType": "application/octet-stream", "buffer": data}]
    )
    page.click("main form.form button.primary")
    page.wait_for_url(re.compile(r"/import/[0-9a-f-]{36}$"))
    expect(page.locator(".flash.success")).to_be_visible(timeout=60000)


def test_time_used_typed_by_the_clerk_decides_a_tie_made_by_imported_marks(contest_day, browser):
    base, database = contest_day
    ((ct_id,),) = read(
        database,
        "SELECT ct.id FROM contest_trade ct JOIN contest c ON c.id = ct.contest_id "
        "JOIN trade t ON t.id = ct.trade_id WHERE c.code = 'SD-2018' AND t.code = '6-18-02-04'",
    )
    # The two contestants ranked last: their ID numbers (the theory file) and codes (the rest).
    last_two = read(
        database,
        "SELECT p.name, p.id_number, ec.code, e.time_used_s, r.rank FROM result r "
        "JOIN entry e ON e.id = r.subject_id JOIN person p ON p.id = e.person_id "
        "JOIN subject_code ec ON ec.subject_id = e.id "
        "WHERE r.assessment_id = ? AND r.rank IS NOT NULL ORDER BY r.rank DESC LIMIT 2",
        ct_id,
    )
    keys = site_keyring(database.parent)  # ID numbers are kept encrypted
    last_two = [(name, keys.decrypt_text(number), *rest) for name, number, *rest in last_two]
    (slow, *_), (fast, *_) = sorted(last_two, key=lambda row: row[3])  # by the demo's time
    assert min(row[4] for row in last_two) > 2

    chief = new_page(browser, base, "chief")
    chief.goto(f"{base}/contest-trades/{ct_id}/review")
    chief.fill("#reason", "理论机考成绩和部分实操成绩以表格提交，需导入")
    chief.click("#unlock")
    expect(chief.locator("#lock")).to_be_visible()

    organiser = new_page(browser, base, "organiser")
    organiser.goto(f"{base}/contests")
    organiser.click("a:has-text('2018年山东省职工职业技能大赛')")
    organiser.locator("tr", has_text="焊工").locator("a", has_text="导入理论知识成绩").click()
    theory_url = organiser.url
    assert theory_url.endswith(f"/contest-trades/{ct_id}/import/theory")
    theory = [[number, name, *THEORY.values()] for name, number, *_ in last_two]
    upload(
        organiser,
        theory_url,
        "理论机考成绩.xlsx",
        xlsx_bytes(theory, ["证件号码", "姓名", *THEORY]),
    )
    assert "已保存评分项得分" in organiser.locator("#counts").inner_text()
    practical = [[code, *PRACTICAL.values()] for _, _, code, *_ in last_two]
    upload(
        organiser,
        f"{base}/contest-trades/{ct_id}/import/practical",
        "实操成绩.xlsx",
        xlsx_bytes(practical, ["加密号", *PRACTICAL]),
    )

    # The clerk types the time used by code: the one slower in the demo is now the faster.
    clerk = new_page(browser, base, "clerk1")
    clerk.goto(f"{base}/contests")
    clerk.click("a:has-text('2018年山东省职工职业技能大赛')")
    clerk.locator("tr", has_text="焊工").locator("a", has_text="用时").click()
    page_text = clerk.locator("main").inner_text()
    assert all(name not in page_text for name, *_ in last_two)  # codes only, never names
    codes = {name: code for name, _, code, *_ in last_two}
    for name, typed in ((slow, "48分05秒"), (fast, "52:30")):
        cell = clerk.locator(f'#time-grid input[data-code="{codes[name]}"]')
        cell.fill(typed)
        cell.press("Enter")
        expect(cell).to_have_class(re.compile(r"\bsaved\b"))
    clerk.reload()
    assert clerk.locator(f'input[data-code="{codes[slow]}"]').input_value() == "48:05"
    assert clerk.locator(f'input[data-code="{codes[fast]}"]').input_value() == "52:30"
    times = dict(
        read(
            database,
            "SELECT p.name, e.time_used_s FROM entry e JOIN person p ON p.id = e.person_id "
            "WHERE e.contest_trade_id = ? AND p.name IN (?, ?)",
            ct_id,
            slow,
            fast,
        )
    )
    assert times == {slow: 48 * 60 + 5, fast: 52 * 60 + 30}

    chief.goto(f"{base}/contest-trades/{ct_id}/review")
    sign_lock(chief)
    expect(chief.locator("#unlock")).to_be_visible()

    # The recompute runs on the worker; the results page reloads itself when it ends.
    organiser.goto(f"{base}/contest-trades/{ct_id}/results")
    first, second = (organiser.locator("#results tbody tr").nth(i) for i in (0, 1))
    expect(first.locator("td").nth(1)).to_have_text(slow, timeout=60000)
    expect(second.locator("td").nth(1)).to_have_text(fast)
    cells = [[c.strip() for c in row.locator("td").all_inner_texts()] for row in (first, second)]
    assert cells[0][0] == "1" and cells[1][0] == "2"  # the imports lifted them from the bottom
    assert (
        cells[0][4:7] == cells[1][4:7] == ["100.00", "100.00", "100.00"]
    )  # equal: theory, practical, total (2 places, as people read scores)
    assert (cells[0][-1], cells[1][-1]) == ("48:05", "52:30")  # and the time used decided
    organiser.reload()
    expect(organiser.locator("#results tbody tr").first.locator("td").nth(1)).to_have_text(slow)
    ranks = dict(
        read(
            database,
            "SELECT p.name, r.rank FROM result r JOIN entry e ON e.id = r.subject_id "
            "JOIN person p ON p.id = e.person_id WHERE r.assessment_id = ? AND p.name IN (?, ?)",
            ct_id,
            slow,
            fast,
        )
    )
    assert ranks == {slow: 1, fast: 2}

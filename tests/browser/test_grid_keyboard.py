"""The judge's grid by keyboard alone, in Debian's chromium: a column typed with Enter, a row with
Tab and a column upwards with ↑ each land in their own cells, as the database and a reload show;
a click selects a cell's value; an error line goes once its cell saves; the header names the
items; 我的评分 shows the judge's progress; a locked trade says so."""

import re
import sqlite3
from decimal import Decimal

import pytest

from tests.browser.conftest import ARTIFACTS, new_page, running_app

pytestmark = pytest.mark.browser

SHOTS = ARTIFACTS / "grid"  # screenshots for a person to look at
JUDGE = "judge1"


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A demo site of this module's own, whose database the test reads."""
    instance = tmp_path_factory.mktemp("grid-instance")
    with running_app(instance, "jingsai-grid") as url:
        yield url, instance / "jingsai.sqlite"


def stored_marks(db_path, username: str, ct_id: int) -> dict[tuple[str, str], Decimal]:
    """{(code, item id): value} of the judge's marks in the contest-trade, read from the
    database."""
    with sqlite3.connect(db_path) as con:
        rows = con.execute(
            "SELECT ec.code, m.item_id, m.value FROM mark m"
            " JOIN subject_code ec ON ec.subject_id = m.subject_id"
            " JOIN user_account u ON u.id = m.judge_id"
            " WHERE u.username = ? AND ec.assessment_id = ?",
            (username, ct_id),
        ).fetchall()
    return {(code, str(item)): Decimal(str(value)) for code, item, value in rows}


def cell(page, row: int, col: int):
    return page.locator(f'input.score[data-row="{row}"][data-col="{col}"]')


def wait_saved(page):
    """Wait until the grid says every typed score is saved (the page's own save state)."""
    page.wait_for_selector("#save-state[data-state=saved]")


def shown(page) -> dict[tuple[str, str], Decimal]:
    """{(code, item id): value} of the filled cells on the page."""
    cells = page.eval_on_selector_all(
        "input.score", "els => els.map(e => [e.dataset.code, e.dataset.item, e.value])"
    )
    return {(code, item): Decimal(value) for code, item, value in cells if value}


def key_of(page, row: int, col: int) -> tuple[str, str]:
    c = cell(page, row, col)
    return c.get_attribute("data-code"), c.get_attribute("data-item")


def open_grid(page, base: str, trade: str) -> int:
    page.goto(base + "/marking")
    page.locator("#seats tr", has_text=trade).locator("a[href*='/marking/']").first.click()
    page.wait_for_url(re.compile(r"/marking/\d+$"))
    return int(page.url.rsplit("/", 1)[1])


def test_a_judge_types_columns_and_rows_by_keyboard(site, browser):
    base, db_path = site
    page = new_page(browser, base, JUDGE)
    ct_id = open_grid(page, base, "钳工")
    assert not page.locator("#locked").count()
    header = page.locator("#score-grid thead").inner_text()
    assert "尺寸精度" in header and "安全文明生产" in header  # item names, not only codes
    rows = page.locator("#score-grid tbody tr").count()
    assert rows >= 10
    expected: dict[tuple[str, str], Decimal] = {}

    # A whole column (P1, max 40, step 0.1) typed downwards with Enter.
    cell(page, 0, 2).click()
    for row in range(rows):
        value = f"{row + 1}.{row % 10}"
        page.keyboard.type(value)
        page.keyboard.press("Enter")
        expected[key_of(page, row, 2)] = Decimal(value)
    wait_saved(page)

    # A whole row typed with Tab (T1 … P5).
    row_values = ["31.5", "47", "22.2", "11.3", "14.5", "9", "3.5"]
    cell(page, 1, 0).click()
    for col, value in enumerate(row_values):
        page.keyboard.type(value)
        page.keyboard.press("Tab")
        expected[key_of(page, 1, col)] = Decimal(value)
    wait_saved(page)
    page.screenshot(path=f"{SHOTS}/grid-typed.png", full_page=True)

    # A column (P3, max 20, step 0.5) typed upwards with ↑, from the last row.
    cell(page, rows - 1, 4).click()
    for row in reversed(range(rows)):
        value = str(Decimal(row % 20) + Decimal("0.5"))
        page.keyboard.type(value)
        page.keyboard.press("ArrowUp")
        expected[key_of(page, row, 4)] = Decimal(value)
    wait_saved(page)

    assert shown(page) == expected
    assert stored_marks(db_path, JUDGE, ct_id) == expected
    assert page.locator("#done-count").inner_text() == str(len(expected))
    page.reload()
    assert shown(page) == expected

    # Clicking into a filled cell selects its whole value: typing replaces it.
    filled = cell(page, 1, 1)
    filled.click()
    selected = filled.evaluate("e => [e.selectionStart, e.selectionEnd, e.value.length]")
    assert selected == [0, len("47"), len("47")]
    page.keyboard.type("46.5")
    page.keyboard.press("Enter")
    wait_saved(page)
    expected[key_of(page, 1, 1)] = Decimal("46.5")

    # A refused score shows an error line, which goes once that cell saves.
    bad = cell(page, 2, 6)  # P5, max 5
    bad.click()
    page.keyboard.type("9")
    page.keyboard.press("Enter")
    page.wait_for_selector("#grid-errors li")
    assert "P5" in page.locator("#grid-errors").inner_text()
    page.screenshot(path=f"{SHOTS}/grid-error.png", full_page=True)
    bad.click()
    page.keyboard.type("4.5")
    page.keyboard.press("Enter")
    wait_saved(page)
    assert page.locator("#grid-errors li").count() == 0
    expected[key_of(page, 2, 6)] = Decimal("4.5")
    assert stored_marks(db_path, JUDGE, ct_id) == expected

    # 我的评分 shows how far the judge is, per trade.
    page.goto(base + "/marking")
    items = len(row_values)
    progress = page.locator("#seats tr", has_text="钳工").inner_text()
    assert f"{len(expected)} / {rows * items}" in progress
    page.screenshot(path=f"{SHOTS}/my-marking.png", full_page=True)


def test_a_locked_grid_says_so(site, browser):
    base, _ = site
    page = new_page(browser, base, JUDGE)
    open_grid(page, base, "焊工")
    assert page.locator("#locked").is_visible()
    assert page.locator("input.score").first.is_disabled()
    page.screenshot(path=f"{SHOTS}/grid-locked.png", full_page=True)


def test_a_clerk_finds_their_sheets_on_my_marking(site, browser):
    base, _ = site
    page = new_page(browser, base, "clerk1")
    page.goto(base + "/marking")
    page.locator("#clerk-sheets a[href*='/sheets']").first.click()
    page.wait_for_url(re.compile(r"/sheets$"))
    assert page.locator("#start-sheet").is_visible()


def test_the_chief_judge_prints_blank_marking_sheets(site, browser):
    base, db_path = site
    page = new_page(browser, base, "chief")
    page.goto(base + "/marking")
    page.locator("#seats tr", has_text="钳工").locator("a[href*='/review']").click()
    page.click("#blank-sheets")
    page.wait_for_url(re.compile(r"/sheets/blank$"))
    assert page.locator("article.blank-sheet").count() == 4  # four judges
    with sqlite3.connect(db_path) as con:
        names = [n for (n,) in con.execute("SELECT name FROM person")]
    text = page.locator("main").inner_text()
    assert names and not [n for n in names if n in text]
    page.emulate_media(media="print")
    page.screenshot(path=f"{SHOTS}/blank-sheets-print.png", full_page=True)
    page.pdf(path=f"{SHOTS}/blank-sheets.pdf", format="A4")

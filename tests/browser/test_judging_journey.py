"""Judging on the demo data, in Debian's chromium: judges see only codes and mark by keyboard;
the chief judge resolves a disagreement and locks; an edit after the lock is refused; a recused
judge cannot be assigned."""

import re

import pytest

from tests.browser.conftest import new_page, sign_lock

pytestmark = pytest.mark.browser

FILL_ALL = """async ([url, csrf, value]) => {
  const cells = [...document.querySelectorAll('input.score')].filter(i => i.value === '');
  for (const cell of cells) {
    const max = cell.closest('table').querySelectorAll('thead th')[cell.closest('td').cellIndex]
      .querySelector('small').textContent.replace(/[^0-9.]/g, '');
    const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json',
      'X-CSRFToken': csrf}, body: JSON.stringify({code: cell.dataset.code,
      item: cell.dataset.item, value: String(Math.min(Number(max), value))})});
    if (!r.ok) { throw new Error(await r.text()); }
  }
  return cells.length;
}"""


def log_in(browser, base, username):
    return new_page(browser, base, username)


def open_grid(page, base):
    page.goto(base + "/marking")
    page.locator("tr", has_text="钳工").locator("a[href*='/marking/']").first.click()
    page.wait_for_url(re.compile(r"/marking/\d+$"))
    return page.url


def fill_rest(page, value):
    table = page.locator("#score-grid")
    url = table.get_attribute("data-save-url")
    csrf = table.get_attribute("data-csrf")
    return page.evaluate(FILL_ALL, [url, csrf, value])


def test_judges_mark_blind_and_the_chief_judge_locks(live_server, browser):
    base = live_server
    organiser = log_in(browser, base, "organiser")
    organiser.goto(base + "/contests")
    organiser.click("a:has-text('2018年山东省职工职业技能大赛')")
    organiser.wait_for_url(re.compile(r"/contests/\d+$"))
    contest_url = organiser.url
    organiser.goto(contest_url + "/entries")
    names = [
        n.strip() for n in organiser.locator("#entries tbody tr td:first-child").all_inner_texts()
    ]
    assert len(names) > 10

    judge = log_in(browser, base, "judge2")
    grid_url = open_grid(judge, base)
    page_text = judge.content()
    assert not [n for n in names if n and n in page_text]  # codes only, never names
    codes = judge.locator("#score-grid tbody th").all_inner_texts()
    assert codes and all(c.strip().isdigit() for c in codes)

    # Keyboard: type a score, Enter moves down and saves; the progress follows.
    first = judge.locator("input.score").first
    first.click()
    first.fill("38")
    first.press("Enter")
    judge.wait_for_selector("input.score.saved")
    assert re.search(r"\b1\b", judge.locator("#progress").inner_text())
    # A score above the maximum is refused with the reason.
    second = judge.locator("input.score").nth(1)
    second.fill("99")
    second.press("Tab")
    judge.wait_for_selector("input.score.error")
    assert judge.locator("input.score.error").get_attribute("title")
    second.fill("10")  # corrected
    second.press("Tab")
    judge.wait_for_function("!document.querySelector('input.score.error')")

    # Everyone marks everything (judge3 far away from the others on the first judged item).
    fill_rest(judge, 12)
    others = {}
    for username, value in (("judge1", 12), ("judge3", 4), ("judge4", 12)):
        others[username] = log_in(browser, base, username)
        open_grid(others[username], base)
        fill_rest(others[username], value)

    chief = log_in(browser, base, "chief")
    chief.goto(base + "/marking")
    chief.locator("tr", has_text="钳工").locator("a[href*='/review']").click()
    review_url = chief.url
    sign_lock(chief)
    assert chief.locator(".flash.error").count() >= 1  # disagreements are open
    assert chief.locator("#lock-state").inner_text() != "成绩已锁定。"
    flags = chief.locator("#flags tr.flag-open")
    flags_before = flags.count()
    assert flags_before > 1
    # Every disagreement at once: select all, one decision, one comment, one reload.
    chief.check("#select-all-flags")
    assert chief.locator("#flags input[name=flags]:checked").count() == flags.count()
    chief.select_option("#many-action", "confirm")
    chief.fill("#many-comment", "经复核，评分有据，予以确认")
    chief.click("#resolve-many-submit")
    chief.wait_for_url(review_url)
    assert chief.locator("#flags tr.flag-open").count() == 0
    assert chief.locator("#flags tr.flag-confirmed").count() == flags_before
    sign_lock(chief)
    chief.wait_for_url(review_url)
    assert chief.locator("#unlock").is_visible(), chief.locator(".flash").all_inner_texts()

    # After the lock the judge's grid is closed, and the server refuses a change.
    judge.goto(grid_url)
    assert judge.locator("input.score").first.is_disabled()
    status = judge.evaluate(
        """async ([url, csrf]) => (await fetch(url, {method: 'POST',
      headers: {'Content-Type': 'application/json', 'X-CSRFToken': csrf},
      body: JSON.stringify({code: document.querySelector('input.score').dataset.code,
        item: document.querySelector('input.score').dataset.item, value: '1'})})).status""",
        [
            judge.locator("#score-grid").get_attribute("data-save-url"),
            judge.locator("#score-grid").get_attribute("data-csrf"),
        ],
    )
    assert status == 409

    # The lock made the worker compute the results; the organiser confirms who advances.
    organiser.goto(contest_url)
    organiser.locator("#trades tr", has_text="钳工").locator("a[href*='/results']").click()
    organiser.locator("#results tbody tr td:first-child", has_text="1").first.wait_for(
        timeout=60000
    )
    # The progress bar reloads the page when the job ends: count once it has.
    organiser.locator(".jobbox").wait_for(state="detached", timeout=60000)
    organiser.wait_for_load_state()
    assert organiser.locator("#results tbody tr", has_text="✓").count() >= 2
    advancing = organiser.locator("#results tbody tr", has_text="✓").count()
    organiser.click("#advance")
    assert f"新增 {advancing} 条" in organiser.locator(".flash.success").inner_text()
    organiser.click("#advance")  # again: nothing new, nothing doubled
    assert "新增 0 条" in organiser.locator(".flash.success").inner_text()


def test_a_recused_judge_cannot_be_assigned(live_server, browser):
    base = live_server
    organiser = log_in(browser, base, "organiser")
    organiser.goto(base + "/contests")
    organiser.click("a:has-text('2018年山东省职工职业技能大赛')")
    organiser.wait_for_url(re.compile(r"/contests/\d+$"))
    organiser.locator("tr", has_text="钳工").locator(
        "a", has_text=re.compile("裁判组|Panel")
    ).click()
    seat = organiser.locator("section.seat", has_text="李明远")
    recused = seat.locator("ul.recusals li strong").first.inner_text()
    assert recused
    seat.locator("select[name$=entry_id]").select_option(label=recused)
    seat.locator("form", has=organiser.locator("select[name$=entry_id]")).locator(
        "button[type=submit]"
    ).click()
    seat = organiser.locator("section.seat", has_text="李明远")
    assert seat.locator(".error").first.inner_text()

"""The organiser's overview, in Debian's chromium: from the home page, each trade's next step
leads through a new trade's scheme, panel and codes; the judges mark; the chief judge signs the
lock with their password; the organiser publishes, makes final after the notice's deadline, and
issues the certificates, each behind a confirmation, the overview showing every stage.

It runs on a server of its own: it takes a demo trade from no scheme to certificates.
"""

import re

import pytest

from tests.browser.conftest import (
    ARTIFACTS,
    confirm,
    end_notice,
    new_page,
    running_app,
    sign_lock,
)

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "overview"  # screenshots for a person to look at
TRADE = "数控加工中心操作工"  # a demo trade of SD-2018 with contestants and nothing else yet
CONTEST = "2018年山东省职工职业技能大赛"

#: Every empty cell of the judge's grid gets the same score from every judge, which differs
#: from entry to entry (by the code) and stays on the item's step: no disagreement.
FILL_ALL = """async ([url, csrf]) => {
  const cells = [...document.querySelectorAll('input.score')].filter(i => i.value === '');
  for (const cell of cells) {
    const max = Number(cell.closest('table').querySelectorAll('thead th')[cell.closest('td')
      .cellIndex].querySelector('small').textContent.replace(/[^0-9.]/g, ''));
    const value = Math.floor(max * (0.6 + (Number(cell.dataset.code) % 37) / 100));
    const r = await fetch(url, {method: 'POST', headers: {'Content-Type': 'application/json',
      'X-CSRFToken': csrf}, body: JSON.stringify({code: cell.dataset.code,
      item: cell.dataset.item, value: String(value)})});
    if (!r.ok) { throw new Error(await r.text()); }
  }
  return cells.length;
}"""


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app and a worker on fresh demo data of their own; yields the URL and the instance
    folder (its database)."""
    instance = tmp_path_factory.mktemp("overview-instance")
    with running_app(instance, "jingsai-browser-overview", concurrency=2) as url:
        yield url, instance


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def row(page, base: str):
    """The trade's row of the overview on the home page (freshly loaded)."""
    page.goto(base + "/")
    section = page.locator("section.contest-overview", has_text=CONTEST)
    return section.locator("table.overview tbody tr", has_text=TRADE)


def stage(page, base: str) -> str:
    return row(page, base).get_attribute("data-stage")


def next_step(page, base: str) -> None:
    """Follow the trade's next-step button from the home page."""
    row(page, base).locator("a.next-action").click()


def seat(panel, username: str, role: str) -> None:
    panel.fill("#username", username)
    panel.select_option("#role", role)
    with panel.expect_navigation():
        panel.click("main form.form button.primary >> nth=0")
    assert panel.locator(".flash.success").count(), panel.locator(".flash").all_inner_texts()


def mark_everything(browser, base: str, username: str) -> int:
    judge = new_page(browser, base, username)
    judge.goto(base + "/marking")
    judge.locator("tr", has_text=TRADE).locator("a[href*='/marking/']").first.click()
    judge.wait_for_url(re.compile(r"/marking/\d+$"))
    table = judge.locator("#score-grid")
    filled = judge.evaluate(
        FILL_ALL, [table.get_attribute("data-save-url"), table.get_attribute("data-csrf")]
    )
    judge.context.close()
    return filled


def test_the_overview_leads_from_scheme_to_certificates(server, browser):
    base, instance = server
    organiser = new_page(browser, base, "organiser")
    assert stage(organiser, base) == "scheme"
    shot(organiser, "01-home-scheme")

    # Scheme: copied from the fitters' scheme of the same contest.
    next_step(organiser, base)
    organiser.wait_for_url(re.compile(r"/contest-trades/\d+/scheme$"))
    ct_id = int(re.search(r"/contest-trades/(\d+)/", organiser.url).group(1))
    organiser.click(f"a[href='/contest-trades/{ct_id}/scheme/copy']")
    fitters = organiser.locator("#source_id option", has_text="钳工").first
    organiser.locator("#source_id").select_option(fitters.get_attribute("value"))
    organiser.click("main button.primary")
    assert organiser.locator(".flash.success").count()
    assert stage(organiser, base) == "panel"

    # Panel: the chief judge and four judges, every item, every entry they may mark.
    next_step(organiser, base)
    organiser.wait_for_url(f"{base}/contest-trades/{ct_id}/panel")
    seat(organiser, "chief", "chief_judge")
    for username in ("judge1", "judge2", "judge3", "judge4"):
        seat(organiser, username, "judge")
    for name in ("李明远", "王海峰", "陈淑芬", "马建国"):  # judge1…judge4
        section = organiser.locator("section.seat", has=organiser.locator("h2", has_text=name))
        for box in section.locator("legend input[type=checkbox]").all():
            box.check()
        with organiser.expect_navigation():
            section.locator("form.form").first.locator("button[type=submit]").click()
        with organiser.expect_navigation():
            section.locator("button.primary").first.click()
    shot(organiser, "02-panel")
    assert stage(organiser, base) == "codes"

    # Codes.
    next_step(organiser, base)
    organiser.click("main form button.primary")
    assert organiser.locator(".flash.success").count()
    assert stage(organiser, base) == "marking"
    assert re.search(r"0/\d+", row(organiser, base).locator(".trade-progress").inner_text())
    assert row(organiser, base).locator("a.next-action").count() == 0  # the judges act
    shot(organiser, "03-home-marking")

    # The judges mark (their grid's own saving, not typed cell by cell: not the point here).
    for username in ("judge1", "judge2", "judge3", "judge4"):
        assert mark_everything(browser, base, username) > 0
    assert stage(organiser, base) == "lock"
    assert row(organiser, base).locator("a.next-action").count() == 0  # the chief's step

    # The chief judge: their home sends them to the lock, signed with their password.
    chief = new_page(browser, base, "chief")
    chief_row = chief.locator("#chief-overview tbody tr", has_text=TRADE)
    assert chief_row.get_attribute("data-stage") == "lock"
    shot(chief, "04-chief-home")
    chief_row.locator("a.next-action").click()
    chief.wait_for_url(f"{base}/contest-trades/{ct_id}/review")
    sign_lock(chief, "not-my-password")
    assert chief.locator("#password-error").is_visible()
    assert chief.locator("#unlock").count() == 0  # nothing locked
    shot(chief, "05-lock-wrong-password")
    sign_lock(chief)
    assert chief.locator("#unlock").is_visible(), chief.locator(".flash").all_inner_texts()

    # The worker computes; the overview then asks the organiser to publish.
    for _ in range(60):
        if stage(organiser, base) == "computed":
            break
        organiser.wait_for_timeout(1000)
    assert stage(organiser, base) == "computed"
    shot(organiser, "06-home-computed")
    next_step(organiser, base)
    organiser.click("#publish")
    assert organiser.locator("#confirm-publish").is_visible()
    shot(organiser, "07-confirm-publish")
    organiser.click("#confirm-publish")  # the box is not ticked: nothing happens
    assert organiser.locator("#confirm-error").is_visible()
    confirm(organiser, "#confirm-publish")
    assert stage(organiser, base) == "notice"
    assert row(organiser, base).locator("a.next-action").count() == 0  # final by itself
    shot(organiser, "08-home-notice")
    organiser.goto(f"{base}/contest-trades/{ct_id}/results")
    assert organiser.locator("#finalise").count() == 0
    assert organiser.locator("#finalise-refused").is_visible()

    # After the deadline: make final, then the certificates.
    end_notice(instance, ct_id)
    next_step(organiser, base)
    organiser.click("#finalise")
    confirm(organiser, "#confirm-finalise")
    assert stage(organiser, base) == "final"
    shot(organiser, "09-home-final")
    next_step(organiser, base)
    organiser.locator("#certificate-trades tr", has_text=TRADE).locator("a.issue-trade").click()
    shot(organiser, "10-confirm-issue")
    confirm(organiser, "#confirm-issue")
    organiser.locator("#certificate-job-done").wait_for(timeout=120000)
    assert stage(organiser, base) == "certificates"
    organiser.goto(base + "/")
    organiser.locator("section.contest-overview h3 a", has_text=CONTEST).click()
    contest_row = organiser.locator("#overview tbody tr", has_text=TRADE)
    assert contest_row.get_attribute("data-stage") == "certificates"
    shot(organiser, "11-contest-page")

"""The public pages on a phone and the board on the hall's screen, in Debian's chromium, on the
demo data with the 焊工 results published, final and their certificates issued.

On a phone (360-400 px wide, as in WeChat) no public page is wider than the screen and no column
is squeezed to one character; the hall's 1920×1080 board has no site header, large type, and
shows every entry over its pages. Screenshots go to test-artifacts/phone/ (or
$JINGSAI_SHOTS) for a person to look at.
"""

import os
import re
from pathlib import Path

import pytest

from tests.browser.conftest import (
    ARTIFACTS,
    confirm,
    end_notice,
    new_page,
    running_app,
    whole_id_number,
)
from tests.browser.test_certificates_journey import issue_welding

pytestmark = pytest.mark.browser
SHOTS = Path(os.environ.get("JINGSAI_SHOTS", ARTIFACTS / "phone"))
CONTEST = "2018年山东省职工职业技能大赛"
#: A column narrower than this shows its text one character a line.
TWO_CHARACTERS_PX = 28


@pytest.fixture(scope="module")
def site(tmp_path_factory, browser):
    """A server of its own (the board turns pages only when told), with the 焊工 results
    published and final and their certificates issued; yields what the pages need."""
    instance = tmp_path_factory.mktemp("public-pages-instance")
    with running_app(instance, "jingsai-browser-public", JINGSAI_BOARD_ROTATE="3600") as base:
        organiser = new_page(browser, base, "organiser")
        organiser.goto(base + "/contests")
        organiser.click(f"a:has-text('{CONTEST}')")
        organiser.wait_for_url(re.compile(r"/contests/\d+$"))
        contest_id = int(organiser.url.rsplit("/", 1)[1])
        organiser.goto(f"{base}/contests/{contest_id}/results")
        organiser.locator("tr", has_text="焊工").locator("a[href*='/results']").click()
        ct_id = int(re.search(r"/contest-trades/(\d+)/results", organiser.url).group(1))
        organiser.click("#publish")
        confirm(organiser, "#confirm-publish")
        end_notice(instance, ct_id)  # the notice's deadline has passed
        organiser.reload()
        organiser.click("#finalise")
        confirm(organiser, "#confirm-finalise")
        issue_welding(organiser, base, contest_id)
        organiser.goto(f"{base}/contests/{contest_id}/certificates/list")
        row = organiser.locator("#certificates tbody tr").first
        number, name = (row.locator("td").nth(i).inner_text().strip() for i in (0, 1))
        id_number = whole_id_number(organiser, base, contest_id, ct_id, name)
        organiser.context.close()
        yield {
            "base": base,
            "contest_id": contest_id,
            "ct_id": ct_id,
            "number": number,
            "name": name,
            "id_number": id_number,
        }


def phone(browser, width: int):
    """A page on a phone: ``width`` px wide, touch, laid out as a mobile browser does (a page
    wider than the screen shows as scrollWidth above the width)."""
    context = browser.new_context(
        locale="zh-CN",
        viewport={"width": width, "height": 844},
        is_mobile=True,
        has_touch=True,
    )
    page = context.new_page()
    page.set_default_timeout(20000)
    return page


def shoot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def fits(page) -> tuple[int, int]:
    """(page width, screen width): a page that fits is no wider than the phone's screen."""
    return tuple(page.evaluate("[document.documentElement.scrollWidth, window.innerWidth]"))


def narrowest(page, selector: str) -> float:
    """The width in px of the narrowest visible cell matching ``selector``."""
    widths = page.eval_on_selector_all(
        selector,
        "cells => cells.filter(c => c.offsetParent !== null)"
        ".map(c => c.getBoundingClientRect().width)",
    )
    assert widths, f"no visible {selector}"
    return min(widths)


#: Each public page, the cells holding names or words on it.
PAGES = {
    "results": ("/results", "section.year tbody td:nth-child(n+2)"),
    "contest": ("/results/contests/{contest_id}", "#trades tbody td"),
    "trade": (
        "/results/trades/{ct_id}",
        "#results tbody td:nth-child(2), #teams tbody td:nth-child(n+2)",
    ),
    "lookup": ("/my-result", None),
    "privacy": ("/privacy", "#notice p"),
    "verify": ("/verify", None),
    "verified": ("/verify/{number}", "#facts td"),
}


@pytest.mark.parametrize(("width", "lang"), [(390, None), (360, None), (390, "en")])
def test_the_public_pages_fit_a_phone(site, browser, width, lang):
    page = phone(browser, width)
    base = site["base"]
    if lang:
        page.goto(f"{base}/lang/{lang}")
    tag = f"phone-{width}-{lang or 'zh'}"
    for name, (path, cells) in PAGES.items():
        page.goto(base + path.format(**site))
        shoot(page, f"{tag}-{name}")
        assert fits(page) == (width, width), name
        if cells:
            assert narrowest(page, cells) >= TWO_CHARACTERS_PX, name
    # The ranked list: a card per contestant, the name whole on the card's first line.
    page.goto(f"{base}/results/trades/{site['ct_id']}")
    card = page.locator("#results tbody tr", has_text=site["name"])
    name_cell = card.locator("td").nth(1)
    assert name_cell.inner_text().strip() == site["name"]
    name_box, card_box = name_cell.bounding_box(), card.bounding_box()
    assert name_box["height"] < 2 * float(
        name_cell.evaluate("c => getComputedStyle(c).fontSize")[:-2]
    )
    assert name_box["x"] + name_box["width"] <= card_box["x"] + card_box["width"]
    assert card.locator("td[data-label]").count() >= 5  # the other columns carry their header
    # The contestant's own page, with the marks by item open.
    page.goto(base + "/my-result")
    page.fill("#id_number", site["id_number"])
    page.fill("#name", site["name"])
    page.check("#agree")  # the privacy notice
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/my-result/results$"))
    page.locator("details.items summary").first.click()
    shoot(page, f"{tag}-my-result")
    assert fits(page) == (width, width)
    assert narrowest(page, "section.my-result td") >= TWO_CHARACTERS_PX
    # Readable type: the smallest text of a name on these pages is at least 14 px.
    page.goto(f"{base}/results/trades/{site['ct_id']}")
    sizes = page.eval_on_selector_all(
        "#results tbody td:nth-child(2)",
        "cells => cells.map(c => parseFloat(getComputedStyle(c).fontSize))",
    )
    assert min(sizes) >= 14
    page.context.close()


def test_the_hall_board_fills_the_screen_and_shows_every_entry(site, browser):
    base = site["base"]
    public = new_page(browser)
    public.goto(f"{base}/results/trades/{site['ct_id']}")
    everyone = set(public.locator("#results tbody td:nth-child(2)").all_inner_texts())
    assert len(everyone) > 12  # more than one page of the board
    public.context.close()

    screen = new_page(browser)
    screen.set_viewport_size({"width": 1920, "height": 1080})
    screen.goto(f"{base}/board/{site['contest_id']}")
    assert screen.locator(".topbar").count() == 0  # no site header on the hall's screen
    seen, pages = set(), []
    where = screen.evaluate("window.jingsaiBoard.where()")
    while True:
        page = screen.locator(".board-page:visible")
        assert page.count() == 1  # one page at a time
        shoot(screen, f"board-1920-{where['index'] + 1}")
        rows = page.locator("tbody tr")
        seen |= set(rows.locator("td:nth-child(2)").all_inner_texts())
        pages.append(page.locator(".board-pageno").inner_text())
        size = rows.first.locator("td").first.evaluate("c => getComputedStyle(c).fontSize")
        assert float(size[:-2]) >= 28  # readable from the back of the hall
        sizes = screen.evaluate(
            "[document.documentElement.scrollWidth, document.documentElement.scrollHeight]"
        )
        assert sizes[0] <= 1920 and sizes[1] <= 1080  # the page fits the screen, no scrolling
        assert "焊工" in page.locator("h2").inner_text()
        where = screen.evaluate("window.jingsaiBoard.next()")
        if where["index"] == 0:
            break
    assert seen == everyone
    assert pages == [f"第{i}页，共{len(pages)}页" for i in range(1, len(pages) + 1)]
    screen.context.close()

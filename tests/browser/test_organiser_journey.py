"""An organiser's first day, in Debian's chromium against the embedded setup with a real worker.

Log in, create a contest feeding the city contest (after a wrong parent is refused), add a trade,
register a contestant, import a file with one bad row and see the error, fix it and import.
"""

import re
from datetime import date
from io import BytesIO

import pytest
from openpyxl import Workbook

from competitions.registry.rules import resident_id_check_char
from tests.browser import conftest
from tests.browser.conftest import log_in, new_page

pytestmark = pytest.mark.browser


def resident_id(birth: date, serial: int, region: str = "370102") -> str:
    """A valid resident ID number."""
    first17 = f"{region}{birth:%Y%m%d}{serial:03d}"
    return first17 + resident_id_check_char(first17)


def xlsx(rows: list[list]) -> bytes:
    """An .xlsx file with the template's Chinese headers and these rows."""
    book = Workbook()
    sheet = book.active
    sheet.append(["姓名", "证件号码", "工种", "技能等级", "手机"])
    for row in rows:
        sheet.append(row)
    out = BytesIO()
    book.save(out)
    return out.getvalue()


def upload(page, contest_url: str, rows: list[list]) -> None:
    """Send an .xlsx of these rows through the contest's import page."""
    page.goto(contest_url + "/import")
    page.set_input_files(
        "input[type=file]",
        files=[
            {
                "name": "报名表.xlsx",
                "mimeType": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
                "buffer": xlsx(rows),
            }
        ],
    )
    page.click("main button.primary")


def test_organiser_sets_up_a_contest_and_registers_contestants(live_server, page):
    log_in(page, live_server, "organiser")
    assert "我的竞赛" in page.content()

    # A new enterprise contest; first with a parent of the same tier, which is refused.
    page.goto(live_server + "/contests/new")
    page.fill("#code", "LG-2018")
    page.fill("#name", "莱钢2018年钳工技术比武")
    page.fill("#year", "2018")
    page.select_option("#tier", "enterprise")
    page.fill("#starts_on", "2018-05-20")
    page.fill("#ends_on", "2018-05-21")
    page.fill("#retention_years", "5")  # personal details of contestants without an award
    enterprise = page.locator("#parent_id option", has_text="济钢2018").get_attribute("value")
    page.select_option("#parent_id", enterprise)
    page.click("main button.primary")
    assert page.locator("#parent_id-error").is_visible()

    city = page.locator("#parent_id option", has_text="济南市").get_attribute("value")
    page.select_option("#parent_id", city)
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/contests/\d+$"))
    contest_url = page.url
    assert "莱钢2018年钳工技术比武" in page.content()
    assert "2018年济南市职工职业技能大赛" in page.locator(".chain").inner_text()
    page.goto(contest_url + "/edit")  # the retention was saved, as the edit form reads it
    assert page.input_value("#retention_years") == "5"
    page.goto(contest_url)

    # Add 钳工 with its default rule settings.
    page.click("text=添加工种")
    fitter = page.locator("#trade_id option", has_text="钳工").get_attribute("value")
    page.select_option("#trade_id", fitter)
    assert page.input_value("#theory_weight") == "30.00"
    page.click("main button.primary")
    page.wait_for_url(contest_url)
    assert "钳工" in page.locator("table#trades").inner_text()

    # Register one contestant by hand.
    page.goto(contest_url + "/entries/new")
    page.fill("#name", "韩立群")
    page.fill("#id_number", resident_id(date(1988, 4, 2), 13))
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/entries$"))
    assert "韩立群" in page.locator("#entries").inner_text()

    # Import a file whose third row has a wrong check digit: nothing is saved, the error is shown.
    good_a = resident_id(date(1990, 1, 5), 21)
    good_b = resident_id(date(1985, 7, 9), 33)
    bad_b = good_b[:17] + ("1" if good_b[17] != "1" else "2")
    upload(
        page,
        contest_url,
        [
            ["田小雨", good_a, "钳工", "三级", "13900000001"],
            ["吕大山", bad_b, "钳工", "三级", "13900000002"],
        ],
    )
    errors = page.locator("#errors")
    errors.wait_for(timeout=60000)
    text = errors.inner_text()
    assert "3" in text and "证件号码" in text and bad_b in text
    assert page.locator("#error-report").is_visible()
    page.goto(contest_url + "/entries")
    assert "田小雨" not in page.locator("#entries").inner_text()

    # The corrected file imports whole.
    upload(
        page,
        contest_url,
        [
            ["田小雨", good_a, "钳工", "三级", "13900000001"],
            ["吕大山", good_b, "钳工", "三级", "13900000002"],
        ],
    )
    page.locator("#counts").wait_for(timeout=60000)
    page.click("text=查看选手")
    listing = page.locator("#entries").inner_text()
    assert "田小雨" in listing and "吕大山" in listing and "韩立群" in listing


def test_a_demo_organiser_sets_up_two_step_log_in_then_logs_in_with_the_code(live_server, browser):
    first = new_page(browser, live_server, "organiser2")  # the set-up page, on a fresh start
    assert conftest.APPS[(live_server, "organiser2")]["codes"]
    first.goto(live_server + "/account/second-factor")
    assert first.locator("#codes-left").inner_text().strip().endswith("10 个。")
    second = new_page(browser, live_server, "organiser2")  # password, then the app's code
    assert second.url == live_server + "/"
    assert second.locator("a.who").count() == 1

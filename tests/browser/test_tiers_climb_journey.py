"""Recommendation climbs the tiers, in Debian's chromium, on the demo data: the organiser sets
the city contest's quota per source, registers a county contest held outside Jingsai, imports
its final result list (one deliberate rank difference is shown), confirms advancement so that
its top two climb to the city contest as recommended, and as the city's organiser accepts
them. What was done is read back from the database and after a reload."""

import re
import sqlite3
from datetime import date

import pytest

from tests.browser.conftest import ARTIFACTS, new_page, running_app
from tests.factories import resident_id

pytestmark = pytest.mark.browser
SHOTS = ARTIFACTS / "climb"
COUNTY = "2018年历城区职工技能竞赛"
UNIT = "济钢炼钢厂"
HEADER = "证件号码,姓名,工作单位,理论知识成绩,技能操作成绩,用时,名次,奖项"
# 乙 and 丙 tie on 79.00: the rules put 丙 first (more practical); the county put 乙 first.
PEOPLE = [
    ("甲", "90", "95", "50:00", "1", "一等奖"),
    ("乙", "100", "70", "51:00", "2", "二等奖"),
    ("丙", "30", "100", "52:00", "3", "三等奖"),
    ("丁", "60", "60", "53:00", "4", "三等奖"),
    ("戊", "50", "55", "54:00", "5", ""),
]


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("climb-instance")
    with running_app(instance, "jingsai-browser-climb") as url:
        yield url, instance


def shot(page, name: str) -> None:
    SHOTS.mkdir(parents=True, exist_ok=True)
    page.screenshot(path=str(SHOTS / f"{name}.png"), full_page=True)


def the_list() -> bytes:
    lines = [HEADER]
    for n, (name, theory, practical, time, rank, award) in enumerate(PEOPLE):
        number = resident_id(date(1991, 7, n + 1), serial=970 + n, male=n % 2 == 0, region="370112")
        lines.append(f"{number},{name},{UNIT},{theory},{practical},{time},{rank},{award}")
    return ("\n".join(lines) + "\n").encode()


def query(instance, sql: str, *args) -> list[tuple]:
    with sqlite3.connect(instance / "jingsai.sqlite") as conn:
        return conn.execute(sql, args).fetchall()


def city_fitter(instance) -> tuple[int, int]:
    """The ids of the city contest JN-2018 and of its 钳工 (fitter) contest-trade."""
    return query(
        instance,
        "SELECT c.id, ct.id FROM contest c JOIN contest_trade ct ON ct.contest_id = c.id "
        "JOIN trade t ON t.id = ct.trade_id WHERE c.code = 'JN-2018' AND t.name_zh = '钳工'",
    )[0]


def test_an_outside_county_list_climbs_to_the_city_and_is_accepted(server, browser):
    base, instance = server
    city_id, city_ct = city_fitter(instance)
    organiser = new_page(browser, base, "organiser", lang="en")

    # The city takes at most two recommendations per source in 钳工 (the contest-trade form).
    organiser.goto(f"{base}/contests/{city_id}/trades/{city_ct}/edit")
    organiser.fill("#recommend_per_source", "2")
    organiser.click("main form button.primary")
    organiser.wait_for_url(re.compile(rf"/contests/{city_id}$"))
    assert query(
        instance, "SELECT recommend_per_source FROM contest_trade WHERE id = ?", city_ct
    ) == [(2,)]

    # A county contest feeding the city, held outside Jingsai, with the fitter trade.
    organiser.goto(base + "/contests/new")
    organiser.fill("#code", "LC-2018")
    organiser.fill("#name", COUNTY)
    organiser.fill("#year", "2018")
    organiser.select_option("#tier", "county")
    organiser.fill("#starts_on", "2018-05-20")
    organiser.fill("#ends_on", "2018-05-21")
    organiser.select_option("#parent_id", str(city_id))
    organiser.click("main form button.primary")
    organiser.wait_for_url(re.compile(r"/contests/\d+$"))
    county_id = int(organiser.url.rsplit("/", 1)[1])
    organiser.click("text=Add a trade")
    organiser.select_option("#trade_id", label="6-20-01-01 Fitter")
    organiser.fill("#advancement_quota", "2")
    organiser.click("main form button.primary")
    organiser.wait_for_url(re.compile(rf"/contests/{county_id}$"))
    organiser.click("#tiers-links >> text=Held outside Jingsai")
    organiser.click("#register-outside")
    assert organiser.locator("#held-outside").is_visible()

    # Its final result list: imported, ranked by the rules, the county's swap shown.
    organiser.locator("#outside-trades tr", has_text="Fitter").locator("a.button").click()
    organiser.set_input_files(
        "#file", {"name": "licheng.csv", "mimeType": "text/csv", "buffer": the_list()}
    )
    organiser.click("main form button.primary")
    assert "5 lines imported" in organiser.locator("#import-ok").inner_text()
    differences = organiser.locator("#differences tbody tr")
    assert differences.count() == 2
    assert differences.nth(0).locator("td").all_inner_texts()[1:4] == ["乙", "2", "3"]
    assert differences.nth(1).locator("td").all_inner_texts()[1:4] == ["丙", "3", "2"]
    shot(organiser, "differences")
    organiser.reload()
    assert organiser.locator("#differences tbody tr").count() == 2
    county_ct = int(re.search(r"/contest-trades/(\d+)/", organiser.url).group(1))
    ranks = query(
        instance,
        "SELECT p.name, r.rank, r.advances FROM result r JOIN entry e ON e.id = r.subject_id "
        "JOIN person p ON p.id = e.person_id WHERE r.assessment_id = ? ORDER BY r.rank",
        county_ct,
    )
    assert ranks == [("甲", 1, 1), ("丙", 2, 1), ("乙", 3, 0), ("丁", 4, 0), ("戊", 5, 0)]

    # Its top two climb to the city as recommended.
    organiser.locator("main a.button", has_text="Results").first.click()
    organiser.click("#advance")
    assert "2 entries created" in organiser.locator(".flash.success").inner_text()
    climbed = (
        "SELECT p.name, up.status FROM entry up JOIN entry src ON src.id = up.source_entry_id "
        "JOIN person p ON p.id = up.person_id "
        f"WHERE up.contest_trade_id = {city_ct} AND src.contest_trade_id = {county_ct} "
        "ORDER BY p.name"
    )
    assert query(instance, climbed) == [("丙", "recommended"), ("甲", "recommended")]

    # The city's organiser (the same demo account) accepts them from the county's source.
    organiser.goto(f"{base}/contests/{city_id}")
    organiser.click("#tiers-links >> text=Recommended entries")
    source = organiser.locator("#sources tr", has_text=COUNTY)
    assert source.locator("td").all_inner_texts()[2:5] == ["2", "0", "2"]
    source.locator("a").click()
    for name in ("甲", "丙"):
        organiser.locator("#recommended tr", has_text=name).locator("input[type=checkbox]").check()
    shot(organiser, "recommended")
    organiser.click("#accept")
    assert "2 recommended entries accepted" in organiser.locator(".flash.success").inner_text()
    assert query(instance, climbed) == [("丙", "registered"), ("甲", "registered")]
    organiser.reload()
    source = organiser.locator("#sources tr", has_text=COUNTY)
    assert source.locator("td").all_inner_texts()[2:5] == ["0", "2", "2"]
    statuses = organiser.locator("#recommended tr", has_text="甲").locator("td.status")
    assert statuses.inner_text() == "Registered"
    shot(organiser, "accepted")

"""Registration up the tiers, in Debian's chromium against the embedded setup: the organiser opens
the window of the Jinan city contest, sets 钳工's quota and minimum field size and makes
``liaison1`` the unit liaison of 济钢 (a liaison without a unit is refused first); the liaison
registers three people (one with a photo) and submits the list; the organiser returns one with
a reason; the liaison reads it, attaches proof and submits again; the organiser approves all.
Checked in the site's database and after reloading the pages; the liaison's page on a phone.
"""

import re
import sqlite3
from datetime import date

import pytest

from tests.browser.conftest import ARTIFACTS, confirm, log_in, new_page, running_app
from tests.browser.test_organiser_journey import resident_id

pytestmark = pytest.mark.browser
CONTEST = "2018年济南市职工职业技能大赛"
UNIT = "山钢集团济南钢铁有限公司"
PEOPLE = ("程晓东", "付丽娜", "石海涛")
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF\x00" + bytes(200)
PDF = b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n" + b"1 0 obj <<>> endobj\n" * 5


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A demo site of its own: (its URL, its database file)."""
    instance = tmp_path_factory.mktemp("tiers-instance")
    with running_app(instance, "jingsai-tiers") as url:
        yield url, instance / "jingsai.sqlite"


def statuses(instance_db, names) -> dict[str, str]:
    """{name: status} of the people's entries, read from the site's database."""
    with sqlite3.connect(instance_db) as conn:
        rows = conn.execute(
            "SELECT person.name, entry.status FROM entry JOIN person ON person.id = entry.person_id"
            f" WHERE person.name IN ({', '.join('?' for _ in names)})",
            names,
        ).fetchall()
    return dict(rows)


def in_field(page) -> int:
    """The count of 钳工's entries in the field, as the contest page's flag says it."""
    text = page.locator("#short-fields li", has_text="钳工").inner_text()
    return int(re.search(r"参赛人数 (\d+) 人", text).group(1))


def organiser_sets_up(page, base) -> tuple[str, str, int]:
    """Open the window, set 钳工's quota (6 a unit) and field size, grant the liaison; (contest
    URL, ct id, 钳工's entries in the field)."""
    page.goto(base + "/contests")
    page.click(f"text={CONTEST}")
    page.wait_for_url(re.compile(r"/contests/\d+$"))
    contest_url = page.url
    page.goto(contest_url + "/edit")
    page.fill("#registration_opens", "2020-01-01T09:00")
    page.fill("#registration_closes", "2099-12-31T17:00")
    page.click("main button.primary")
    page.wait_for_url(contest_url)
    settings = page.locator("#trades tr", has_text="钳工").locator("a[href$='/edit']").first
    ct_id = re.search(r"/trades/(\d+)/edit", settings.get_attribute("href")).group(1)
    settings.click()
    page.fill("#quota_per_unit", "6")  # 济钢 already has 3 entries in 钳工
    page.fill("#min_field_size", "60")
    page.click("main button.primary")
    page.wait_for_url(contest_url)
    before = in_field(page)  # fewer than 60

    page.goto(contest_url + "/staff")
    page.fill("#username", "liaison1")
    page.select_option("#role", "liaison")
    page.click("main button.primary")
    assert page.locator("#unit_id-error").is_visible()  # a liaison needs a unit
    unit = page.locator("#unit_id option", has_text=UNIT).first.get_attribute("value")
    page.select_option("#unit_id", unit)
    page.click("main button.primary")
    page.wait_for_url(contest_url + "/staff")
    assert UNIT in page.locator("table.grid").inner_text()
    return contest_url, ct_id, before


def register(page, ct_id: str, name: str, number: str, photo: bool) -> None:
    page.locator(f"a[href$='/trades/{ct_id}/new']").first.click()
    page.fill("#name", name)
    page.fill("#id_number", number)
    if photo:
        page.set_input_files(
            "#photo", files=[{"name": "照片.jpg", "mimeType": "image/jpeg", "buffer": JPEG}]
        )
    page.click("main button.primary")
    page.wait_for_url(re.compile(r"/registration(#.*)?$"))
    assert name in page.locator("main").inner_text()


def submit_list(page) -> None:
    page.locator("a[id^='submit-']").first.click()
    confirm(page, "#submit-list")
    page.wait_for_url(re.compile(r"/registration(#.*)?$"))


def test_a_liaison_registers_and_the_organiser_reviews(site, browser):
    base, instance_db = site
    organiser = new_page(browser, base, "organiser")
    contest_url, ct_id, before = organiser_sets_up(organiser, base)

    liaison = new_page(browser, base, "liaison1")
    liaison.goto(base + "/")
    liaison.click("text=我的报名")
    assert "报名进行中" in liaison.locator("main").inner_text()
    numbers = [resident_id(date(1991, 2, 3 + i), 700 + i) for i in range(3)]
    for i, (name, number) in enumerate(zip(PEOPLE, numbers, strict=True)):
        register(liaison, ct_id, name, number, photo=i == 0)
    assert "剩余 0 个" in liaison.locator(".quota").first.inner_text()  # 6 of 6
    assert liaison.locator(f"a[href$='/trades/{ct_id}/new']").count() == 0
    submit_list(liaison)

    # The organiser returns the second with a reason.
    organiser.goto(contest_url + "/registration-review")
    rows = organiser.locator("#review tbody tr")
    for name in PEOPLE:
        assert name in organiser.locator("#review").inner_text()
    photo_link = rows.filter(has_text=PEOPLE[0]).locator("a[href$='/attachments/photo']")
    assert photo_link.count() == 1
    rows.filter(has_text=PEOPLE[1]).locator("a[href$='/return']").click()
    organiser.fill("#reason", "缺少在职证明，请补充")
    organiser.click("main button.primary")
    organiser.wait_for_url(re.compile(r"/registration-review$"))

    # The liaison reads the reason, attaches the proof and submits again.
    liaison.goto(base + "/registration")
    assert "缺少在职证明，请补充" in liaison.locator("main").inner_text()
    liaison.click(f"text={PEOPLE[1]}")
    assert "缺少在职证明" in liaison.locator("#review-note").inner_text()
    ARTIFACTS.mkdir(exist_ok=True)
    liaison.screenshot(path=str(ARTIFACTS / "tiers-returned-entry.png"), full_page=True)
    liaison.select_option("#kind", "employment")
    liaison.set_input_files(
        "#file", files=[{"name": "在职证明.pdf", "mimeType": "application/pdf", "buffer": PDF}]
    )
    liaison.locator("form[action$='/attachments'] button.primary").click()
    liaison.wait_for_url(re.compile(r"/registration/entries/\d+$"))
    assert "在职证明.pdf" in liaison.locator("#proof").inner_text()
    liaison.goto(base + "/registration")
    submit_list(liaison)

    # The organiser approves all three at once.
    organiser.goto(contest_url + "/registration-review")
    organiser.screenshot(path=str(ARTIFACTS / "tiers-review.png"), full_page=True)
    boxes = organiser.locator("#review input[type=checkbox]")
    assert boxes.count() == 3
    for i in range(3):
        boxes.nth(i).check()
    organiser.click("#approve-ticked")
    organiser.wait_for_url(re.compile(r"/registration-review"))

    assert statuses(instance_db, PEOPLE) == {name: "approved" for name in PEOPLE}
    organiser.goto(contest_url + "/registration-review?status=approved")
    organiser.reload()
    listing = organiser.locator("#review").inner_text()
    assert all(name in listing for name in PEOPLE)
    history = organiser.locator("#review tbody tr", has_text=PEOPLE[1]).locator("a").first
    history.click()
    text = organiser.locator("#history").inner_text()
    assert "缺少在职证明，请补充" in text and "在职证明.pdf" in text
    organiser.goto(contest_url)
    assert in_field(organiser) == before + 3  # still short of 60: to cancel or merge

    # The liaison's page on a phone: it fits, and a person looks at the screenshot.
    phone = browser.new_context(
        locale="zh-CN", viewport={"width": 390, "height": 844}, is_mobile=True, has_touch=True
    ).new_page()
    log_in(phone, base, "liaison1")
    phone.goto(base + "/registration")
    phone.screenshot(path=str(ARTIFACTS / "tiers-liaison-390.png"), full_page=True)
    width = phone.evaluate("[document.documentElement.scrollWidth, window.innerWidth]")
    assert width == [390, 390]
    assert all(name in phone.locator("main").inner_text() for name in PEOPLE)

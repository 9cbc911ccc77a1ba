"""Two-layer encryption (二次加密) in Debian's chromium, on a demo site of its own: the organiser
turns it on for the provincial fitters (their demo codes taken away, as if not drawn yet); one
encryption officer draws the check-in numbers (检录号), is refused the second layer, and another
draws the secret codes (密号); the judges mark by 密号; the chief judge locks; the organiser
decodes layer by layer (解密). Every step is checked in the site's database and after a reload."""

import os
import re
import sqlite3
import subprocess
import sys

import pytest
from playwright.sync_api import expect

from tests.browser.conftest import ARTIFACTS, ROOT, new_page, running_app, sign_lock
from tests.browser.test_judging_journey import fill_rest, open_grid

pytestmark = pytest.mark.browser

#: Two encryption officers of SD-2018 (the demo has none), and the fitters' codes taken away.
PREPARE = """
from sqlalchemy import delete, select
from app import create_app
from competitions.accounts.models import ContestRole, User
from competitions.core.db import db
from competitions.judging.models import SubjectCode
from competitions.registry.models import Contest, ContestTrade, Trade

app = create_app()
with app.app_context():
    contest = db.session.scalar(select(Contest).filter_by(code="SD-2018"))
    for username, name in (("cipher1", "加密裁判甲"), ("cipher2", "加密裁判乙")):
        user = User(username=username, display_name=name)
        user.set_password("demo1234")
        db.session.add(user)
        db.session.flush()
        role = ContestRole(user_id=user.id, contest_id=contest.id, role="encryption_officer")
        db.session.add(role)
    ct = db.session.scalar(
        select(ContestTrade).join(Trade).where(
            ContestTrade.contest_id == contest.id, Trade.code == "6-20-01-01"
        )
    )
    db.session.execute(delete(SubjectCode).where(SubjectCode.assessment_id == ct.id))
    db.session.commit()
    print(ct.id)
"""


@pytest.fixture(scope="module")
def site(tmp_path_factory):
    """A demo site of its own (this journey changes how the fitters' codes are drawn)."""
    instance = tmp_path_factory.mktemp("encryption")
    with running_app(instance, "jingsai-encryption") as url:
        env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
        env.update(JINGSAI_INSTANCE=str(instance), BASE_URL=url)
        done = subprocess.run(
            [sys.executable, "-c", PREPARE], cwd=ROOT, env=env, check=True, capture_output=True
        )
        yield url, instance / "jingsai.sqlite", int(done.stdout.split()[-1])


def read(database, sql: str, *args) -> list[tuple]:
    """Rows of the site's own database, as the app committed them."""
    with sqlite3.connect(database) as connection:
        return connection.execute(sql, args).fetchall()


def table(page, selector: str) -> list[list[str]]:
    """The body rows of a table on the page, as text cells."""
    rows = page.locator(f"{selector} tbody tr")
    return [
        [c.strip() for c in rows.nth(i).locator("td").all_inner_texts()]
        for i in range(rows.count())
    ]


def open_trade_link(page, base: str, href_end: str) -> None:
    """From the provincial contest's page, the fitters' link whose address ends so."""
    page.goto(base + "/contests")
    page.click("a:has-text('2018年山东省职工职业技能大赛')")
    page.wait_for_url(re.compile(r"/contests/\d+$"))
    page.locator("#trades tr", has_text="钳工").locator(f"a[href$='{href_end}']").click()


def test_two_officers_draw_the_layers_judges_mark_by_secret_code_and_decoding_goes_step_by_step(
    site, browser
):
    base, database, ct_id = site
    people = dict(
        read(
            database,
            "SELECT e.id, p.name FROM entry e JOIN person p ON p.id = e.person_id "
            "WHERE e.contest_trade_id = ? AND e.status IN ('registered', 'approved')",
            ct_id,
        )
    )
    assert len(people) > 5

    # The organiser turns two-layer encryption on for the fitters.
    organiser = new_page(browser, base, "organiser")
    open_trade_link(organiser, base, "/encryption")
    organiser.check("#enabled")
    organiser.click("main form.form button.primary")
    expect(organiser.locator("#two-layer-state")).to_have_class(re.compile(r"\binfo\b"))
    assert read(
        database, "SELECT enabled FROM two_layer_encryption WHERE assessment_id = ?", ct_id
    ) == [(1,)]

    # The first officer draws the check-in numbers and reads contestant → 检录号.
    first = new_page(browser, base, "cipher1")
    open_trade_link(first, base, "/encryption/first")
    first.click("main form.form button.primary")
    expect(first.locator(".flash.success")).to_be_visible()
    numbers = dict(
        read(
            database,
            "SELECT subject_id, number FROM check_in_number WHERE assessment_id = ?",
            ct_id,
        )
    )
    assert numbers.keys() == people.keys()
    first.reload()
    shown = {row[1]: row[0] for row in table(first, "#layer")}
    assert shown == {people[e]: numbers[e] for e in people}
    ARTIFACTS.mkdir(exist_ok=True)
    first.screenshot(path=str(ARTIFACTS / "encryption-first-layer.png"), full_page=True)

    # The same officer is refused the second layer, with the reason; nothing is saved.
    first.goto(f"{base}/contest-trades/{ct_id}/encryption/second")
    assert "第二次加密须由另一名加密裁判完成" in first.locator("#refused").inner_text()
    assert first.locator("#layer").count() == 0 and first.locator("form.form").count() == 0
    assert read(database, "SELECT count(*) FROM subject_code WHERE assessment_id = ?", ct_id) == [
        (0,)
    ]

    # The second officer draws the secret codes and reads 检录号 → 密号, never a name.
    second = new_page(browser, base, "cipher2")
    open_trade_link(second, base, "/encryption/second")
    second.click("main form.form button.primary")
    expect(second.locator(".flash.success")).to_be_visible()
    codes = dict(
        read(database, "SELECT subject_id, code FROM subject_code WHERE assessment_id = ?", ct_id)
    )
    assert codes.keys() == people.keys()
    assert not set(codes.values()) & set(numbers.values())
    second.reload()
    assert sorted(map(tuple, table(second, "#layer"))) == sorted(
        (numbers[e], codes[e]) for e in people
    )
    text = second.locator("main").inner_text()
    assert not [name for name in people.values() if name in text]
    second.goto(f"{base}/contest-trades/{ct_id}/encryption/first")
    assert "第一次加密须由另一名加密裁判完成" in second.locator("#refused").inner_text()
    assert second.locator("#layer").count() == 0
    second.screenshot(path=str(ARTIFACTS / "encryption-second-refused.png"), full_page=True)

    # Before the lock the organiser sees neither layer, and decoding is closed.
    organiser.goto(f"{base}/contest-trades/{ct_id}/codes")
    text = organiser.locator("main").inner_text()
    assert not [c for c in [*codes.values(), *numbers.values()] if re.search(rf"\b{c}\b", text)]
    organiser.goto(f"{base}/contest-trades/{ct_id}/encryption")
    assert organiser.locator("#decode-closed").count() == 1

    # The judges mark by 密号: the grid's codes are the second layer.
    judge = new_page(browser, base, "judge2")
    open_grid(judge, base)
    grid_codes = {c.strip() for c in judge.locator("#score-grid tbody th").all_inner_texts()}
    assert grid_codes and grid_codes <= set(codes.values())
    text = judge.locator("main").inner_text()
    assert not [n for n in numbers.values() if re.search(rf"\b{n}\b", text)]
    assert not [name for name in people.values() if name in text]
    fill_rest(judge, 12)
    for username in ("judge1", "judge3", "judge4"):
        other = new_page(browser, base, username)
        open_grid(other, base)
        fill_rest(other, 12)
    marked = read(
        database,
        "SELECT DISTINCT m.subject_id FROM mark m "
        "JOIN subject_code c ON c.subject_id = m.subject_id WHERE c.assessment_id = ?",
        ct_id,
    )
    assert {row[0] for row in marked} == set(people)

    chief = new_page(browser, base, "chief")
    chief.goto(f"{base}/contest-trades/{ct_id}/review")
    sign_lock(chief)
    expect(chief.locator("#unlock")).to_be_visible()

    # After the lock: step 1 (密号 → 检录号), then step 2 (检录号 → contestant), each logged.
    organiser.goto(f"{base}/contest-trades/{ct_id}/encryption")
    assert organiser.locator("#decode2-closed").count() == 1
    organiser.click("#decode1")
    step1 = table(organiser, "#decoded")
    assert sorted(map(tuple, step1)) == sorted((codes[e], numbers[e]) for e in people)
    assert not [name for name in people.values() if name in organiser.locator("main").inner_text()]
    organiser.click("#next-step")
    step2 = {row[1]: row[0] for row in table(organiser, "#decoded")}
    assert step2 == {people[e]: numbers[e] for e in people}
    organiser.reload()
    assert {row[1]: row[0] for row in table(organiser, "#decoded")} == step2
    looks = read(
        database,
        "SELECT r.what, u.username FROM code_reveal r JOIN user_account u ON u.id = r.user_id "
        "WHERE r.assessment_id = ? ORDER BY r.id",
        ct_id,
    )
    assert looks == [("decode1", "organiser"), ("decode2", "organiser"), ("decode2", "organiser")]
    organiser.goto(f"{base}/contest-trades/{ct_id}/encryption")
    assert organiser.locator("#reveals tbody tr").count() == 3
    organiser.screenshot(path=str(ARTIFACTS / "encryption-organiser.png"), full_page=True)

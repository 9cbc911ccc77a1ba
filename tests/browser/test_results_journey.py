"""Results for the public on the demo data, in Debian's chromium: the organiser publishes; the
hall's board shows it by itself; a contestant looks up their result and appeals; the arbitrator
upholds; the chief judge corrects a score and locks; the public page shows the new rank with the
ID masked, and the board follows."""

import re
from itertools import pairwise

import pytest

from tests.browser.conftest import confirm, new_page, sign_lock, whole_id_number
from tests.browser.test_judging_journey import log_in

pytestmark = pytest.mark.browser


def anonymous(browser):
    return new_page(browser)


def ranked(page) -> list[tuple[str, str]]:
    """(rank, name) of the rows of a results table on the page."""
    rows = page.locator("#results tbody tr").all()
    return [
        (r.locator("td").nth(0).inner_text().strip(), r.locator("td").nth(1).inner_text().strip())
        for r in rows
    ]


def rank_of(page, name: str) -> int:
    return next(int(rank) for rank, who in ranked(page) if who == name)


def test_publish_appeal_uphold_correct_and_the_public_sees_the_new_rank(live_server, browser):
    base = live_server
    organiser = log_in(browser, base, "organiser")
    organiser.goto(base + "/contests")
    organiser.click("a:has-text('2018年山东省职工职业技能大赛')")
    organiser.wait_for_url(re.compile(r"/contests/\d+$"))
    contest_id = int(organiser.url.rsplit("/", 1)[1])

    # The hall's screen is on before anything is published.
    board = anonymous(browser)
    board.goto(f"{base}/board/{contest_id}")
    assert board.locator(".board-empty").is_visible()

    organiser.locator("#trades tr", has_text="焊工").locator("a[href*='/results']").click()
    ct_id = int(re.search(r"/contest-trades/(\d+)/results", organiser.url).group(1))
    # The appellant: the contestant closest behind the one ranked above them (in the top ten).
    totals = [
        (
            int(r.locator("td").nth(0).inner_text()),
            r.locator("td").nth(1).inner_text().strip(),
            float(r.locator("td").nth(6).inner_text()),
        )
        for r in organiser.locator("#results tbody tr:not(.unranked)").all()
    ]
    gaps = [
        (above[2] - below[2], below)
        for above, below in pairwise(totals)
        if above[0] < below[0] <= 10  # among the first ten
    ]
    old_rank, appellant, _ = min(gaps)[1]
    organiser.click("#publish")
    confirm(organiser, "#confirm-publish")
    assert "公示" in organiser.locator("#result-state").inner_text()

    # The board redraws itself with the published results (no reload; on any of its pages).
    board.locator(f"#board-ct-{ct_id}").wait_for()
    assert appellant in board.locator(f"#board-ct-{ct_id}").text_content()

    # The organiser's register has the contestant's ID number (the contestant knows it): shown
    # whole on asking, with a reason.
    id_number = whole_id_number(organiser, base, contest_id, ct_id, appellant)
    assert len(id_number) == 18

    # The public page: ranked, ID numbers masked.
    public = anonymous(browser)
    public.goto(f"{base}/results/trades/{ct_id}")
    assert rank_of(public, appellant) == old_rank
    masked = id_number[:4] + "**********" + id_number[-4:]
    assert masked in public.content() and id_number not in public.content()

    # The contestant looks up their result and appeals.
    contestant = anonymous(browser)
    contestant.goto(base + "/my-result")
    contestant.fill("#id_number", id_number)
    contestant.fill("#name", appellant)
    contestant.check("#agree")  # the privacy notice
    contestant.click("main button.primary")
    contestant.wait_for_url(re.compile(r"/my-result/results$"))
    result = contestant.locator("section.my-result", has_text="焊工")
    assert str(old_rank) in result.locator("tr", has_text="名次").inner_text()
    result.locator("#real_name").fill(appellant)
    result.locator("#reason").fill("尺寸精度一项的检测记录与现场测量不符，申请复核。")
    result.locator("button[type=submit]").click()
    assert "申诉已提交" in contestant.locator(".flash.success").inner_text()

    # The arbitrator upholds it; the marks reopen under the chief judge.
    arbitrator = log_in(browser, base, "arbitrator")
    arbitrator.goto(f"{base}/contests/{contest_id}/appeals")
    appeal = arbitrator.locator("section.appeal-pending", has_text=appellant)
    appeal.locator("select").select_option("upheld")
    appeal.locator("textarea").fill("经调取检测记录复核，尺寸精度记录有误，申诉成立。")
    appeal.locator("button[type=submit]").click()
    assert arbitrator.locator("section.appeal-upheld", has_text=appellant).count() == 1

    # The chief judge corrects the measured score by the appeal's code, then locks again.
    chief = log_in(browser, base, "chief")
    chief.goto(f"{base}/contest-trades/{ct_id}/review")
    chief.locator("#upheld a", has_text="更正").first.click()
    code = chief.locator("#correct input[name=code]").input_value()
    assert code.isdigit()
    # The measured items' scores are corrected to the re-measured values, for every judge who
    # measured this entry (a judge without a score on it is refused with the reason).
    corrected = []
    judges = chief.locator("#correct select[name=judge_id] option").all_inner_texts()
    for item, value in (("P1", "40"), ("P2", "20")):
        for judge in judges:
            chief.goto(f"{base}/contest-trades/{ct_id}/review?correct={code}")
            option = chief.locator(
                "#correct select[name=item_id] option", has_text=re.compile(rf"^{item} ")
            )
            chief.locator("#correct select[name=item_id]").select_option(
                option.get_attribute("value")
            )
            chief.locator("#correct select[name=judge_id]").select_option(label=judge)
            chief.locator("#correct input[name=value]").fill(value)
            chief.locator("#correct textarea[name=reason]").fill("申诉成立，按复核记录更正")
            chief.click("#correct-submit")
            if chief.locator(".flash.success").count():
                corrected.append((item, judge))
            else:
                assert "没有评分" in chief.locator(".flash.error").inner_text()
    assert {item for item, _ in corrected} == {"P1", "P2"}
    sign_lock(chief)
    assert chief.locator("#unlock").is_visible(), chief.locator(".flash").all_inner_texts()

    # The worker recomputes: the public page shows the new rank, the ID still masked.
    for _ in range(60):
        public.reload()
        if rank_of(public, appellant) < old_rank:
            break
        public.wait_for_timeout(1000)
    new_rank = rank_of(public, appellant)
    assert new_rank < old_rank
    assert masked in public.content() and id_number not in public.content()
    # The board follows by itself.
    board.wait_for_function(
        "([id, name, rank]) => [...document.querySelectorAll(`#board-ct-${id} tbody tr`)]"
        ".some(tr => tr.cells[1].textContent.trim() === name"
        " && tr.cells[0].textContent.trim() === String(rank))",
        arg=[ct_id, appellant, new_rank],
        timeout=20000,
    )
    # The contestant sees the decision and their new rank.
    contestant.reload()
    result = contestant.locator("section.my-result", has_text="焊工")
    assert "支持" in result.inner_text() and "申诉成立" in result.inner_text()
    assert re.search(rf"名次\s*{new_rank}\b", result.inner_text())
    # The arbitrator's page shows what changed: before and now.
    arbitrator.reload()
    changes = arbitrator.locator("section.appeal-upheld", has_text=appellant).locator(
        "table.changes"
    )
    assert re.search(rf"\b{old_rank}\b", changes.locator("tr").nth(1).inner_text())
    assert re.search(rf"\b{new_rank}\b", changes.locator("tr").nth(2).inner_text())

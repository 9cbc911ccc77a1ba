"""A labour competition (劳动竞赛) on the demo data, in Debian's chromium: the organiser's scheme
(weights that do not add up are refused beside the field), two reporters' figures for the third
quarter (one with a PDF of evidence), the organiser's verification and a veto (一票否决), the
workers' scoring from the organiser's button, the period ranking, the running total under
public notice and made final, and the commendation's certificates (劳动竞赛标兵); a work team's
own page at 390 px. Asserted from the database and after reloading.

It runs on a server of its own (it closes the demo's quarters and makes results final).
"""

import sqlite3
from pathlib import Path

import pytest

from tests.browser.conftest import (
    ARTIFACTS,
    confirm,
    end_notice,
    log_in,
    new_page,
    running_app,
)

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("labour-instance")
    with running_app(instance, "jingsai-browser-labour", concurrency=2) as url:
        yield url, instance


def _db(instance: Path, sql: str, *args):
    with sqlite3.connect(instance / "jingsai.sqlite") as conn:
        return conn.execute(sql, args).fetchall()


def test_scheme_reports_veto_ranking_and_commendation(server, browser, tmp_path):
    base, instance = server
    ((contest_id, _comp_id),) = _db(
        instance,
        "SELECT c.id, l.id FROM contest c JOIN labour_competition l ON l.contest_id = c.id",
    )
    home = f"{base}/contests/{contest_id}/labour"
    periods = dict(_db(instance, "SELECT label, id FROM labour_period"))
    teams = dict(_db(instance, "SELECT name, id FROM labour_participant"))

    # The organiser finds the labour competition from the contest's page.
    organiser = new_page(browser, base, "organiser", lang="en")
    organiser.goto(f"{base}/contests/{contest_id}")
    organiser.click("#labour-link")
    organiser.wait_for_url(home)
    assert "2018年度济钢" in organiser.inner_text("h1")

    # The scheme: a weight changed so they add up to 95 is refused beside the field.
    organiser.click("#scheme-link")
    organiser.fill("#rows-0-weight", "35")
    organiser.click("#save-scheme")
    error = organiser.locator("#rows-3-weight-error")
    assert "the weights add up to 95, not 100" in error.inner_text()
    organiser.goto(f"{home}/scheme")  # nothing was saved
    assert organiser.input_value("#rows-0-weight") == "40.00"

    # Reporter 2 reports the third quarter: a negative figure refused, then figures, a PDF.
    reporter = new_page(browser, base, "reporter2", lang="en")
    reporter.goto(base + "/")
    reporter.click("#my-labour a")
    reporter.click(
        f"a[href$='/participants/{teams['轧钢厂精整二班']}/periods/{periods['2018Q3']}']"
    )
    fields = reporter.locator("#figures-form input[inputmode=decimal]")
    assert fields.count() == 4
    for n, value in enumerate(("43100", "99.3", "-1", "0")):
        fields.nth(n).fill(value)
    reporter.click("#save-figures")
    assert "a figure cannot be negative" in reporter.inner_text("#figures-form")
    fields.nth(2).fill("553")
    reporter.click("#save-figures")
    assert "Figures saved" in reporter.inner_text(".flash.success")
    evidence = tmp_path / "三季度产量台账.pdf"
    evidence.write_bytes(PDF)
    reporter.set_input_files("#evidence", str(evidence))
    reporter.click("#attach")
    assert "三季度产量台账.pdf" in reporter.inner_text("#evidence-list")
    confirm(reporter, "#submit-report")
    reporter.reload()
    assert "submitted" in reporter.inner_text("#report-state")
    ARTIFACTS.mkdir(exist_ok=True)
    reporter.screenshot(path=str(ARTIFACTS / "labour-report.png"), full_page=True)
    assert _db(
        instance,
        "SELECT state FROM labour_report WHERE participant_id = ? AND period_id = ?",
        teams["轧钢厂精整二班"],
        periods["2018Q3"],
    ) == [("submitted",)]

    # The organiser verifies both reports of Q3 (reporter 1's was submitted in the demo).
    organiser.goto(f"{home}/periods/{periods['2018Q3']}")
    for team in ("炼钢厂转炉甲班", "轧钢厂精整二班"):
        organiser.goto(f"{home}/periods/{periods['2018Q3']}")
        organiser.click(f"#report-{teams[team]}")
        organiser.click("#accept")
        assert "Report accepted" in organiser.inner_text(".flash.success")
    # A serious quality incident: 炼钢厂转炉甲班 may not be commended.
    organiser.goto(home)
    organiser.select_option("#period_id", label="2018Q3")
    organiser.select_option("#participant_id", label="炼钢厂转炉甲班")
    organiser.select_option("#veto_id", label="重大质量事故")
    organiser.fill("#note", "8月批量质量异议")
    organiser.click("#record-incident")
    assert "Veto incident recorded" in organiser.inner_text(".flash.success")

    # Close Q3 and Q4, score on the workers; the page says when the job is done.
    for label in ("2018Q3", "2018Q4"):
        organiser.click(f"#close-{label}")
        organiser.locator(f"#close-{label}").wait_for(state="detached")  # the page came back
    organiser.click("#score")
    assert "Scoring 4 periods on the workers" in organiser.inner_text(".flash.info")
    for _ in range(120):
        organiser.reload()
        if "succeeded" in organiser.inner_text("#score-job"):
            break
        organiser.wait_for_timeout(500)
    assert "succeeded" in organiser.inner_text("#score-job")
    ARTIFACTS.mkdir(exist_ok=True)
    organiser.screenshot(path=str(ARTIFACTS / "labour-organiser-home.png"), full_page=True)

    # Q3's ranking: two reported, one not (0, last).
    organiser.goto(f"{home}/periods/{periods['2018Q3']}")
    ranks = {
        row.get_attribute("data-participant"): row.locator(".rank").inner_text()
        for row in organiser.locator("#ranking tbody tr").all()
    }
    assert ranks["检修中心电气班"] == "3"
    stored = _db(
        instance,
        "SELECT p.name, r.rank FROM result r JOIN labour_standing s ON s.id = r.subject_id "
        "JOIN labour_participant p ON p.id = s.participant_id WHERE r.assessment_id = ?",
        periods["2018Q3"],
    )
    assert {name: str(rank) for name, rank in stored} == ranks
    organiser.screenshot(path=str(ARTIFACTS / "labour-period.png"), full_page=True)

    # The running total: commended is the best not barred by the veto.
    total_id = periods["累计"]
    totals = _db(
        instance,
        "SELECT p.name, r.total, r.rank, r.award FROM result r "
        "JOIN labour_standing s ON s.id = r.subject_id "
        "JOIN labour_participant p ON p.id = s.participant_id WHERE r.assessment_id = ? "
        "ORDER BY r.rank",
        total_id,
    )
    commended = [name for name, _, _, award in totals if award == "labour_model"]
    best_allowed = next(name for name, *_ in totals if name != "炼钢厂转炉甲班")
    assert commended == [best_allowed]

    # Under public notice, then final (the notice's end let pass), then certificates.
    organiser.goto(f"{home}/periods/{total_id}")
    organiser.click("#publish")
    confirm(organiser, "#confirm-publish")
    assert "under public notice" in organiser.inner_text("#ranking-state")
    end_notice(instance, total_id)
    organiser.reload()
    organiser.click("#finalise")
    confirm(organiser, "#confirm-finalise")
    assert "final" in organiser.inner_text("#ranking-state")
    organiser.click("#issue")
    confirm(organiser, "#confirm-issue")
    query = "SELECT name, award, trade FROM certificate WHERE assessment_id = ?"
    for _ in range(120):  # the workers issue it
        if _db(instance, query, total_id):
            break
        organiser.wait_for_timeout(500)
    issued = _db(instance, query, total_id)
    assert issued == [(best_allowed, "labour_model", "2018年度济钢“岗位建功”劳动竞赛")]

    # A work team's own page on a phone: scores per published period, the chart, gaps.
    phone = browser.new_context(locale="zh-CN", viewport={"width": 390, "height": 844})
    mine = phone.new_page()
    log_in(mine, base, "reporter2")
    mine.goto(f"{home}/participants/{teams['轧钢厂精整二班']}")
    assert mine.locator("#over-time svg").count() == 1
    assert mine.locator("#scores tbody tr").count() >= 1
    assert "累计得分" in mine.inner_text("#running-total")
    width = mine.evaluate("document.documentElement.scrollWidth")
    assert width <= 390, f"the page scrolls sideways: {width}px"
    ARTIFACTS.mkdir(exist_ok=True)
    mine.screenshot(path=str(ARTIFACTS / "labour-participant-390.png"), full_page=True)
    phone.close()

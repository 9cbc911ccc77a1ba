"""An innovation-achievement contest (职工创新成果) on the demo data, in Debian's chromium: the
organiser finds it from the city contest's page; the submitter reads on a phone (390 px) why
an achievement was returned (形式审查), attaches the missing proof (a file that is no document
refused), sends it again; the organiser's format check passes it. Asserted from the database
and after reloading.

The expert review, the defence, the awards, 公示 and the certificates are driven through the
pages and the task in ``tests/innovation/test_innovation.py`` (not yet in a browser).
It runs on a server of its own (it changes the demo's achievements).
"""

import sqlite3
from pathlib import Path

import pytest

from tests.browser.conftest import ARTIFACTS, new_page, running_app

pytestmark = pytest.mark.browser
PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    instance = tmp_path_factory.mktemp("innovation-instance")
    with running_app(instance, "jingsai-browser-innovation") as url:
        yield url, instance


def _db(instance: Path, sql: str, *args):
    with sqlite3.connect(instance / "jingsai.sqlite") as conn:
        return conn.execute(sql, args).fetchall()


def test_returned_achievement_fixed_resent_and_passed(server, browser, tmp_path):
    base, instance = server
    ((contest_id,),) = _db(instance, "SELECT contest_id FROM innovation_contest")
    ((returned_id,),) = _db(
        instance, "SELECT id FROM innovation_submission WHERE state = 'returned'"
    )
    home = f"{base}/contests/{contest_id}/innovation"

    # The organiser finds the innovation contest from the contest's page.
    organiser = new_page(browser, base, "organiser", lang="en")
    organiser.goto(f"{base}/contests/{contest_id}")
    organiser.click("#innovation-link")
    organiser.wait_for_url(home)
    assert "职工创新成果竞赛" in organiser.inner_text("h1")
    assert "returned" in organiser.inner_text(f"#submission-{returned_id} .state")

    # The submitter, on a phone: the reasons beside the achievement, then its page.
    submitter = new_page(browser, base, "innovator1")
    submitter.set_viewport_size({"width": 390, "height": 844})
    submitter.goto(base + "/")
    submitter.click("#my-innovation a")
    assert "缺少经济效益证明材料" in submitter.inner_text("#my-submissions")
    submitter.click(f"a[href$='/submissions/{returned_id}']")
    assert "缺少经济效益证明材料" in submitter.inner_text("#return-reason")
    scroll = submitter.evaluate("document.documentElement.scrollWidth")
    assert scroll <= 390, scroll
    ARTIFACTS.mkdir(exist_ok=True)
    submitter.screenshot(path=str(ARTIFACTS / "innovation-returned-390.png"), full_page=True)
    # A text file named .pdf is refused; the PDF is kept; sent again for the check.
    fake = tmp_path / "效益证明.pdf"
    fake.write_bytes(b"just text")
    submitter.set_input_files("#file", str(fake))
    submitter.click("#attach")
    assert "PDF" in submitter.inner_text("main")
    proof = tmp_path / "效益证明(盖章).pdf"
    proof.write_bytes(PDF)
    submitter.set_input_files("#file", str(proof))
    submitter.click("#attach")
    assert "效益证明(盖章).pdf" in submitter.inner_text("#attachments")
    with submitter.expect_navigation():  # the reload must not race the form's navigation
        submitter.click("#send")
    submitter.reload()
    assert submitter.inner_text("#state") == "待审核"  # submitted, in the phone's Chinese
    assert _db(instance, "SELECT state FROM innovation_submission WHERE id = ?", returned_id) == [
        ("submitted",)
    ]

    # The organiser's format check passes it.
    organiser.goto(home)
    organiser.click(f"#check-{returned_id}")
    organiser.select_option("#decision", "pass")
    organiser.click("main form button[type=submit]")
    organiser.wait_for_url(home)
    organiser.reload()
    assert "passed the format check" in organiser.inner_text(f"#submission-{returned_id} .state")
    assert _db(
        instance,
        "SELECT state, return_reason FROM innovation_submission WHERE id = ?",
        returned_id,
    ) == [("passed", "")]

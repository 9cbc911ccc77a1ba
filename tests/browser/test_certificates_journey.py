"""Certificates on the demo data, in Debian's chromium: the organiser designs, previews and
issues (refused before the results are final); the progress bar reaches 100%; a contestant
downloads their certificate; the verify page says valid, and still shows the facts as published
after the register's name is edited and the batch issued again (final results keep their facts).

It runs on a server of its own: it makes the demo 焊工 results final, which the results journey
needs in draft.
"""

import io
import re
import zipfile
from pathlib import Path

import pytest

from tests.browser.conftest import (
    confirm,
    end_notice,
    new_page,
    running_app,
    whole_id_number,
)

pytestmark = pytest.mark.browser
SEAL = Path(__file__).parents[1] / "certificates" / "seal.png"

#: The 焊工 row, in either language of the interface (trades show their English name in English).
WELDING = re.compile("焊工|Welder")


@pytest.fixture(scope="module")
def server(tmp_path_factory):
    """The app and a worker on fresh demo data of their own (this journey makes the 焊工
    results final, which the results journey needs as a draft); yields the URL and the
    instance folder (its database)."""
    instance = tmp_path_factory.mktemp("certificates-instance")
    with running_app(instance, "jingsai-browser-cert", concurrency=2) as url:
        yield url, instance


def visitor(browser, base, username=None):
    """A browser page in English, logged in as ``username`` if given."""
    return new_page(browser, base, username, lang="en")


def issue_welding(organiser, base, contest_id) -> str:
    """Press "Issue for this trade" on the 焊工 row; wait for the end; return the job's id."""
    organiser.goto(f"{base}/contests/{contest_id}/certificates")
    organiser.locator("#certificate-trades tr", has_text=WELDING).locator("a.issue-trade").click()
    confirm(organiser, "#confirm-issue")
    organiser.locator("#certificate-job-done").wait_for(timeout=60000)  # app.js reloads at the end
    href = organiser.locator("#download-zip").get_attribute("href")
    job_id = re.search(r"/jobs/([^/]+)/zip", href).group(1)
    progress = organiser.request.get(f"{base}/jobs/{job_id}.json").json()
    assert (progress["state"], progress["percent"]) == ("succeeded", 100)
    return job_id


def test_design_issue_download_verify_and_revoke(server, browser):
    base, instance = server
    organiser = visitor(browser, base, "organiser")
    organiser.goto(base + "/contests")
    organiser.click("a:has-text('2018年山东省职工职业技能大赛')")
    organiser.wait_for_url(re.compile(r"/contests/\d+$"))
    contest_id = int(organiser.url.rsplit("/", 1)[1])

    # The design: a seal, then the preview with sample data.
    organiser.goto(f"{base}/contests/{contest_id}/certificates/design")
    organiser.fill("#issuers", "山东省总工会\n山东省人力资源和社会保障厅")
    organiser.set_input_files("#seal_1", str(SEAL))
    organiser.click("#design-form button.primary")
    assert "The design is saved" in organiser.locator(".flash.success").inner_text()
    preview = organiser.request.get(
        base + organiser.locator("#preview-individual").get_attribute("href")
    )
    assert preview.headers["content-type"] == "application/pdf"
    assert preview.body().startswith(b"%PDF") and b"/SMask" in preview.body()

    # Not final yet: nothing is issued.
    organiser.goto(f"{base}/contests/{contest_id}/results")
    organiser.locator("tr", has_text=WELDING).locator("a[href*='/results']").click()
    ct_id = int(re.search(r"/contest-trades/(\d+)/results", organiser.url).group(1))
    organiser.click("#publish")
    confirm(organiser, "#confirm-publish")
    organiser.goto(f"{base}/contests/{contest_id}/certificates")
    welding = organiser.locator("#certificate-trades tr", has_text=WELDING)
    assert welding.locator("a.issue-trade").count() == 0
    assert "The results are not final yet." in welding.inner_text()
    assert organiser.locator("#issue-contest").count() == 0
    # Asked by its address all the same, the confirmation page refuses.
    organiser.goto(f"{base}/contests/{contest_id}/certificates/issue")
    assert "the results are not final yet" in organiser.locator("#refused").inner_text()

    # Not final before the notice's deadline; final after it.
    organiser.goto(f"{base}/contest-trades/{ct_id}/results")
    assert organiser.locator("#finalise").count() == 0
    assert "public notice is open until" in organiser.locator("#finalise-refused").inner_text()
    end_notice(instance, ct_id)
    organiser.reload()
    organiser.click("#finalise")
    confirm(organiser, "#confirm-finalise")
    job_id = issue_welding(organiser, base, contest_id)
    with organiser.expect_download() as download:
        organiser.click("#download-zip")
    pdfs = zipfile.ZipFile(io.BytesIO(Path(download.value.path()).read_bytes())).namelist()
    assert pdfs and all(name.endswith(".pdf") for name in pdfs)
    assert job_id

    # A winner: their name and ID number from the organiser's pages.
    organiser.goto(f"{base}/contests/{contest_id}/certificates/list")
    row = organiser.locator("#certificates tbody tr", has_text="First prize").first
    number = row.locator("td").nth(0).inner_text().strip()
    name = row.locator("td").nth(1).inner_text().strip()
    id_number = whole_id_number(organiser, base, contest_id, ct_id, name)

    contestant = visitor(browser, base)
    contestant.goto(base + "/my-result")
    contestant.fill("#id_number", id_number)
    contestant.fill("#name", name)
    contestant.check("#agree")  # the privacy notice
    contestant.click("main button.primary")
    contestant.wait_for_url(re.compile(r"/my-result/results$"))
    with contestant.expect_download() as download:
        contestant.click(f"a[href$='/my-result/certificates/{number}.pdf']")
    assert Path(download.value.path()).read_bytes().startswith(b"%PDF")

    # Anyone: the number typed in (sloppily) is valid.
    public = visitor(browser, base)
    public.goto(base + "/verify")
    public.fill("#number", " " + number.lower() + " ")
    public.click("main button.primary")
    assert "genuine and valid" in public.locator("#verdict").inner_text()
    assert name in public.locator("#facts").inner_text()
    assert id_number not in public.content()

    # The register's name is edited after the results are final; issued again, the certificate
    # keeps its number and the facts it was published with.
    # the contestant's page, where the whole number was shown once: masked again
    organiser.goto(organiser.url.removesuffix("/id-number"))
    assert id_number not in organiser.locator("#id-number").inner_text()
    organiser.fill("#name", name + "明")
    organiser.click("main button.primary")
    issue_welding(organiser, base, contest_id)
    public.goto(f"{base}/verify/{number}")
    assert "genuine and valid" in public.locator("#verdict").inner_text()
    facts = public.locator("#facts").inner_text()
    assert name in facts and name + "明" not in facts

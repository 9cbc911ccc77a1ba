"""The import pages: who may use them, what they refuse, and what they show."""

import io

import pytest
from openpyxl import load_workbook
from sqlalchemy import func, select

from competitions.core.db import db
from competitions.core.jobs import Job
from competitions.imports import services
from competitions.imports.services import jobs as import_jobs
from competitions.imports.tasks import import_entries
from tests import factories
from tests.imports.sheets import ZH, person_row, xlsx_bytes, xlsx_rows
from tests.imports.world import NEW_MAN, in_english, rows, setup_contest

# --- the pages --------------------------------------------------------------------------------


def _urls(contest_id: int, job_id: str) -> list[tuple[str, str]]:
    base = f"/contests/{contest_id}/import"
    return [
        ("get", base),
        ("post", base),
        ("get", f"{base}/template.xlsx"),
        ("get", f"{base}/template.csv"),
        ("get", f"{base}/{job_id}"),
        ("get", f"{base}/{job_id}/errors.xlsx"),
    ]


def _failed_job(world) -> Job:
    """An import job that failed on the bad file (run in process), with its error report."""
    job = import_jobs.create_import_job(
        world["contest"].id, world["organiser"].id, "坏.xlsx", "", xlsx_bytes(rows(bad=True))
    )
    db.session.commit()
    import_entries(job.id)
    return job


def test_another_contests_organiser_gets_403_on_every_import_route(app, client, login):
    world = setup_contest()
    job = _failed_job(world)
    other = factories.user("other")
    factories.grant(other, factories.contest("QD-2019"), "organiser")
    db.session.commit()
    for method, url in _urls(world["contest"].id, job.id):
        assert getattr(client, method)(url).status_code == 302, url  # to the log-in page
    login("other")
    for method, url in _urls(world["contest"].id, job.id):
        data = {"file": (io.BytesIO(xlsx_bytes(rows(bad=False))), "a.xlsx")}
        response = client.post(url, data=data) if method == "post" else client.get(url)
        assert response.status_code == 403, url
    assert db.session.scalar(select(func.count()).select_from(Job)) == 1


def test_a_job_is_only_shown_under_its_own_contest(app, login):
    world = setup_contest()
    job = _failed_job(world)
    other = factories.contest("QD-2019")
    factories.grant(world["organiser"], other, "organiser")
    db.session.commit()
    client = login("organiser")
    assert client.get(f"/contests/{other.id}/import/{job.id}").status_code == 404
    assert client.get(f"/contests/{other.id}/import/{job.id}/errors.xlsx").status_code == 404


def test_a_10_mb_upload_is_refused_with_a_clear_message_and_no_job(app, login):
    world = setup_contest()
    client = in_english(login("organiser"))
    page = f"/contests/{world['contest'].id}/import"
    response = client.post(
        page,
        data={"file": (io.BytesIO(b"\x00junk" * (2 * 1024 * 1024)), "big.xlsx")},
        headers={"Referer": "http://localhost" + page},
        follow_redirects=True,
    )
    assert response.request.path == page
    assert "The file is too large: the limit is 8 MB." in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


@pytest.mark.parametrize(
    ("filename", "message"),
    [(None, "Choose a file."), ("list.txt", "Only .xlsx and .csv files can be imported.")],
)
def test_the_form_refuses_no_file_or_another_kind(app, login, filename, message):
    world = setup_contest()
    client = in_english(login("organiser"))
    data = {"file": (io.BytesIO(b"a,b"), filename)} if filename else {}
    response = client.post(f"/contests/{world['contest'].id}/import", data=data)
    assert response.status_code == 200
    assert message in response.get_data(as_text=True)
    assert db.session.scalar(select(func.count()).select_from(Job)) == 0


def test_a_pending_job_shows_a_progress_bar_that_refreshes(app, login):
    world = setup_contest()
    job = import_jobs.create_import_job(
        world["contest"].id, world["organiser"].id, "a.csv", "", b"x"
    )
    db.session.commit()
    client = in_english(login("organiser"))
    page = client.get(f"/contests/{world['contest'].id}/import/{job.id}").get_data(as_text=True)
    assert f'data-job-url="/jobs/{job.id}.json"' in page
    assert '<meta http-equiv="refresh" content="2">' in page
    assert client.get(f"/jobs/{job.id}.json").get_json()["state"] == "pending"
    listing = client.get(f"/contests/{world['contest'].id}/import").get_data(as_text=True)
    assert "a.csv" in listing and "Waiting" in listing


def test_the_template_has_the_headers_only_and_imports_once_filled(app, login):
    world = setup_contest()
    client = login("organiser")
    response = client.get(f"/contests/{world['contest'].id}/import/template.xlsx")
    assert response.status_code == 200
    template = response.get_data()
    assert xlsx_rows(template) == [tuple(ZH)]  # the headers users type, and no example row
    instructions = [cell for row in xlsx_rows(template, 1) for cell in row if cell]
    assert "钳工" in instructions and "6-20-02" in instructions and "济南市代表队" in instructions
    book = load_workbook(io.BytesIO(template))
    assert book.sheetnames == ["报名表", "说明"]
    book.active.append(person_row("张伟", NEW_MAN, "钳工"))
    out = io.BytesIO()
    book.save(out)
    assert services.import_file(world["contest"].id, "t.xlsx", out.getvalue()).ok
    text = client.get(f"/contests/{world['contest'].id}/import/template.csv").get_data()
    assert text.decode("utf-8-sig").splitlines() == [",".join(ZH)]

"""Admission tickets made by the real Celery worker: every seat's PDF, the trade's ZIP, and a
QR code that decodes to a token the check-in desk accepts."""

import io
import zipfile

import pytest
from sqlalchemy import func, select

from competitions.contestday import rules
from competitions.contestday.models import Seat
from competitions.contestday.services import seats_of
from competitions.core.db import db
from competitions.core.jobs import Job
from tests import factories
from tests.certificates.pdf_tools import png_of, qr_of, text_of
from tests.conftest import TEST_KEYS, wait_for_job
from tests.contestday import world

pytestmark = pytest.mark.worker


def test_the_worker_makes_the_tickets_of_a_trade(worker_app, tmp_path):
    w = world.build(n_entries=6, capacities=(4, 4))
    client = worker_app.test_client()
    factories.log_in(client, "org")
    client.get("/lang/en")
    client.post(f"/contest-trades/{w.ct.id}/draw", data={"seed": "20261205"})
    response = client.post(f"/contest-trades/{w.ct.id}/tickets")
    assert response.status_code == 303
    job_id = db.session.scalar(select(Job.id).filter_by(kind="tickets"))
    job = wait_for_job(job_id)
    assert job.state == "succeeded", job.message
    assert (job.result["made"], job.percent) == (6, 100)
    made = select(func.count()).where(Seat.ticket_made_at.is_not(None))
    assert db.session.scalar(made) == 6
    page = client.get(f"/contest-trades/{w.ct.id}/sessions").get_data(as_text=True)
    assert "6 of 6 tickets made." in page

    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/contest-trades/{w.ct.id}/tickets.zip").data))
    assert len(archive.namelist()) == 6
    seat = seats_of(w.ct.id)[0]
    pdf = tmp_path / "ticket.pdf"
    pdf.write_bytes(client.get(f"/entries/{seat.entry_id}/ticket.pdf").data)
    assert seat.entry.person.name in text_of(pdf) and seat.ticket_number in text_of(pdf)
    token = qr_of(png_of(pdf, dpi=200))
    assert rules.read_token(TEST_KEYS["SECRET_KEY"], token) == (
        seat.id,
        seat.ticket_number,
        seat.session_id,
    )
    desk = client.post(
        f"/contest-trades/{w.ct.id}/sessions/{seat.session_id}/check-in",
        data={"code": token},
        follow_redirects=True,
    )
    assert "Checked in" in desk.get_data(as_text=True)

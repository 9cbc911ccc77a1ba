"""The contest day's pages on both backends, as the organiser and the check-in staff use them."""

import io
import re
import zipfile

from sqlalchemy import func, select

from competitions.contestday.models import CheckIn, ExamSession, Seat, SeatDraw
from competitions.contestday.services import seats_of, tickets
from competitions.core.db import db
from competitions.registry.models import Entry
from tests import factories
from tests.conftest import CONFIRM
from tests.contestday import world


def as_user(client, username: str):
    factories.log_in(client, username)
    client.get("/lang/en")
    return client


def count(model) -> int:
    return db.session.scalar(select(func.count()).select_from(model))


def test_the_organiser_adds_a_session_and_a_wrong_one_says_why(app, client):
    w = world.build(capacities=())
    as_user(client, "org")
    url = f"/contest-trades/{w.ct.id}/sessions"
    bad = {
        "name": "第1场",
        "day": "2026-12-05",
        "starts_at": "11:30",
        "ends_at": "08:30",
        "place": "实训楼",
        "workstations": "20",
    }
    page = client.post(url, data=bad).get_data(as_text=True)
    assert "The session must end after it starts." in page
    assert count(ExamSession) == 1  # the welders' only
    good = {**bad, "starts_at": "08:30", "ends_at": "11:30"}
    assert client.post(url, data=good).status_code == 303
    again = client.post(url, data=good).get_data(as_text=True)
    assert "Another session has this name." in again
    page = client.get(url).get_data(as_text=True)
    assert "第1场" in page and "08:30–11:30" in page and "实训楼" in page


def test_the_draw_with_a_typed_seed_is_shown_and_verifies(app, client):
    w = world.build()
    as_user(client, "org")
    response = client.post(f"/contest-trades/{w.ct.id}/draw", data={"seed": "20261205"})
    assert response.status_code == 303
    record = client.get(f"/contest-trades/{w.ct.id}/draw/record").get_data(as_text=True)
    assert "20261205" in record and "jingsai-draw-v1" in record
    assert all(e.person.name in record for e in w.entries)
    verified = client.get(f"/contest-trades/{w.ct.id}/draw/record?verify=1")
    assert "the same seats as recorded" in verified.get_data(as_text=True)
    staff = as_user(client.application.test_client(), "desk")  # check-in staff read it too
    assert "20261205" in staff.get(f"/contest-trades/{w.ct.id}/draw/record").get_data(as_text=True)


def test_an_empty_seed_is_made_up_and_recorded(app, client):
    w = world.build()
    as_user(client, "org")
    client.post(f"/contest-trades/{w.ct.id}/draw", data={"seed": ""})
    seed = db.session.scalar(select(SeatDraw.seed))
    assert re.fullmatch(r"\d{8}", seed)
    page = client.get(f"/contest-trades/{w.ct.id}/sessions").get_data(as_text=True)
    assert seed in page


def test_too_few_workstations_saves_nothing_and_says_so(app, client):
    w = world.build(n_entries=7, capacities=(3, 3))
    as_user(client, "org")
    page = client.post(
        f"/contest-trades/{w.ct.id}/draw", data={"seed": "1"}, follow_redirects=True
    ).get_data(as_text=True)
    assert "7 entries but only 6 workstations in all sessions" in page
    assert count(Seat) == 0 and count(SeatDraw) == 0


def test_a_bad_seed_is_refused_next_to_the_field(app, client):
    w = world.build()
    as_user(client, "org")
    page = client.post(f"/contest-trades/{w.ct.id}/draw", data={"seed": "12 34"})
    assert "A seed is 1 to 40 letters" in page.get_data(as_text=True)
    assert count(Seat) == 0


def test_a_redraw_after_tickets_asks_for_confirmation(app, client):
    w = world.build()
    as_user(client, "org")
    client.post(f"/contest-trades/{w.ct.id}/draw", data={"seed": "1"})
    tickets.make_tickets(w.ct.id, lambda done, total: None)
    db.session.commit()
    page = client.post(f"/contest-trades/{w.ct.id}/draw", data={"seed": "2"})
    assert "Tick the box to confirm." in page.get_data(as_text=True)
    assert db.session.scalar(select(SeatDraw.seed)) == "1"
    done = client.post(f"/contest-trades/{w.ct.id}/draw", data={"seed": "2", **CONFIRM})
    assert done.status_code == 303
    db.session.expire_all()
    assert db.session.scalar(select(SeatDraw.seed)) == "2"
    assert db.session.scalar(select(func.count()).where(Seat.ticket_made_at.is_not(None))) == 0


def test_tickets_download_per_entry_and_for_the_trade(app, client):
    w = world.build()
    as_user(client, "org")
    client.post(f"/contest-trades/{w.ct.id}/draw", data={"seed": "1"})
    entry = w.entries[0]
    assert client.get(f"/entries/{entry.id}/ticket.pdf").status_code == 404
    tickets.make_tickets(w.ct.id, lambda done, total: None)
    db.session.commit()
    pdf = client.get(f"/entries/{entry.id}/ticket.pdf")
    assert pdf.status_code == 200 and pdf.data.startswith(b"%PDF")
    archive = zipfile.ZipFile(io.BytesIO(client.get(f"/contest-trades/{w.ct.id}/tickets.zip").data))
    assert len(archive.namelist()) == len(w.entries)
    assert all(n.endswith(".pdf") for n in archive.namelist())


def _drawn_desk(client, username="desk"):
    w = world.build()
    org = client.application.test_client()
    as_user(org, "org")
    org.post(f"/contest-trades/{w.ct.id}/draw", data={"seed": "20261205"})
    as_user(client, username)
    return w, seats_of(w.ct.id)


def test_check_in_by_typed_number_then_twice_then_at_the_wrong_desk(app, client):
    w, seats = _drawn_desk(client)
    seat = seats[0]
    url = f"/contest-trades/{w.ct.id}/sessions/{seat.session_id}/check-in"
    page = client.get(url).get_data(as_text=True)
    assert "0 of 3 checked in" in page and "Check-in open" in page
    shown = client.post(url, data={"code": seat.ticket_number}, follow_redirects=True)
    text = shown.get_data(as_text=True)
    assert "Checked in" in text and seat.entry.person.name in text and "1 of 3 checked in" in text
    assert "No photo" in text
    again = client.post(url, data={"code": tickets.token_of(seat)}, follow_redirects=True)
    assert "Already checked in at" in again.get_data(as_text=True)
    other = seats[-1]
    wrong = client.post(url, data={"code": tickets.token_of(other)}, follow_redirects=True)
    text = wrong.get_data(as_text=True)
    assert "This ticket is for another session." in text and other.entry.person.name not in text
    empty = client.post(url, data={"code": "  "}).get_data(as_text=True)
    assert 'id="code-error"' in empty
    nothing = client.post(url, data={"code": "0000000000"}, follow_redirects=True)
    assert "No admission ticket has this number or QR code." in nothing.get_data(as_text=True)
    assert [(c.seat_id, c.way) for c in db.session.scalars(select(CheckIn))] == [(seat.id, "typed")]


def test_absent_confirmation_lists_who_and_marks_them(app, client):
    w, seats = _drawn_desk(client)
    session_id = seats[0].session_id
    first = [s for s in seats if s.session_id == session_id]
    url = f"/contest-trades/{w.ct.id}/sessions/{session_id}"
    client.post(url + "/check-in", data={"code": first[0].ticket_number})
    page = client.get(url + "/absent").get_data(as_text=True)
    assert all(s.entry.person.name in page for s in first[1:])
    assert first[0].entry.person.name not in page
    assert client.post(url + "/absent", data={}).status_code == 200  # no tick: asked again
    assert client.post(url + "/absent", data=CONFIRM).status_code == 303
    db.session.expire_all()
    statuses = {e.id: e.status for e in db.session.scalars(select(Entry))}
    assert [statuses[s.entry_id] for s in first[1:]] == ["absent", "absent"]
    assert statuses[first[0].entry_id] != "absent"
    assert all(statuses[s.entry_id] != "absent" for s in seats if s.session_id != session_id)


def test_the_desks_page_lists_the_sessions_for_check_in_staff(app, client):
    w, _seats = _drawn_desk(client)
    page = client.get(f"/contests/{w.ct.contest_id}/check-in").get_data(as_text=True)
    assert "第1场" in page and "第2场" in page and "焊工第1场" in page


def test_judges_see_nothing_of_the_contest_day(app, client):
    w, seats = _drawn_desk(client, "judge1")
    for path in (
        f"/contests/{w.ct.contest_id}/check-in",
        f"/contest-trades/{w.ct.id}/sessions/{seats[0].session_id}/check-in",
        f"/contest-trades/{w.ct.id}/draw/record",
        f"/contest-trades/{w.ct.id}/sessions",
    ):
        assert client.get(path).status_code == 403, path


def test_a_check_in_without_the_csrf_token_is_refused_when_csrf_is_on(app):
    from app import create_app

    w = world.build()
    strict = create_app({**app.config, "WTF_CSRF_ENABLED": True})
    with strict.app_context():
        session = db.session.scalar(select(ExamSession).filter_by(contest_trade_id=w.ct.id))
        response = strict.test_client().post(
            f"/contest-trades/{w.ct.id}/sessions/{session.id}/check-in", data={"code": "1"}
        )
        assert response.status_code == 400
        assert count(CheckIn) == 0

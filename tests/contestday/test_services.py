"""The contest day's services on both backends: the draw recorded and verified, redraws,
check-in at the desk, absence; a ticket rendered, its text and QR code read back."""

from datetime import date, datetime

from flask import current_app
from sqlalchemy import func, select

from competitions.contestday import rules
from competitions.contestday.models import CheckIn, Seat, SeatDraw
from competitions.contestday.services import checkin, seats_of, tickets
from competitions.contestday.services import draw as draws
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.identity_rules import mask_id_number
from competitions.registry.models import Entry
from tests.certificates.pdf_tools import png_of, qr_of, text_of
from tests.contestday import world

DAY = date(2026, 12, 5)
DURING = datetime(2026, 12, 5, 9, 0)


def drawn(app, seed="20261205", **kwargs):
    w = world.build(day=DAY, **kwargs)
    assert draws.draw(w.ct.id, seed, None) is None
    db.session.commit()
    return w


def test_the_draw_seats_every_marked_entry_and_is_recorded_for_a_re_run(app):
    w = drawn(app)
    seats = seats_of(w.ct.id)
    assert sorted(s.entry_id for s in seats) == sorted(e.id for e in w.entries)
    assert [s.session.name for s in seats].count("第1场") == 3
    record = db.session.scalar(select(SeatDraw))
    assert (record.seed, record.algorithm) == ("20261205", rules.DRAW_ALGORITHM)
    assert record.entry_ids == sorted(e.id for e in w.entries)
    slots = [rules.SessionSlots(i, n) for i, n in record.session_slots]
    again = rules.draw_seats(record.entry_ids, slots, record.seed)
    assert again == {s.entry_id: (s.session_id, s.workstation) for s in seats}
    assert draws.verify(w.ct.id) is True
    assert all(rules.typed_ticket_number(s.ticket_number) for s in seats)


def test_a_changed_seat_fails_verification(app):
    w = drawn(app)
    second = [s for s in seats_of(w.ct.id) if s.session_id == w.sessions[1].id]
    assert len(second) == 2  # 5 people: 3 in the first session, 2 in the second of 3 places
    free = ({1, 2, 3} - {s.workstation for s in second}).pop()
    second[0].workstation = free
    db.session.commit()
    assert draws.verify(w.ct.id) is False


def test_too_few_workstations_saves_nothing(app):
    w = world.build(n_entries=7, capacities=(3, 3), day=DAY)
    refused = draws.draw(w.ct.id, "1", None)
    assert "7 entries but only 6 workstations" in str(refused)
    db.session.rollback()
    assert db.session.scalar(select(func.count()).select_from(Seat)) == 0
    assert db.session.scalar(select(func.count()).select_from(SeatDraw)) == 0


def test_a_redraw_replaces_the_seats_and_is_refused_once_check_in_began(app):
    w = drawn(app)
    first = {s.entry_id: (s.session_id, s.workstation) for s in seats_of(w.ct.id)}
    assert draws.draw(w.ct.id, "another-seed", None) is None
    db.session.commit()
    assert db.session.scalar(select(func.count()).select_from(Seat)) == len(w.entries)
    assert db.session.scalar(select(SeatDraw.seed)) == "another-seed"
    assert {s.entry_id: (s.session_id, s.workstation) for s in seats_of(w.ct.id)} != first
    gone = select(func.count()).where(AuditLog.entity == "seat", AuditLog.action == "delete")
    assert db.session.scalar(gone) == len(w.entries)  # the first draw's seats, in the log
    seat = seats_of(w.ct.id)[0]
    outcome = checkin.check_in(seat.session, seat.ticket_number, None, DURING)
    assert outcome.checked_in_now
    db.session.commit()
    refused = draws.draw(w.ct.id, "third", None)
    assert "Check-in has begun" in str(refused)
    assert db.session.scalar(select(SeatDraw.seed)) == "another-seed"


def test_check_in_by_number_and_by_token_once_and_only_at_the_right_desk(app):
    w = drawn(app)
    seats = seats_of(w.ct.id)
    one, two = seats[0], seats[-1]
    assert one.session_id != two.session_id
    desk = one.session
    typed = checkin.check_in(desk, one.ticket_number, None, DURING)
    assert typed.checked_in_now and typed.seat.id == one.id
    db.session.commit()
    again = checkin.check_in(desk, tickets.token_of(one), None, DURING)
    assert not again.checked_in_now and again.already_at is not None and again.refusal is None
    other_session = checkin.check_in(desk, tickets.token_of(two), None, DURING)
    assert other_session.refusal.msgid == "This ticket is for another session."
    forged = rules.ticket_token("not-the-site-key", one.id, one.ticket_number, one.session_id)
    assert checkin.check_in(desk, forged, None, DURING).refusal is not None
    wrong_digit = one.ticket_number[:-1] + str((int(one.ticket_number[-1]) + 1) % 10)
    assert checkin.check_in(desk, wrong_digit, None, DURING).refusal is not None
    welders = world.add_session(w.other_ct, "焊工第2场", 3, DAY)
    assert checkin.check_in(welders, one.ticket_number, None, DURING).refusal.msgid == (
        "This ticket is for another trade."
    )
    early = checkin.check_in(two.session, two.ticket_number, None, datetime(2026, 12, 4, 20))
    assert early.refusal.msgid == "Check-in has not opened yet."
    db.session.rollback()
    rows = db.session.scalars(select(CheckIn)).all()
    assert [(r.seat_id, r.way) for r in rows] == [(one.id, "typed")]
    assert checkin.desk_counts(desk) == (1, 3)


def test_a_token_of_an_earlier_draw_is_refused(app):
    w = drawn(app)
    seat = seats_of(w.ct.id)[0]
    old = tickets.token_of(seat)
    assert draws.draw(w.ct.id, "redraw", None) is None
    db.session.commit()
    new_seat = db.session.scalar(select(Seat).filter_by(entry_id=seat.entry_id))
    outcome = checkin.check_in(new_seat.session, old, None, DURING)
    assert outcome.refusal is not None and not outcome.checked_in_now


def test_absence_marks_who_did_not_check_in_after_the_start_and_is_logged(app):
    w = drawn(app)
    desk = w.sessions[0]
    seats = checkin.session_seats(desk)
    checkin.check_in(desk, seats[0].ticket_number, None, DURING)
    db.session.commit()
    before = checkin.mark_absent(desk, datetime(2026, 12, 4, 23, 59))
    assert "has not started" in str(before)
    marked = checkin.mark_absent(desk, DURING)
    db.session.commit()
    assert sorted(e.id for e in marked) == sorted(s.entry_id for s in seats[1:])
    db.session.expire_all()
    statuses = {e.id: e.status for e in db.session.scalars(select(Entry))}
    assert statuses[seats[0].entry_id] in ("registered", "approved")
    assert all(statuses[s.entry_id] == "absent" for s in seats[1:])
    logged = db.session.scalars(select(AuditLog).filter_by(entity="entry", action="update")).all()
    assert {log.entity_id for log in logged} == {s.entry_id for s in seats[1:]}
    assert all(log.changes["status"][1] == "absent" for log in logged)
    late = checkin.check_in(desk, seats[1].ticket_number, None, DURING)
    assert late.refusal.msgid == "This contestant has been marked absent."


def test_the_ticket_pdf_has_the_facts_and_a_qr_code_that_checks_in(app, tmp_path):
    w = drawn(app)
    seat = seats_of(w.ct.id)[0]
    pdf = tmp_path / "ticket.pdf"
    pdf.write_bytes(tickets.render_ticket(seat, None))
    text = text_of(pdf)
    person = seat.entry.person
    for fact in (
        person.name,
        mask_id_number(person.id_number),
        "钳工",
        seat.session.name,
        seat.ticket_number,
        "准考证",
        "2026年12月5日",
        "照片",
        seat.session.place,
    ):
        assert fact in text, fact
    assert person.id_number not in text
    token = qr_of(png_of(pdf, dpi=200))
    assert rules.read_token(current_app.secret_key, token) == (
        seat.id,
        seat.ticket_number,
        seat.session_id,
    )
    assert checkin.check_in(seat.session, token, None, DURING).checked_in_now


def test_the_photo_slot_waits_for_registration_photos(app):
    assert tickets.photo_of(1) is None

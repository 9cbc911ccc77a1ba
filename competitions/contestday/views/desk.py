"""The check-in desk (检录), made for a phone: scan or type a ticket; then absence (缺考)."""

import base64

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from competitions.accounts.services.permissions import roles_in
from competitions.contestday.forms import CheckInForm
from competitions.contestday.models import ExamSession, Seat
from competitions.contestday.services import checkin
from competitions.contestday.services.tickets import photo_of
from competitions.contestday.views import DESK, STATE_LABELS, bp, session_for, trade_for
from competitions.core.confirm import ConfirmForm, confirm_page
from competitions.core.db import db, db_int
from competitions.core.i18n import local_now, say
from competitions.registry.models import Contest, ContestTrade


def _photo_uri(entry_id: int) -> str | None:
    """The entry's photo as a data: URI for the desk (the page's policy allows data: images)."""
    data = photo_of(entry_id)
    if not data:
        return None
    kind = "png" if data.startswith(b"\x89PNG") else "jpeg"
    return f"data:image/{kind};base64,{base64.b64encode(data).decode()}"


@bp.route("/contests/<int:contest_id>/check-in")
@login_required
def desks(contest_id: int):
    """The contest's sessions, by day and time, each with its desk's count: where check-in
    staff start."""
    contest = db.get_or_404(Contest, contest_id)
    if not roles_in(current_user, contest.id) & DESK:
        abort(403)
    sessions = db.session.scalars(
        select(ExamSession)
        .join(ContestTrade, ContestTrade.id == ExamSession.contest_trade_id)
        .where(ContestTrade.contest_id == contest.id)
        .order_by(ExamSession.day, ExamSession.starts_at, ExamSession.id)
    )
    now = local_now()
    rows = [(s, checkin.state_of(s, now), checkin.desk_counts(s)) for s in sessions]
    return render_template(
        "contestday/desks.html", contest=contest, rows=rows, state_labels=STATE_LABELS
    )


@bp.route("/contest-trades/<int:ct_id>/sessions/<int:session_id>/check-in", methods=["GET", "POST"])
@login_required
def desk(ct_id: int, session_id: int):
    """A session's desk: scan the QR code (or type the number), see who it is and where they
    sit, and a big "checked in"; counts checked in of expected."""
    ct = trade_for(ct_id, DESK)
    session = session_for(ct, session_id)
    form = CheckInForm()
    if form.validate_on_submit():
        outcome = checkin.check_in(session, form.code.data, current_user.id, local_now())
        if outcome.refusal:
            db.session.rollback()
            flash(say(outcome.refusal), "error")
        else:
            db.session.commit()
        shown = {"seat": outcome.seat.id} if outcome.seat else {}
        if outcome.checked_in_now:
            shown["now"] = 1
        return redirect(
            url_for("contestday.desk", ct_id=ct.id, session_id=session.id, **shown), 303
        )
    return render_template(
        "contestday/desk.html",
        ct=ct,
        session=session,
        form=form,
        state=checkin.state_of(session, local_now()),
        counts=checkin.desk_counts(session),
        shown=_shown(session),
        just_now=bool(request.args.get("now")),
        state_labels=STATE_LABELS,
    )


def _shown(session: ExamSession):
    """The seat the last scan named (?seat=), when it is this session's, with its photo."""
    try:
        seat = db.session.get(Seat, db_int(request.args.get("seat", "")))
    except ValueError:
        return None
    if seat is None or seat.session_id != session.id:
        return None
    return {"seat": seat, "photo": _photo_uri(seat.entry_id)}


@bp.route("/contest-trades/<int:ct_id>/sessions/<int:session_id>/absent", methods=["GET", "POST"])
@login_required
def absent(ct_id: int, session_id: int):
    """Mark everyone of the session who has not checked in absent, after confirmation; the
    confirmation lists them."""
    ct = trade_for(ct_id, DESK)
    session = session_for(ct, session_id)
    form = ConfirmForm()
    back = url_for("contestday.desk", ct_id=ct.id, session_id=session.id)
    now = local_now()
    if form.validate_on_submit():
        marked = checkin.mark_absent(session, now)
        if not isinstance(marked, list):
            db.session.rollback()
            flash(say(marked), "error")
            return redirect(back, 303)
        db.session.commit()
        flash(_("%(n)s marked absent.", n=len(marked)), "success")
        return redirect(back, 303)
    seats = checkin.absent_seats(session)
    refusal = checkin.absent_refusal(session, now)
    lines = [_("These people have not checked in and will be marked absent:")]
    lines += [
        _(
            "Workstation %(ws)s · %(name)s · %(number)s",
            ws=s.workstation,
            name=s.entry.person.name,
            number=s.ticket_number,
        )
        for s in seats
    ] or [_("Nobody: everyone has checked in.")]
    lines.append(
        _("Absent entries are not marked and get no result; the change is kept in the audit log.")
    )
    return confirm_page(
        form,
        title=_("Mark absent: %(session)s", session=session.name),
        consequences=lines,
        problem=say(refusal) if refusal else None,
        button=_("Mark %(n)s absent", n=len(seats)),
        button_id="mark-absent",
        back=back,
    )

"""The organiser's contest day of a trade: sessions, the draw, tickets; the draw as recorded."""

from flask import Response, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from competitions.accounts.services.permissions import require_contest_role
from competitions.contestday import rules, services, tasks
from competitions.contestday.forms import DrawForm, SessionForm
from competitions.contestday.models import ExamSession
from competitions.contestday.services import draw as draws
from competitions.contestday.services import sessions as session_service
from competitions.contestday.services import tickets
from competitions.contestday.views import DRAW_READERS, bp, session_for, trade_for
from competitions.core.db import db
from competitions.core.i18n import say
from competitions.core.jobs import Job, create_job
from competitions.core.queue import commit_then_enqueue
from competitions.registry.models import Entry

ORGANISER = {"organiser"}


def _latest_ticket_job(ct) -> Job | None:
    jobs = db.session.scalars(
        select(Job)
        .filter_by(kind="tickets", contest_id=ct.contest_id)
        .order_by(Job.created_at.desc())
    )
    return next((j for j in jobs if (j.result or {}).get("ct_id", ct.id) == ct.id), None)


@bp.route("/contest-trades/<int:ct_id>/sessions", methods=["GET", "POST"])
@login_required
def sessions(ct_id: int):
    """A trade's contest day: its sessions (and a new one), the draw, the tickets, the seats."""
    ct = trade_for(ct_id, ORGANISER)
    form = SessionForm()
    if form.validate_on_submit():
        if session_service.name_taken(ct.id, form.name.data.strip(), None):
            form.name.errors.append(_("Another session has this name."))
        else:
            values = {f: form[f].data for f in session_service.FIELDS}
            values["name"], values["place"] = values["name"].strip(), values["place"].strip()
            session_service.save_session(ExamSession(contest_trade_id=ct.id), values)
            db.session.commit()
            flash(_("Session added."), "success")
            return redirect(url_for("contestday.sessions", ct_id=ct.id), 303)
    return render_template(
        "contestday/sessions.html",
        ct=ct,
        form=form,
        sessions=services.sessions_of(ct.id),
        seats=services.seats_of(ct.id),
        record=draws.record_of(ct.id),
        to_draw=len(draws.drawn_entry_ids(ct.id)),
        made=draws.tickets_made(ct.id),
        job=_latest_ticket_job(ct),
        tickets_form=FlaskForm(),
    )


@bp.route("/contest-trades/<int:ct_id>/sessions/<int:session_id>/edit", methods=["GET", "POST"])
@login_required
def session_edit(ct_id: int, session_id: int):
    """Change a session (not below the highest workstation already drawn in it)."""
    ct = trade_for(ct_id, ORGANISER)
    session = session_for(ct, session_id)
    form = SessionForm(obj=session)
    if form.validate_on_submit():
        values = {f: form[f].data for f in session_service.FIELDS}
        if session_service.name_taken(ct.id, values["name"].strip(), session.id):
            form.name.errors.append(_("Another session has this name."))
        else:
            problem = session_service.save_session(session, values)
            if problem is None:
                db.session.commit()
                flash(_("Session saved."), "success")
                return redirect(url_for("contestday.sessions", ct_id=ct.id), 303)
            db.session.rollback()
            form.workstations.errors.append(say(problem))
    return render_template("contestday/session_edit.html", ct=ct, session=session, form=form)


@bp.post("/contest-trades/<int:ct_id>/sessions/<int:session_id>/delete")
@login_required
def session_delete(ct_id: int, session_id: int):
    """Remove a session nobody is drawn into."""
    ct = trade_for(ct_id, ORGANISER)
    if not FlaskForm().validate_on_submit():
        abort(400)
    problem = session_service.delete_session(session_for(ct, session_id))
    if problem:
        db.session.rollback()
        flash(say(problem), "error")
    else:
        db.session.commit()
        flash(_("Session removed."), "success")
    return redirect(url_for("contestday.sessions", ct_id=ct.id), 303)


@bp.route("/contest-trades/<int:ct_id>/draw", methods=["GET", "POST"])
@login_required
def draw(ct_id: int):
    """The draw of lots: a seed typed or made up, every entry seated; a redraw once tickets are
    made asks for confirmation, and once check-in began it is refused."""
    ct = trade_for(ct_id, ORGANISER)
    form = DrawForm()
    made = draws.tickets_made(ct.id)
    refusal = draws.redraw_refusal(ct.id)
    if form.validate_on_submit() and refusal is None:
        if made and not form.confirm.data:
            form.confirm.errors.append(_("Tick the box to confirm."))
        else:
            seed = form.seed.data.strip() or draws.new_seed()
            problem = draws.draw(ct.id, seed, current_user.id)
            if problem is None:
                db.session.commit()
                flash(_("Drawn with seed %(seed)s.", seed=seed), "success")
                return redirect(url_for("contestday.draw_record", ct_id=ct.id), 303)
            db.session.rollback()
            flash(say(problem), "error")
    return render_template(
        "contestday/draw.html",
        ct=ct,
        form=form,
        made=made,
        refusal=say(refusal) if refusal else None,
        record=draws.record_of(ct.id),
        sessions=services.sessions_of(ct.id),
        to_draw=len(draws.drawn_entry_ids(ct.id)),
        algorithm=rules.DRAW_ALGORITHM,
    )


@bp.route("/contest-trades/<int:ct_id>/draw/record")
@login_required
def draw_record(ct_id: int):
    """The draw as recorded, for the team leaders to re-run: seed, algorithm, inputs, seats;
    ?verify=1 re-runs it here and says whether it gives the same seats."""
    ct = trade_for(ct_id, DRAW_READERS)
    record = draws.record_of(ct.id)
    verified = draws.verify(ct.id) if record and request.args.get("verify") else None
    return render_template(
        "contestday/record.html",
        ct=ct,
        record=record,
        seats=services.seats_of(ct.id),
        verified=verified,
        asked=bool(request.args.get("verify")),
        algorithm=rules.DRAW_ALGORITHM,
        doc=rules.draw_seats.__doc__,
    )


@bp.post("/contest-trades/<int:ct_id>/tickets")
@login_required
def make_tickets(ct_id: int):
    """Have the workers make every admission ticket of the trade."""
    ct = trade_for(ct_id, ORGANISER)
    if not FlaskForm().validate_on_submit():
        abort(400)
    if not services.seats_of(ct.id):
        flash(_("Draw the seats before making the tickets."), "error")
        return redirect(url_for("contestday.sessions", ct_id=ct.id), 303)
    job = create_job("tickets", current_user.id, ct.contest_id)
    job.result = {"ct_id": ct.id}
    commit_then_enqueue(job.id, tasks.make_tickets.delay, job.id, ct.id)
    flash(_("The tickets are being made."), "info")
    return redirect(url_for("contestday.sessions", ct_id=ct.id), 303)


@bp.route("/contest-trades/<int:ct_id>/tickets.zip")
@login_required
def tickets_zip(ct_id: int):
    """Every ticket of the trade made so far, in one ZIP."""
    ct = trade_for(ct_id, ORGANISER)
    name = f"tickets-{ct.trade.code}.zip"
    return Response(
        tickets.tickets_zip(ct.id),
        mimetype="application/zip",
        headers={"Content-Disposition": f'attachment; filename="{name}"'},
    )


@bp.route("/entries/<int:entry_id>/ticket.pdf")
@login_required
def ticket(entry_id: int):
    """One person's admission ticket."""
    entry = db.get_or_404(Entry, entry_id)
    require_contest_role(entry.contest_trade.contest_id, "organiser")
    seat = tickets.ticket_pdf(entry.id)
    if seat is None:
        abort(404)
    return Response(
        seat.pdf,
        mimetype="application/pdf",
        headers={"Content-Disposition": f'inline; filename="ticket-{seat.ticket_number}.pdf"'},
    )

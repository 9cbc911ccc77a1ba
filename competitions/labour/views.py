"""A labour competition's pages: the organiser's setup, scheme, verification, scoring, period
rankings with publication and commendation; the reporter's figures, evidence and import; a
participant's scores, gaps to target and rank over time."""

import io
from decimal import Decimal

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from competitions.accounts.services.permissions import require_contest_role, roles_in
from competitions.certificates import tasks as certificate_tasks
from competitions.core.audit import download_logged
from competitions.core.confirm import ConfirmForm, confirm_page
from competitions.core.db import db
from competitions.core.i18n import local_now, say
from competitions.core.jobs import Job, JobFile, create_job
from competitions.core.queue import commit_then_enqueue
from competitions.labour import rules, services, tasks
from competitions.labour.forms import (
    CompetitionForm,
    CorrectForm,
    EvidenceForm,
    ImportForm,
    IncidentForm,
    ObjectionForm,
    ParticipantForm,
    ReturnForm,
    SchemeForm,
    VetoForm,
    figures_form,
)
from competitions.labour.models import (
    LabourCompetition,
    LabourEvidence,
    LabourFigure,
    LabourIncident,
    LabourParticipant,
    LabourPeriod,
    LabourReport,
)
from competitions.labour.services import LabourError, reporting, scoring
from competitions.publication import services as publication
from competitions.publication.models import Appeal
from competitions.registry.models import Contest
from competitions.results.models import ResultSet
from competitions.units.models import Unit

bp = Blueprint("labour", __name__)


@bp.app_template_filter("plain_number")
def plain_number(value) -> str:
    """A figure as people write it: 42000, 99.3, -11 (never 4.2E+4), "—" for none."""
    if value is None:
        return "—"
    return f"{Decimal(value).normalize():f}"


# --- access ------------------------------------------------------------------------------------


def _organiser(contest_id: int) -> LabourCompetition:
    require_contest_role(contest_id, "organiser")
    return services.competition_of(contest_id) or abort(404)


def _period(comp: LabourCompetition, period_id: int) -> LabourPeriod:
    period = db.get_or_404(LabourPeriod, period_id)
    if period.competition_id != comp.id:
        abort(404)
    return period


def _participant(contest_id: int, participant_id: int, reporter_only: bool = False):
    """The participant, for its reporter (and the organiser unless ``reporter_only``)."""
    comp = services.competition_of(contest_id) or abort(404)
    participant = db.get_or_404(LabourParticipant, participant_id)
    if participant.competition_id != comp.id:
        abort(404)
    is_reporter = participant.reporter_id == current_user.id
    if not is_reporter and (reporter_only or "organiser" not in roles_in(current_user, contest_id)):
        abort(403)
    return comp, participant


def _fail(err: LabourError) -> None:
    db.session.rollback()
    flash(say(err.reason), "error")


def _back(contest_id: int):
    return redirect(url_for("labour.home", contest_id=contest_id), 303)


# --- the organiser's setup ---------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/labour", methods=["GET", "POST"])
@login_required
def home(contest_id: int):
    """The labour competition of the contest: created here, then its periods, participants and
    vetoes; a reporter is sent to their own reporting page."""
    contest = db.get_or_404(Contest, contest_id)
    comp = services.competition_of(contest_id)
    if "organiser" not in roles_in(current_user, contest_id):
        if comp and services.participants_of(current_user.id, comp):
            return redirect(url_for("labour.reporting", contest_id=contest_id))
        abort(403)
    if comp is None:
        form = CompetitionForm(year=contest.year, name=contest.name)
        if form.validate_on_submit():
            try:
                services.create_competition(
                    contest_id,
                    form.name.data,
                    form.period_kind.data,
                    form.year.data,
                    form.commend_top.data,
                    form.commendation.data,
                )
            except LabourError as err:
                _fail(err)
            else:
                db.session.commit()
                flash(_("Labour competition set up."), "success")
                return _back(contest_id)
        return render_template("labour/create.html", contest=contest, form=form)
    return _home_page(contest, comp)


def _home_page(contest, comp, participant_form=None, veto_form=None, incident_form=None):
    units = db.session.scalars(select(Unit).order_by(Unit.name)).all()
    participant_form = participant_form or ParticipantForm(formdata=None)
    participant_form.unit_id.choices = [(0, "—")] + [(u.id, u.name) for u in units]
    incident_form = incident_form or IncidentForm(formdata=None)
    _incident_choices(incident_form, comp)
    states = {p.id: services.result_state(p.id) for p in comp.periods}
    jobs = db.session.scalars(
        select(Job)
        .filter_by(contest_id=contest.id, kind=tasks.KIND)
        .order_by(Job.created_at.desc())
        .limit(1)
    ).all()
    return render_template(
        "labour/home.html",
        contest=contest,
        comp=comp,
        periods=services.periods(comp),
        total=services.total_of(comp),
        counts=services.report_counts(comp),
        states=states,
        participant_form=participant_form,
        veto_form=veto_form or VetoForm(formdata=None),
        incident_form=incident_form,
        confirm=ConfirmForm(formdata=None),
        job=jobs[0] if jobs else None,
    )


def _incident_choices(form, comp) -> None:
    form.period_id.choices = [(p.id, p.label) for p in services.periods(comp)]
    form.participant_id.choices = [(p.id, p.name) for p in comp.participants]
    form.veto_id.choices = [(v.id, v.name) for v in comp.vetoes]


@bp.post("/contests/<int:contest_id>/labour/participants")
@login_required
def add_participant(contest_id: int):
    comp = _organiser(contest_id)
    form = ParticipantForm()
    form.unit_id.choices = [(0, "—")] + [(u.id, u.name) for u in db.session.scalars(select(Unit))]
    if form.validate_on_submit():
        try:
            services.add_participant(
                comp, form.name.data, form.kind.data, form.unit_id.data or None, form.reporter.data
            )
        except LabourError as err:
            db.session.rollback()
            getattr(form, err.field or "name").errors.append(say(err.reason))
        else:
            db.session.commit()
            flash(_("Participant added."), "success")
            return _back(contest_id)
    return _home_page(comp.contest, comp, participant_form=form), 400


@bp.post("/contests/<int:contest_id>/labour/vetoes")
@login_required
def add_veto(contest_id: int):
    comp = _organiser(contest_id)
    form = VetoForm()
    if form.validate_on_submit():
        try:
            services.add_veto(comp, form.name.data, form.effect.data)
        except LabourError as err:
            db.session.rollback()
            form.name.errors.append(say(err.reason))
        else:
            db.session.commit()
            flash(_("Veto added."), "success")
            return _back(contest_id)
    return _home_page(comp.contest, comp, veto_form=form), 400


@bp.post("/contests/<int:contest_id>/labour/incidents")
@login_required
def add_incident(contest_id: int):
    """Record a veto incident against a participant in a period."""
    comp = _organiser(contest_id)
    form = IncidentForm()
    _incident_choices(form, comp)
    if form.validate_on_submit():
        period = _period(comp, form.period_id.data)
        try:
            services.record_incident(
                period, form.participant_id.data, form.veto_id.data, form.note.data
            )
        except LabourError as err:
            _fail(err)
        else:
            db.session.commit()
            flash(_("Veto incident recorded."), "success")
            return _back(contest_id)
    return _home_page(comp.contest, comp, incident_form=form), 400


@bp.post("/contests/<int:contest_id>/labour/periods/<int:period_id>/state")
@login_required
def period_state(contest_id: int, period_id: int):
    """Close a period for reporting (its figures are locked for scoring), or open it again."""
    comp = _organiser(contest_id)
    period = _period(comp, period_id)
    if period.is_total:
        abort(404)
    try:
        if request.form.get("open") == "1":
            services.reopen_period(period)
        else:
            services.close_period(period, current_user.id)
    except LabourError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(_("Period %(label)s saved.", label=period.label), "success")
    return _back(contest_id)


@bp.route("/contests/<int:contest_id>/labour/scheme", methods=["GET", "POST"])
@login_required
def scheme(contest_id: int):
    """The indicator scheme: every indicator with its unit, direction, target, weight and rule;
    weights that do not add up to 100 are refused next to the field."""
    comp = _organiser(contest_id)
    if request.method == "POST":
        form = SchemeForm()
    else:
        data = [
            {
                "name": i.name,
                "measure": i.measure,
                "direction": i.direction,
                "target": i.target,
                "weight": i.weight,
                "scoring": i.scoring,
                "cap": i.cap,
                "floor": i.floor,
            }
            for i in comp.indicators
        ]
        form = SchemeForm(data={"rows": [*data, {}, {}]})
    if request.method == "POST" and form.validate_on_submit():
        rows, forms = [], []
        for sub in form.rows:
            if not (sub.form.name.data or "").strip():
                continue
            missing = False
            for field in (sub.form.target, sub.form.weight):
                if field.data is None:
                    field.errors = [*field.errors, _("This field is required.")]
                    missing = True
            if missing:
                continue
            forms.append(sub.form)
            rows.append(
                services.IndicatorRow(
                    sub.form.name.data.strip(),
                    (sub.form.measure.data or "").strip(),
                    sub.form.direction.data,
                    sub.form.target.data,
                    sub.form.weight.data,
                    sub.form.scoring.data,
                    sub.form.cap.data,
                    sub.form.floor.data,
                )
            )
        problems = services.scheme_problems(rows)
        if not any(f.errors for sub in form.rows for f in sub.form) and not problems:
            try:
                services.save_scheme(comp, rows)
            except LabourError as err:
                _fail(err)
            else:
                db.session.commit()
                flash(_("Indicator scheme saved."), "success")
                return redirect(url_for("labour.scheme", contest_id=contest_id), 303)
        for (n, field), reason in problems.items():
            if n < len(forms):
                getattr(forms[n], field).errors = [*getattr(forms[n], field).errors, say(reason)]
            else:
                form.rows[0].form.name.errors = [say(reason)]
        return render_template("labour/scheme.html", comp=comp, form=form), 400
    return render_template("labour/scheme.html", comp=comp, form=form)


@bp.post("/contests/<int:contest_id>/labour/score")
@login_required
def score(contest_id: int):
    """Score and rank the closed periods and the running total on the workers."""
    comp = _organiser(contest_id)
    period_ids = [p.id for p in services.periods(comp) if not p.is_open]
    if not period_ids:
        flash(_("Close a period for reporting first."), "error")
        return _back(contest_id)
    job = create_job(tasks.KIND, current_user.id, contest_id)
    commit_then_enqueue(job.id, tasks.queue_score, job.id, comp.id, period_ids)
    flash(_("Scoring %(n)s periods on the workers.", n=len(period_ids)), "info")
    return _back(contest_id)


# --- rankings, publication, commendation -------------------------------------------------------


@bp.route("/contests/<int:contest_id>/labour/periods/<int:period_id>")
@login_required
def period(contest_id: int, period_id: int):
    """A period's ranking (or the running total's) and its reports to verify."""
    comp = _organiser(contest_id)
    period = _period(comp, period_id)
    reports = {
        r.participant_id: r
        for r in db.session.scalars(select(LabourReport).filter_by(period_id=period.id))
    }
    result_set = db.session.get(ResultSet, period.id)
    return render_template(
        "labour/period.html",
        comp=comp,
        period=period,
        board=scoring.scoreboard(period.id),
        reports=reports,
        result_set=result_set,
        appeals=db.session.scalars(select(Appeal).filter_by(assessment_id=period.id)).all(),
        incidents=db.session.scalars(
            select(LabourIncident).filter_by(period_id=period.id).order_by(LabourIncident.id)
        ).all(),
    )


@bp.route("/contests/<int:contest_id>/labour/periods/<int:period_id>/ranking")
def public_ranking(contest_id: int, period_id: int):
    """A period's ranking (or the running total's) for everyone, once under public notice
    (公示) or final; before that it does not exist for the public."""
    comp = services.competition_of(contest_id) or abort(404)
    period = _period(comp, period_id)
    result_set = db.session.get(ResultSet, period.id)
    if result_set is None or result_set.state not in ("notice", "final"):
        abort(404)
    return render_template(
        "labour/public.html",
        comp=comp,
        period=period,
        board=scoring.scoreboard(period.id),
        result_set=result_set,
    )


PUBLICATION_ACTIONS = ("publish", "finalise", "withdraw")


@bp.route(
    "/contests/<int:contest_id>/labour/periods/<int:period_id>/publication/<action>",
    methods=["GET", "POST"],
)
@login_required
def publication_step(contest_id: int, period_id: int, action: str):
    """Put a ranking under public notice (公示), make it final, or withdraw it: publication's
    own services, after a confirmation page."""
    comp = _organiser(contest_id)
    period = _period(comp, period_id)
    if action not in PUBLICATION_ACTIONS:
        abort(404)
    result_set = db.session.get(ResultSet, period.id)
    back = url_for("labour.period", contest_id=contest_id, period_id=period_id)
    now = local_now()
    problem = None
    if result_set is None:
        problem = _("Score the period first.")
    elif action == "finalise":
        reason = publication.finalise_check(result_set, now)
        problem = say(reason) if reason else None
    form = ConfirmForm()
    if problem is None and form.validate_on_submit():
        step = {
            "publish": lambda: publication.publish(period, result_set, now),
            "finalise": lambda: publication.finalise(result_set, now),
            "withdraw": lambda: publication.withdraw(result_set),
        }[action]
        reason = step()
        if reason:
            db.session.rollback()
            flash(say(reason), "error")
        else:
            db.session.commit()
            flash(_("Done."), "success")
        return redirect(back, 303)
    titles = {
        "publish": _("Put the ranking under public notice"),
        "finalise": _("Make the ranking final"),
        "withdraw": _("Withdraw the ranking from public notice"),
    }
    return confirm_page(
        form,
        title=f"{titles[action]} · {period.title}",
        consequences=[
            _(
                "Participants and the public see the ranking; objections may be raised "
                "until the notice ends."
            )
            if action == "publish"
            else _("The ranking becomes final; certificates may then be issued.")
            if action == "finalise"
            else _("The ranking goes back to draft.")
        ],
        problem=problem,
        button=titles[action],
        button_id=f"confirm-{action}",
        back=back,
    )


@bp.route("/contests/<int:contest_id>/labour/certificates", methods=["GET", "POST"])
@login_required
def commendation_certificates(contest_id: int):
    """Issue the commendation certificates of the final running total, through certificates."""
    comp = _organiser(contest_id)
    total = services.total_of(comp)
    back = url_for("labour.period", contest_id=contest_id, period_id=total.id)
    state = services.result_state(total.id)
    problem = None if state == "final" else _("The running total's ranking is not final yet.")
    form = ConfirmForm()
    if problem is None and form.validate_on_submit():
        job = certificate_tasks.issue_on_workers(comp.contest, [total.id], current_user.id)
        flash(_("Issuing %(n)s certificates on the workers.", n=job.total), "info")
        return redirect(url_for("certificates.overview", contest_id=contest_id), 303)
    return confirm_page(
        form,
        title=_("Issue the commendation certificates"),
        consequences=[
            _("Every commended participant gets a certificate with a number anyone can verify.")
        ],
        problem=problem,
        button=_("Issue the commendation certificates"),
        button_id="confirm-issue",
        back=back,
    )


# --- verification --------------------------------------------------------------------------------


def _report(comp, report_id: int) -> LabourReport:
    report = db.get_or_404(LabourReport, report_id)
    if report.period.competition_id != comp.id:
        abort(404)
    return report


@bp.route("/contests/<int:contest_id>/labour/reports/<int:report_id>")
@login_required
def check(contest_id: int, report_id: int):
    """A report to verify: figures against targets, evidence; accept, return or correct."""
    comp = _organiser(contest_id)
    report = _report(comp, report_id)
    return _check_page(comp, report)


def _check_page(comp, report, return_form=None, correct_form=None):
    indicators = {i.id: i for i in comp.indicators}
    return render_template(
        "labour/check.html",
        comp=comp,
        report=report,
        indicators=indicators,
        figures=sorted(report.figures, key=lambda f: indicators[f.indicator_id].position),
        return_form=return_form or ReturnForm(formdata=None),
        correct_form=correct_form or CorrectForm(formdata=None),
        accept_form=ConfirmForm(formdata=None),
    )


@bp.post("/contests/<int:contest_id>/labour/reports/<int:report_id>/accept")
@login_required
def accept(contest_id: int, report_id: int):
    comp = _organiser(contest_id)
    report = _report(comp, report_id)
    try:
        reporting.accept(report, current_user.id)
    except LabourError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(_("Report accepted."), "success")
    return redirect(
        url_for("labour.period", contest_id=contest_id, period_id=report.period_id), 303
    )


@bp.post("/contests/<int:contest_id>/labour/reports/<int:report_id>/return")
@login_required
def return_report(contest_id: int, report_id: int):
    comp = _organiser(contest_id)
    report = _report(comp, report_id)
    form = ReturnForm()
    if form.validate_on_submit():
        try:
            reporting.return_report(report, form.reason.data, current_user.id)
        except LabourError as err:
            db.session.rollback()
            form.reason.errors.append(say(err.reason))
        else:
            db.session.commit()
            flash(_("Report returned to the reporter."), "success")
            return redirect(
                url_for("labour.period", contest_id=contest_id, period_id=report.period_id), 303
            )
    return _check_page(comp, report, return_form=form), 400


@bp.post("/contests/<int:contest_id>/labour/figures/<int:figure_id>/correct")
@login_required
def correct(contest_id: int, figure_id: int):
    """Correct a figure with a reason (kept in the audit trail)."""
    comp = _organiser(contest_id)
    figure = db.get_or_404(LabourFigure, figure_id)
    report = _report(comp, figure.report_id)
    form = CorrectForm()
    if form.validate_on_submit():
        try:
            reporting.correct(figure, form.value.data, form.reason.data)
        except LabourError as err:
            db.session.rollback()
            getattr(form, err.field or "value").errors.append(say(err.reason))
        else:
            db.session.commit()
            flash(_("Figure corrected."), "success")
            return redirect(
                url_for("labour.check", contest_id=contest_id, report_id=report.id), 303
            )
    return _check_page(comp, report, correct_form=form), 400


@bp.route("/contests/<int:contest_id>/labour/evidence/<int:evidence_id>")
@login_required
@download_logged("labour_evidence")
def evidence(contest_id: int, evidence_id: int):
    """An evidence file, for the organiser and the participant's reporter."""
    item = db.get_or_404(LabourEvidence, evidence_id)
    _participant(contest_id, item.report.participant_id)
    return send_file(
        io.BytesIO(item.data),
        mimetype=item.content_type,
        as_attachment=True,
        download_name=item.filename,
    )


# --- the reporter ------------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/labour/report", endpoint="reporting")
@login_required
def reporting_home(contest_id: int):
    """The reporter's participants and periods: what is open, what is returned and why."""
    comp = services.competition_of(contest_id) or abort(404)
    mine = services.participants_of(current_user.id, comp)
    if not mine:
        abort(403)
    reports = {
        (r.participant_id, r.period_id): r
        for r in db.session.scalars(
            select(LabourReport).where(LabourReport.participant_id.in_([p.id for p in mine]))
        )
    }
    return render_template(
        "labour/reporting.html",
        comp=comp,
        mine=mine,
        periods=services.periods(comp),
        reports=reports,
        import_form=ImportForm(formdata=None),
    )


def _said(reason):
    return say(reason) if reason else None


def _report_page(comp, participant, period, form=None, evidence_form=None, status=200):
    report = reporting.report_of(period.id, participant.id)
    standing = services.standing_of(period.id, participant.id)
    return (
        render_template(
            "labour/report.html",
            comp=comp,
            participant=participant,
            period=period,
            report=report,
            form=form or figures_form(comp.indicators, report),
            evidence_form=evidence_form or EvidenceForm(formdata=None),
            confirm=ConfirmForm(formdata=None),
            objection_form=ObjectionForm(formdata=None),
            problem=_said(
                rules.reporting_problem(period.is_open, report.state if report else None)
            ),
            result_state=services.result_state(period.id),
            objections=db.session.scalars(select(Appeal).filter_by(subject_id=standing.id)).all(),
        ),
        status,
    )


@bp.route(
    "/contests/<int:contest_id>/labour/participants/<int:participant_id>/periods/<int:period_id>",
    methods=["GET", "POST"],
)
@login_required
def report(contest_id: int, participant_id: int, period_id: int):
    """The reporter's figures for a period (saved as a draft until submitted)."""
    comp, participant = _participant(contest_id, participant_id, reporter_only=True)
    period = _period(comp, period_id)
    if period.is_total:
        abort(404)
    if request.method == "GET":
        return _report_page(comp, participant, period)
    form = figures_form(comp.indicators)
    if not form.validate_on_submit():
        return _report_page(comp, participant, period, form=form, status=400)
    values = {
        i.id: getattr(form, f"f{i.id}").data
        for i in comp.indicators
        if getattr(form, f"f{i.id}").data is not None
    }
    try:
        reporting.save_figures(period, participant, values)
    except LabourError as err:
        db.session.rollback()
        if err.field and hasattr(form, f"f{err.field}"):
            getattr(form, f"f{err.field}").errors.append(say(err.reason))
        else:
            flash(say(err.reason), "error")
        return _report_page(comp, participant, period, form=form, status=400)
    db.session.commit()
    flash(_("Figures saved."), "success")
    return redirect(request.path, 303)


@bp.post(
    "/contests/<int:contest_id>/labour/participants/<int:participant_id>/periods/<int:period_id>/evidence"
)
@login_required
def upload(contest_id: int, participant_id: int, period_id: int):
    comp, participant = _participant(contest_id, participant_id, reporter_only=True)
    period = _period(comp, period_id)
    form = EvidenceForm()
    back = url_for(
        "labour.report", contest_id=contest_id, participant_id=participant_id, period_id=period_id
    )
    if not form.validate_on_submit():
        return _report_page(comp, participant, period, evidence_form=form, status=400)
    report = reporting.report_of(period.id, participant.id)
    if report is None:
        flash(_("Save the figures first, then attach the evidence."), "error")
        return redirect(back, 303)
    upload = form.evidence.data
    try:
        reporting.add_evidence(report, upload.filename or "", upload.read())
    except LabourError as err:
        db.session.rollback()
        form.evidence.errors.append(say(err.reason))
        return _report_page(comp, participant, period, evidence_form=form, status=400)
    db.session.commit()
    flash(_("Evidence attached."), "success")
    return redirect(back, 303)


@bp.post(
    "/contests/<int:contest_id>/labour/participants/<int:participant_id>/periods/<int:period_id>/submit"
)
@login_required
def submit(contest_id: int, participant_id: int, period_id: int):
    comp, participant = _participant(contest_id, participant_id, reporter_only=True)
    period = _period(comp, period_id)
    report = reporting.report_of(period.id, participant.id)
    form = ConfirmForm()
    if report is None or not form.validate_on_submit():
        flash(_("Save the figures and tick the box to confirm."), "error")
    else:
        try:
            reporting.submit(report, [i.id for i in comp.indicators])
        except LabourError as err:
            _fail(err)
        else:
            db.session.commit()
            flash(_("Report submitted to the organiser."), "success")
    return redirect(
        url_for(
            "labour.report",
            contest_id=contest_id,
            participant_id=participant_id,
            period_id=period_id,
        ),
        303,
    )


@bp.post(
    "/contests/<int:contest_id>/labour/participants/<int:participant_id>/periods/<int:period_id>/objection"
)
@login_required
def objection(contest_id: int, participant_id: int, period_id: int):
    """An objection to a ranking under public notice: an appeal the arbitrator decides."""
    comp, participant = _participant(contest_id, participant_id, reporter_only=True)
    period = _period(comp, period_id)
    form = ObjectionForm()
    back = url_for("labour.participant", contest_id=contest_id, participant_id=participant_id)
    result_set = db.session.get(ResultSet, period.id)
    if result_set is None or publication.notice_open_until(result_set, local_now()) is None:
        flash(_("Objections are taken only while the ranking is under public notice."), "error")
    elif not form.validate_on_submit():
        flash(_("Write the objection (at least 5 characters)."), "error")
    else:
        standing = services.standing_of(period.id, participant.id)
        db.session.add(
            Appeal(
                assessment_id=period.id,
                subject_id=standing.id,
                real_name=current_user.display_name,
                reason=form.reason.data.strip(),
                contact="",
            )
        )
        db.session.commit()
        flash(_("Objection filed; the arbitrator decides it."), "success")
    return redirect(back, 303)


@bp.post("/contests/<int:contest_id>/labour/import")
@login_required
def import_figures(contest_id: int):
    """Figures from an .xlsx (all or nothing; the problems in a downloadable error report)."""
    comp = services.competition_of(contest_id) or abort(404)
    organiser = "organiser" in roles_in(current_user, contest_id)
    mine = services.participants_of(current_user.id, comp)
    if not organiser and not mine:
        abort(403)
    back = url_for("labour.home" if organiser else "labour.reporting", contest_id=contest_id)
    form = ImportForm()
    if not form.validate_on_submit():
        flash(_("Choose an .xlsx file."), "error")
        return redirect(back, 303)
    data = form.file.data.read()
    allowed = None if organiser else {p.id for p in mine}
    saved, problems = reporting.import_figures(comp, data, allowed)
    if problems:
        db.session.rollback()
        job = reporting.refused_import(comp, problems, current_user.id)
        db.session.commit()
        flash(
            _("Nothing was saved: %(n)s problems. Download the error report.", n=len(problems)),
            "error",
        )
        return redirect(
            url_for(
                "labour.reporting" if not organiser else "labour.home",
                contest_id=contest_id,
                errors=job.id,
            ),
            303,
        )
    db.session.commit()
    flash(_("%(n)s figures imported.", n=saved), "success")
    return redirect(back, 303)


@bp.route("/contests/<int:contest_id>/labour/import/<job_id>/errors")
@login_required
@download_logged("import_errors")
def import_errors(contest_id: int, job_id: str):
    job = db.get_or_404(Job, job_id)
    if job.contest_id != contest_id or job.kind != reporting.IMPORT_KIND:
        abort(404)
    if job.user_id != current_user.id:
        abort(403)
    file = db.session.scalar(select(JobFile).filter_by(job_id=job.id, role="errors")) or abort(404)
    return send_file(
        io.BytesIO(file.data),
        mimetype=file.content_type,
        as_attachment=True,
        download_name=file.filename,
    )


# --- a participant's own page ------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/labour/participants/<int:participant_id>")
@login_required
def participant(contest_id: int, participant_id: int):
    """A participant's scores per period, gaps to target and rank over time (a chart)."""
    comp, participant = _participant(contest_id, participant_id)
    rows = scoring.history(participant.id)
    # Only rankings published (or the organiser's own view) are shown to the reporter.
    organiser = "organiser" in roles_in(current_user, contest_id)
    visible = [r for r in rows if organiser or r["state"] in ("notice", "final")]
    periods = [r for r in visible if not r["period"].is_total]
    indicators = comp.indicators
    reports = {
        r.period_id: r
        for r in db.session.scalars(select(LabourReport).filter_by(participant_id=participant.id))
    }
    gaps = []
    for row in rows:
        period = row["period"]
        if period.is_total:
            continue
        report = reports.get(period.id)
        figures = {f.indicator_id: f.value for f in report.figures} if report else {}
        scores = scoring.indicator_scores(services.standing_of(period.id, participant.id).id)
        shown = organiser or row["state"] in ("notice", "final")
        gaps.append(
            {
                "period": period,
                "report": report,
                "cells": [
                    {
                        "indicator": i,
                        "value": figures.get(i.id),
                        "gap": rules.gap_to_target(i.direction, i.target, figures.get(i.id)),
                        "score": scores.get(i.id, (None, False))[0] if shown else None,
                    }
                    for i in indicators
                ],
            }
        )
    total = next((r for r in visible if r["period"].is_total), None)
    return render_template(
        "labour/participant.html",
        comp=comp,
        participant=participant,
        periods=periods,
        total=total,
        gaps=gaps,
        indicators=indicators,
        chart=rules.over_time(
            [(r["period"].label, r["total"], r["rank"]) for r in periods],
            scoring.participant_count(periods[0]["period"].id) if periods else 0,
        ),
        is_reporter=participant.reporter_id == current_user.id,
        objection_form=ObjectionForm(formdata=None),
        now=local_now(),
        result_sets={
            rs.assessment_id: rs
            for rs in db.session.scalars(
                select(ResultSet).where(ResultSet.assessment_id.in_([r["period"].id for r in rows]))
            )
        },
        Decimal=Decimal,
    )

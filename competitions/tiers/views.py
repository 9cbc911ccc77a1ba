"""The tiers' pages: contests held outside Jingsai and their result lists; recommended entries
per source with their quotas; direct recommendation; what a lower contest sent up."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from openpyxl import Workbook
from sqlalchemy import select

from competitions.accounts.models import ContestRole
from competitions.accounts.services.permissions import require_contest_role
from competitions.core.audit import download_logged
from competitions.core.db import db
from competitions.core.http import referrer_or, xlsx_download
from competitions.core.i18n import say
from competitions.core.jobs import job_file, job_file_info
from competitions.core.labels import AWARD_LABELS, STATUS_LABELS
from competitions.core.sheet_rules import XLSX_TYPE
from competitions.core.sheet_rules import neutralise_cell as safe_cell
from competitions.core.sheets import translated
from competitions.registry.models import Contest, ContestTrade
from competitions.registry.services import RegistrationError, unit_choices
from competitions.results.services import advance
from competitions.tiers.forms import DecideForm, DirectForm, ImportForm
from competitions.tiers.services import outside, recommend

bp = Blueprint("tiers", __name__)

PERSON_FIELDS = ("unit_id", "skill_level", "phone")


def _organised_ct(ct_id: int) -> ContestTrade:
    """The contest-trade, for its contest's organisers (else 403)."""
    ct = db.get_or_404(ContestTrade, ct_id)
    require_contest_role(ct.contest_id, "organiser")
    return ct


@bp.route("/contests/<int:contest_id>/outside", methods=["GET", "POST"])
@login_required
def outside_contest(contest_id: int):
    """A contest held outside Jingsai: register it so, then import each trade's result list."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    form = FlaskForm()
    if form.validate_on_submit():
        outside.register_outside(contest_id, current_user.id)
        db.session.commit()
        flash(_("The contest is registered as held outside Jingsai."), "success")
        return redirect(url_for("tiers.outside_contest", contest_id=contest_id), 303)
    trades = [(ct, outside.scores_count(ct.id)) for ct in contest.contest_trades]
    return render_template(
        "tiers/outside.html",
        contest=contest,
        form=form,
        held_outside=outside.is_outside(contest_id),
        trades=trades,
    )


@bp.route("/contest-trades/<int:ct_id>/outside-list", methods=["GET", "POST"])
@login_required
def outside_list(ct_id: int):
    """Import a trade's final result list; the last import's outcome and the differences."""
    ct = _organised_ct(ct_id)
    held_outside = outside.is_outside(ct.contest_id)
    form = ImportForm()
    if held_outside and form.validate_on_submit():
        upload = form.file.data
        data = upload.read()
        outcome = outside.import_list(ct, upload.filename or "upload", data, current_user.id)
        if not outcome.ok:
            db.session.rollback()  # nothing of the list is kept
        job = outside.record_job(
            ct, current_user.id, upload.filename or "upload", upload.mimetype, data
        )
        outside.finish_import_job(job, outcome)
        db.session.commit()
        if outcome.ok:
            flash(_("The result list was imported and ranked."), "success")
        else:
            flash(_("Nothing was saved: the file has problems."), "error")
        return redirect(url_for("tiers.outside_list", ct_id=ct_id), 303)
    job = outside.latest_job(ct)
    result = (job.result or {}) if job else {}
    errors = [{**e, "message": translated(e)} for e in result.get("errors", [])[:200]]
    return render_template(
        "tiers/outside_list.html",
        ct=ct,
        form=form,
        held_outside=held_outside,
        job=job,
        result=result,
        errors=errors,
        has_report=bool(job and "errors" in job_file_info(job.id)),
        lines=outside.scores_count(ct.id),
        differences=outside.differences(ct.id),
        awards=AWARD_LABELS,
        parent=advance.parent_contest_trade(ct),
    )


@bp.route("/contest-trades/<int:ct_id>/outside-list/errors.xlsx")
@login_required
@download_logged("import_errors")
def outside_errors(ct_id: int):
    """The error report of the trade's last refused list."""
    ct = _organised_ct(ct_id)
    job = outside.latest_job(ct)
    stored = job_file(job.id, "errors") if job else None
    if stored is None:
        return redirect(url_for("tiers.outside_list", ct_id=ct_id))
    return send_file(
        io.BytesIO(stored.data),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
    )


@bp.route("/contest-trades/<int:ct_id>/outside-list/template.xlsx")
@login_required
def outside_template(ct_id: int):
    """The blank result list: the Chinese headers."""
    ct = _organised_ct(ct_id)
    book = Workbook()
    sheet = book.active
    sheet.title = "成绩单"
    sheet.append([c.zh for c in outside.COLUMNS])
    sheet.column_dimensions["A"].number_format = "@"
    sheet.column_dimensions["A"].width = 22
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    return send_file(
        out,
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name=f"result-list-{ct.contest.code}-{ct.trade.code}.xlsx",
    )


def _award_text(code) -> str:
    if code is None:
        return ""
    return str(AWARD_LABELS.get(code, code)) if code else _("No award")


@bp.route("/contest-trades/<int:ct_id>/differences.xlsx")
@login_required
@download_logged("results")
def differences_export(ct_id: int):
    """The differences between the list's ranks and awards and the computed ones (.xlsx)."""
    ct = _organised_ct(ct_id)
    book = Workbook()
    sheet = book.active
    sheet.title = "差异"
    sheet.append(
        [
            _("Row"),
            _("Name"),
            _("Rank in the list"),
            _("Computed rank"),
            _("Award in the list"),
            _("Computed award"),
        ]
    )
    for line in outside.differences(ct.id):
        d = line.difference
        sheet.append(
            [
                line.row,
                safe_cell(line.name),
                d.given_rank,
                d.computed_rank,
                _award_text(d.given_award),
                _award_text(d.computed_award) if d.given_award is not None else "",
            ]
        )
    out = io.BytesIO()
    book.save(out)
    return xlsx_download(out.getvalue(), f"differences-{ct.contest.code}-{ct.trade.code}.xlsx")


@bp.route("/contests/<int:contest_id>/recommendations")
@login_required
def recommendations(contest_id: int):
    """The recommended entries of a contest: per source and trade the counts beside the quota,
    and the list (of a source, of a state) to accept or return."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    key = request.args.get("source") or None
    status = request.args.get("status", "recommended")
    if status not in ("recommended", "returned", "registered", "approved", ""):
        status = "recommended"
    page = max(request.args.get("page", 1, type=int) or 1, 1)
    rows, total = recommend.listing(contest_id, key, status or None, page)
    return render_template(
        "tiers/recommendations.html",
        contest=contest,
        summary=recommend.summary(contest_id),
        rows=rows,
        total=total,
        page=page,
        pages=max((total + recommend.PAGE_SIZE - 1) // recommend.PAGE_SIZE, 1),
        key=key,
        status=status,
        statuses=STATUS_LABELS,
        form=DecideForm(),
    )


@bp.post("/contests/<int:contest_id>/recommendations/decide")
@login_required
def decide(contest_id: int):
    """Accept the chosen recommended entries, or return them with a reason (all or none)."""
    require_contest_role(contest_id, "organiser")
    form = DecideForm()
    if form.validate_on_submit():
        ids = [i for i in form.entry_ids.data or [] if isinstance(i, int)]
        try:
            if form.action.data == "accept":
                n = recommend.accept(contest_id, ids)
                message = _("%(n)s recommended entries accepted.", n=n)
            else:
                n = recommend.return_entries(contest_id, ids, form.reason.data or "")
                message = _("%(n)s recommended entries returned.", n=n)
        except recommend.Refused as refused:
            db.session.rollback()
            flash(say(refused.reason), "error")
        else:
            db.session.commit()
            flash(message, "success")
    else:
        flash(_("The form has expired; try again."), "error")
    return redirect(referrer_or(_back(contest_id)), 303)


def _back(contest_id: int) -> str:
    return url_for("tiers.recommendations", contest_id=contest_id)


def _organised() -> set[int]:
    return set(
        db.session.scalars(
            select(ContestRole.contest_id).where(
                ContestRole.user_id == current_user.id, ContestRole.role == "organiser"
            )
        )
    )


@bp.route("/contests/<int:contest_id>/recommend", methods=["GET", "POST"])
@login_required
def recommend_directly(contest_id: int):
    """A unit recommends people directly to this contest (as its organiser on the unit's
    behalf, or as the organiser of a contest that feeds it)."""
    if not recommend.may_recommend_to(contest_id, _organised()):
        abort(403)
    contest = db.get_or_404(Contest, contest_id)
    form = DirectForm()
    units = unit_choices()
    form.source_unit_id.choices = [("", "—"), *units]
    form.unit_id.choices = [("", "—"), *units]
    form.contest_trade_id.choices = [(ct.id, ct.title) for ct in contest.contest_trades]
    if form.validate_on_submit():
        ct = db.session.get(ContestTrade, form.contest_trade_id.data or 0)
        if ct is None or ct.contest_id != contest_id:
            form.contest_trade_id.errors.append(_("Choose a trade from the list."))
        elif form.source_unit_id.data not in {u[0] for u in units}:
            form.source_unit_id.errors.append(_("Choose a unit from the list."))
        else:
            try:
                recommend.recommend_directly(
                    ct,
                    form.source_unit_id.data,
                    form.person_facts(),
                    {f: getattr(form, f).data for f in PERSON_FIELDS},
                    current_user.id,
                )
            except RegistrationError as err:
                db.session.rollback()
                getattr(form, err.field).errors.append(say(err.reason))
            else:
                db.session.commit()
                flash(_("Recommended: the contest's organiser decides."), "success")
                return redirect(url_for("tiers.recommend_directly", contest_id=contest_id), 303)
    return render_template("tiers/direct.html", contest=contest, form=form)


@bp.route("/contests/<int:contest_id>/sent-up")
@login_required
def sent_up(contest_id: int):
    """What this contest sent up to the contest it feeds: each entry's state, and the reason
    of a return."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    return render_template(
        "tiers/sent_up.html",
        contest=contest,
        rows=recommend.sent_up(contest_id, current_user.id),
        statuses=STATUS_LABELS,
    )

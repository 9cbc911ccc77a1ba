"""The import pages: upload, follow the job, read or download its errors, get the template."""

import io

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from competitions.accounts.permissions import require_contest_role
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.queue import enqueue
from competitions.imports import jobs as import_jobs
from competitions.imports import report
from competitions.imports.forms import ImportForm
from competitions.registry.models import Contest
from workers.tasks import import_entries

bp = Blueprint("imports", __name__)

STATE_LABELS = {
    "pending": _l("Waiting"),
    "running": _l("Running"),
    "succeeded": _l("Succeeded"),
    "failed": _l("Failed"),
}
#: The page lists this many errors; the downloadable report has them all.
ERRORS_SHOWN = 200


@bp.route("/contests/<int:contest_id>/import", methods=["GET", "POST"])
@login_required
def upload(contest_id: int):
    """The import page: the upload form, the template, and the contest's recent imports."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        job = import_jobs.create_import_job(
            contest_id, current_user.id, upload.filename or "upload", upload.mimetype, upload.read()
        )
        db.session.commit()
        enqueue(job.id, import_entries.delay, job.id)
        return redirect(url_for("imports.job", contest_id=contest_id, job_id=job.id), 303)
    return render_template(
        "imports/upload.html",
        contest=contest,
        form=form,
        jobs=import_jobs.recent_jobs(contest_id),
        states=STATE_LABELS,
    )


@bp.route("/contests/<int:contest_id>/import/<job_id>")
@login_required
def job(contest_id: int, job_id: str):
    """One import: its progress, then what it saved or the errors that stopped it."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    job = import_jobs.import_job(contest_id, job_id) or abort(404)
    result = job.result or {}
    errors = [
        {**error, "message": report.translated(error)}
        for error in result.get("errors", [])[:ERRORS_SHOWN]
    ]
    return render_template(
        "imports/job.html",
        contest=contest,
        job=job,
        result=result,
        errors=errors,
        files=import_jobs.job_file_info(job.id),
        states=STATE_LABELS,
    )


@bp.route("/contests/<int:contest_id>/import/<job_id>/errors.xlsx")
@login_required
def errors(contest_id: int, job_id: str):
    """The error report of a failed import, as the task wrote it."""
    require_contest_role(contest_id, "organiser")
    import_jobs.import_job(contest_id, job_id) or abort(404)
    stored = import_jobs.job_file(job_id, "errors") or abort(404)
    return send_file(
        io.BytesIO(stored.data),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
    )


@bp.route("/contests/<int:contest_id>/import/template.xlsx")
@login_required
def template(contest_id: int):
    """The blank template: headers on sheet 1, instructions and this contest's trades on 说明."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    trades = [(ct.trade.code, ct.trade.name_zh) for ct in contest.contest_trades]
    delegations = [d.name for d in contest.delegations]
    return send_file(
        io.BytesIO(report.template_workbook(trades, delegations)),
        mimetype=report.XLSX_TYPE,
        as_attachment=True,
        download_name=f"import-{contest.code}.xlsx",
    )


@bp.route("/contests/<int:contest_id>/import/template.csv")
@login_required
def template_csv(contest_id: int):
    """The blank template as CSV (UTF-8 with a BOM): the header row only."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    return send_file(
        io.BytesIO(report.template_csv()),
        mimetype="text/csv",
        as_attachment=True,
        download_name=f"import-{contest.code}.csv",
    )

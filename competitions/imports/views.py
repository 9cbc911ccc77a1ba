"""The import pages: upload, follow the job, read or download its errors, get the template."""

import io

from flask import Blueprint, abort, redirect, render_template, send_file, url_for
from flask_login import current_user, login_required

from competitions.accounts.services.permissions import require_contest_role, roles_in
from competitions.core import sheets
from competitions.core.audit import download_logged
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.jobs import job_file, job_file_info
from competitions.core.queue import commit_then_enqueue
from competitions.core.sheet_rules import XLSX_TYPE
from competitions.imports import tasks
from competitions.imports.forms import ImportForm
from competitions.imports.services import jobs as import_jobs
from competitions.imports.services import marks as marks_import
from competitions.imports.services import report
from competitions.judging.services.access import require_panel
from competitions.judging.services.marks import is_locked
from competitions.registry.models import Contest, ContestTrade
from competitions.results.services.timing import entries_by_code

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
        commit_then_enqueue(job.id, tasks.import_entries.delay, job.id)
        return redirect(url_for("imports.job", contest_id=contest_id, job_id=job.id), 303)
    return render_template(
        "imports/upload.html",
        contest=contest,
        form=form,
        jobs=import_jobs.recent_jobs(contest_id),
        states=STATE_LABELS,
    )


def _readable_job(contest_id: int, job_id: str):
    """An import job of the contest, for its organisers (and the chief judges, for practical
    marks imports, which they may start); else 403, or 404 when there is no such job."""
    roles = roles_in(current_user, contest_id)
    if not roles & {"organiser", "chief_judge"}:
        abort(403)
    job = import_jobs.import_job(contest_id, job_id) or abort(404)
    if "organiser" not in roles:
        if job.kind != import_jobs.MARKS_KINDS["practical"]:
            abort(403)
        # A chief judge follows the imports of the trade whose panel they lead, no other.
        ct_id = (job.result or {}).get("contest_trade_id") or 0
        require_panel(db.get_or_404(ContestTrade, ct_id), "chief_judge")
    return job


@bp.route("/contests/<int:contest_id>/import/<job_id>")
@login_required
def job(contest_id: int, job_id: str):
    """One import: its progress, then what it saved or the errors that stopped it."""
    job = _readable_job(contest_id, job_id)
    contest = db.get_or_404(Contest, contest_id)
    result = job.result or {}
    part = {kind: part for part, kind in import_jobs.MARKS_KINDS.items()}.get(job.kind)
    ct = db.session.get(ContestTrade, result.get("contest_trade_id") or 0) if part else None
    errors = [
        {**error, "message": sheets.translated(error)}
        for error in result.get("errors", [])[:ERRORS_SHOWN]
    ]
    return render_template(
        "imports/job.html",
        contest=contest,
        job=job,
        result=result,
        errors=errors,
        files=job_file_info(job.id),
        states=STATE_LABELS,
        part=part,
        ct=ct,
    )


@bp.route("/contests/<int:contest_id>/import/<job_id>/errors.xlsx")
@login_required
@download_logged("import_errors")
def errors(contest_id: int, job_id: str):
    """The error report of a failed import, as the task wrote it."""
    _readable_job(contest_id, job_id)
    stored = job_file(job_id, "errors") or abort(404)
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
        mimetype=XLSX_TYPE,
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


#: Who imports which marks: theory by ID number names people (the organisers); practical by
#: anonymous code (the organisers and the chief judge).
MARKS_IMPORTERS = {"theory": ("organiser",), "practical": ("organiser", "chief_judge")}


def _marks_ct(ct_id: int, part: str) -> ContestTrade:
    """The contest-trade, for those who may import this part's marks (403), a known part (404)."""
    if part not in MARKS_IMPORTERS:
        abort(404)
    ct = db.get_or_404(ContestTrade, ct_id)
    require_contest_role(ct.contest_id, *MARKS_IMPORTERS[part])
    if "organiser" not in roles_in(current_user, ct.contest_id):
        require_panel(ct, "chief_judge")  # the chief judge of this trade's panel, no other
    return ct


@bp.route("/contest-trades/<int:ct_id>/import/<part>", methods=["GET", "POST"])
@login_required
def marks_upload(ct_id: int, part: str):
    """Import marks from a file: theory by ID number, or practical by anonymous code."""
    ct = _marks_ct(ct_id, part)
    kind = import_jobs.MARKS_KINDS[part]
    form = ImportForm()
    if form.validate_on_submit():
        upload = form.file.data
        job = import_jobs.create_import_job(
            ct.contest_id,
            current_user.id,
            upload.filename or "upload",
            upload.mimetype,
            upload.read(),
            kind,
            ct.id,
        )
        commit_then_enqueue(job.id, tasks.import_marks.delay, job.id)
        return redirect(url_for("imports.job", contest_id=ct.contest_id, job_id=job.id), 303)
    return render_template(
        "imports/marks.html",
        ct=ct,
        part=part,
        form=form,
        items=marks_import.scheme_items(ct.id, part),
        locked=is_locked(ct.id),
        jobs=import_jobs.recent_marks_jobs(ct.contest_id, kind, ct.id),
        states=STATE_LABELS,
    )


@bp.route("/contest-trades/<int:ct_id>/import/<part>/template.xlsx")
@login_required
@download_logged("marks_template")
def marks_template(ct_id: int, part: str):
    """The marks template with this trade's contestants (theory) or codes (practical) filled in."""
    ct = _marks_ct(ct_id, part)
    items = [
        (i.code, i.criterion, float(i.max_mark)) for i in marks_import.scheme_items(ct.id, part)
    ]
    if part == "theory":
        rows = sorted((number, name) for number, (_e, name) in marks_import.people(ct.id).items())
    else:
        rows = [(code,) for code in sorted(entries_by_code(ct.id))]
    return send_file(
        io.BytesIO(report.marks_template(part, items, rows)),
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name=f"{part}-{ct.contest.code}-{ct.trade.code}.xlsx",
    )

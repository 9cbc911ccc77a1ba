"""A contest's audit log for its organisers: a page, newest first, and a spreadsheet."""

import io

from flask import Blueprint, render_template, request, send_file
from flask_login import login_required

from competitions.accounts.permissions import require_contest_role
from competitions.core import audit_trail
from competitions.core.db import db, db_int
from competitions.imports.report import XLSX_TYPE
from competitions.registry.models import Contest

bp = Blueprint("audit", __name__)


@bp.route("/contests/<int:contest_id>/audit")
@login_required
def contest_audit(contest_id: int):
    """Who did what in the contest, and when: every audited change, newest first, by page."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    page = max(request.args.get("page", 1, type=db_int), 1)
    lines, pages = audit_trail.trail_page(contest_id, page)
    return render_template("core/audit.html", contest=contest, lines=lines, page=page, pages=pages)


@bp.route("/contests/<int:contest_id>/audit.xlsx")
@login_required
def contest_audit_export(contest_id: int):
    """The contest's whole audit log as a spreadsheet (never cached by browsers or proxies)."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    response = send_file(
        io.BytesIO(audit_trail.trail_workbook(contest)),
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name=f"audit-{contest.code or contest.id}.xlsx",
    )
    response.headers["Cache-Control"] = "no-store"
    return response

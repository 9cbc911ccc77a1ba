"""A contest's audit log for its organisers: a page, newest first, filtered by who, what and
when, and a spreadsheet of the same rows."""

from flask import Blueprint, render_template, request
from flask_login import login_required
from flask_wtf import FlaskForm
from wtforms import DateField, SelectField
from wtforms.validators import Optional

from competitions.accounts.services.permissions import admin_required, require_contest_role
from competitions.auditlog import services as audit_trail
from competitions.core import audit_chain
from competitions.core.audit import download_logged
from competitions.core.audit_cli import audit_key
from competitions.core.db import db, db_int
from competitions.core.http import xlsx_download
from competitions.core.i18n import lazy_gettext as _l
from competitions.registry.models import Contest

bp = Blueprint("audit", __name__)


def _optional_id(value):
    return db_int(value) if value not in (None, "") else None


class AuditFilterForm(FlaskForm):
    """Who, what kind of record, and which days (a GET form: nothing changes)."""

    class Meta:
        csrf = False

    who = SelectField(_l("Who"), coerce=_optional_id, validators=[Optional()])
    what = SelectField(_l("What"), validators=[Optional()])
    since = DateField(_l("From"), validators=[Optional()])
    until = DateField(_l("Until"), validators=[Optional()])


def _filters(contest_id: int | None) -> tuple[AuditFilterForm, audit_trail.TrailFilter]:
    """The filter form from the query string, and the filter it sets (a wrong field: ignored,
    with its message beside it)."""
    form = AuditFilterForm(request.args)
    form.who.choices = [("", _l("Everyone")), *audit_trail.people_in_trail(contest_id)]
    form.what.choices = [("", _l("Everything")), *audit_trail.ENTITY_LABELS.items()]
    form.validate()
    kept = {name: getattr(form, name).data for name in ("who", "what", "since", "until")}
    kept = {name: value for name, value in kept.items() if not getattr(form, name).errors}
    return form, audit_trail.TrailFilter(**{k: v or None for k, v in kept.items()})


@bp.route("/contests/<int:contest_id>/audit")
@login_required
def contest_audit(contest_id: int):
    """Who did what in the contest, and when: every audited change, newest first, by page."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    page = max(request.args.get("page", 1, type=db_int), 1)
    form, filters = _filters(contest_id)
    lines, pages = audit_trail.trail_page(contest_id, page, filters)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    return render_template(
        "auditlog/contest.html",
        contest=contest,
        lines=lines,
        page=page,
        pages=pages,
        form=form,
        args=args,
    )


@bp.route("/contests/<int:contest_id>/audit.xlsx")
@login_required
@download_logged("audit")
def contest_audit_export(contest_id: int):
    """The contest's audit log (what the filters keep) as a spreadsheet (never cached by
    browsers or proxies)."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    _, filters = _filters(contest_id)
    data = audit_trail.trail_workbook(contest, filters)
    return xlsx_download(data, f"audit-{contest.code or contest.id}.xlsx")


@bp.route("/admin/audit")
@login_required
@admin_required("audit")
def whole_log():
    """The audit administrator's trail: every contest's and the installation's records
    (accounts and duties included), filtered, by page; the chain's check on request."""
    page = max(request.args.get("page", 1, type=db_int), 1)
    form, filters = _filters(None)
    lines, pages = audit_trail.trail_page(None, page, filters)
    args = {k: v for k, v in request.args.items() if k != "page" and v}
    verdict = None
    if request.args.get("verify"):
        verdict = audit_chain.verify(db.session, audit_key())
    return render_template(
        "auditlog/whole.html",
        lines=lines,
        page=page,
        pages=pages,
        form=form,
        args={k: v for k, v in args.items() if k != "verify"},
        verdict=verdict,
    )


@bp.route("/admin/audit.xlsx")
@login_required
@admin_required("audit")
@download_logged("audit")
def whole_log_export():
    """The whole audit trail (what the filters keep) as a spreadsheet (never cached)."""
    _, filters = _filters(None)
    data = audit_trail.trail_workbook(None, filters)
    return xlsx_download(data, "audit.xlsx")

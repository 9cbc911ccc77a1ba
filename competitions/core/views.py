"""The home page, the language switch, and the status of background jobs."""

from decimal import Decimal

from flask import Blueprint, abort, jsonify, redirect, render_template, session, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from competitions.accounts.permissions import contests_of, roles_in
from competitions.core.db import db
from competitions.core.http import referrer_or
from competitions.core.i18n import local_moment, trade_name, utc_moment
from competitions.core.jobs import Job
from competitions.overview import display
from competitions.overview import services as overview
from competitions.publication.services import local_now
from competitions.registry.forms import TIER_LABELS
from competitions.registry.models import Contest

bp = Blueprint("core", __name__)
bp.add_app_template_global(display.overview_step, "overview_step")
bp.add_app_template_filter(local_moment, "local_moment")
bp.add_app_template_filter(utc_moment, "utc_moment")


@bp.route("/")
@login_required
def index():
    """The dashboard: the contests the user works in, with their roles, and where each trade
    the user organises or leads as chief judge stands, with its next step."""
    ids = contests_of(current_user)
    mine = db.session.scalars(
        select(Contest).where(Contest.id.in_(ids)).order_by(Contest.year.desc(), Contest.name)
    ).all()
    roles = {c.id: sorted(roles_in(current_user, c.id)) for c in mine}
    organised = {c.id for c in mine if "organiser" in roles[c.id]}
    now = local_now()
    return render_template(
        "core/index.html",
        contests=mine,
        roles=roles,
        tiers=TIER_LABELS,
        organised=overview.overview(overview.organised_trades(organised), now),
        leading=overview.overview(overview.chief_trades(current_user.id), now),
    )


@bp.route("/healthz")
def health():
    """For load balancers and monitoring: the web process answers (touches nothing else)."""
    return "ok", 200, {"Content-Type": "text/plain"}


bp.add_app_template_filter(trade_name, "trade_name")


@bp.app_template_filter("decimal")
def plain_decimal(value) -> str:
    """A Decimal without trailing zeros and never in exponent form ("8.50" → "8.5")."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


@bp.route("/lang/<code>")
def set_language(code: str):
    """Switch the interface language (Chinese or English) for this browser."""
    if code in {"zh_Hans_CN", "en"}:
        session["lang"] = code
    return redirect(referrer_or(url_for("core.index")))


def job_for_current_user(job_id: str) -> Job:
    """A job the current user may see: their own, or one of a contest they organise."""
    job = db.get_or_404(Job, job_id)
    if job.user_id != current_user.id and not (
        job.contest_id and "organiser" in roles_in(current_user, job.contest_id)
    ):
        abort(403)
    return job


@bp.route("/jobs/<job_id>.json")
@login_required
def job_status(job_id: str):
    """The state and progress of a background job, for the progress bar."""
    job = job_for_current_user(job_id)
    message = job.message  # a message id: shown in the viewer's language
    return jsonify({**job.as_dict(), "message": gettext(message) if message else ""})

"""The home page (where each contest and trade the user works in stands, with its next step) and
the status of background jobs."""

from flask import Blueprint, abort, jsonify, redirect, render_template, url_for
from flask_babel import gettext
from flask_login import current_user, login_required
from sqlalchemy import select

from competitions.accounts.services.permissions import contests_of, roles_in
from competitions.core.db import db
from competitions.core.i18n import local_now
from competitions.core.jobs import Job
from competitions.core.labels import AWARD_MODE_LABELS, TIER_LABELS
from competitions.enrolment import services as enrolment
from competitions.innovation import services as innovation
from competitions.labour import services as labour
from competitions.overview import services as overview
from competitions.overview.views import display
from competitions.registry import services as registry
from competitions.registry.models import Contest
from competitions.selection import services as selection

bp = Blueprint("overview", __name__)

#: Where each administrator starts.
ADMIN_HOME = {"system": "admin.users", "security": "admin.duties", "audit": "audit.whole_log"}
bp.add_app_template_global(display.overview_step, "overview_step")


@bp.route("/")
@login_required
def index():
    """The dashboard: the contests the user works in, with their roles, and where each trade
    the user organises or leads as chief judge stands, with its next step. An administrator
    (who holds no contest role) goes to their own page."""
    if current_user.admin_role:
        return redirect(url_for(ADMIN_HOME[current_user.admin_role]))
    ids = contests_of(current_user)
    mine = db.session.scalars(
        select(Contest).where(Contest.id.in_(ids)).order_by(Contest.year.desc(), Contest.name)
    ).all()
    roles = {c.id: sorted(roles_in(current_user, c.id)) for c in mine}
    organised = {c.id for c in mine if "organiser" in roles[c.id]}
    now = local_now()
    return render_template(
        "overview/index.html",
        contests=mine,
        roles=roles,
        tiers=TIER_LABELS,
        organised=overview.overview(overview.organised_trades(organised), now),
        leading=overview.overview(overview.chief_trades(current_user.id), now),
        reporting=labour.reporting_for(current_user.id),
        submitting=innovation.submitting_for(current_user.id),
        nominating=selection.nominating_for(current_user.id),
    )


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


@bp.route("/contests/<int:contest_id>")
@login_required
def contest(contest_id: int):
    """A contest's overview: its chain, trades, delegations and entry counts."""
    roles = roles_in(current_user, contest_id)
    if not roles:
        abort(403)
    contest = db.get_or_404(Contest, contest_id)
    return render_template(
        "registry/contest.html",
        contest=contest,
        roles=roles,
        overview=_overview(contest, roles),
        chain=registry.contest_chain(contest),
        counts=registry.entry_counts(contest_id),
        short=enrolment.short_fields(contest) if "organiser" in roles else [],
        tiers=TIER_LABELS,
        award_modes=AWARD_MODE_LABELS,
    )


def _overview(contest: Contest, roles: set[str]) -> list:
    """Where the contest's trades stand: all of them for its organisers, their own for chief
    judges."""
    if "organiser" in roles:
        cts = list(contest.contest_trades)
    else:
        cts = [ct for ct in overview.chief_trades(current_user.id) if ct.contest_id == contest.id]
    return overview.overview(cts, local_now())

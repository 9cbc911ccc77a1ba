"""The organiser's publication actions: public notice, final, withdrawal."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from competitions.accounts.services.permissions import require_contest_role, roles_in
from competitions.assessment.models import Assessment
from competitions.core.confirm import ConfirmForm, confirm_page
from competitions.core.db import db
from competitions.core.i18n import local_moment, say, trade_name
from competitions.core.words import N_, Reason
from competitions.publication import rules, services
from competitions.publication.forms import DecisionForm
from competitions.publication.models import Appeal
from competitions.publication.services import appeals as appeal_service
from competitions.registry.models import Contest, ContestTrade
from competitions.results.models import ResultSet

bp = Blueprint("publication", __name__)

ACTIONS = {
    "publish": lambda ct, rs: services.publish(ct, rs, services.local_now()),
    "finalise": lambda ct, rs: services.finalise(rs, services.local_now()),
    "withdraw": lambda ct, rs: services.withdraw(rs),
}
DONE = {
    "publish": N_("The results are under public notice."),
    "finalise": N_("The results are final."),
    "withdraw": N_("The public notice is withdrawn; the results are a draft again."),
}
TITLES = {
    "publish": N_("Put the results under public notice"),
    "finalise": N_("Make the results final"),
    "withdraw": N_("Withdraw the public notice"),
}


def _consequences(action: str, ct: ContestTrade) -> list[str]:
    """What the action does, in the words of the confirmation page."""
    if action == "publish":
        now = services.local_now()
        deadline = rules.notice_deadline(now, ct.notice_working_days, services.calendar())
        return [
            _("The results appear on the public site, with ID numbers masked."),
            _(
                "Appeals are accepted until %(when)s; the results become final then, by "
                "themselves, when no appeal is pending.",
                when=local_moment(deadline),
            ),
        ]
    if action == "finalise":
        return [
            _("The results become final: they are never recomputed again."),
            _("Certificates can then be issued."),
        ]
    return [_("The results leave the public site and become a draft again.")]


def _problem(action: str, rs: ResultSet):
    """Why the action would be refused now (the page then offers no button), or None."""
    if action == "finalise":
        return services.finalise_check(rs, services.local_now())
    if action == "publish" and not rules.transition_allowed(rs.state, "notice"):
        return Reason.of(N_("only draft results can be put under public notice"))
    if action == "withdraw" and not rules.transition_allowed(rs.state, "draft"):
        return Reason.of(N_("only results under public notice can be withdrawn"))
    if action == "withdraw" and services.pending_appeals(rs.assessment_id):
        return Reason.of(N_("decide the pending appeals first"))
    return None


@bp.route("/contest-trades/<int:ct_id>/publication/<action>", methods=["GET", "POST"])
@login_required
def change_state(ct_id: int, action: str):
    """Publish, finalise or withdraw a contest-trade's results (its organisers only), after a
    confirmation page that says what the action does, or why it is refused now."""
    ct = db.get_or_404(ContestTrade, ct_id)
    require_contest_role(ct.contest_id, "organiser")
    result_set = db.get_or_404(ResultSet, ct_id)
    if action not in ACTIONS:
        abort(404)
    form = ConfirmForm()
    back = url_for("results.trade_results", ct_id=ct_id)
    if form.validate_on_submit():
        problem = ACTIONS[action](ct, result_set)
        if problem:
            db.session.rollback()
            flash(say(problem), "error")
        else:
            db.session.commit()
            flash(_(DONE[action]), "success")
        return redirect(back)
    problem = _problem(action, result_set)
    return confirm_page(
        form,
        title=f"{_(TITLES[action])} · {trade_name(ct.trade)}",
        consequences=_consequences(action, ct),
        problem=say(problem) if problem else None,
        button=_(TITLES[action]),
        button_id=f"confirm-{action}",
        back=back,
    )


@bp.route("/contests/<int:contest_id>/appeals")
@login_required
def appeals(contest_id: int):
    """The contest's appeals: the arbitrators decide them; organisers follow them."""
    roles = roles_in(current_user, contest_id)
    if not roles & {"arbitrator", "organiser"}:
        abort(403)
    contest = db.get_or_404(Contest, contest_id)
    rows = appeal_service.appeals_of(contest_id)
    return render_template(
        "publication/appeals.html",
        contest=contest,
        rows=rows,
        about=appeal_service.subjects_named([a.subject_id for a, _ in rows]),
        may_decide="arbitrator" in roles,  # and reach the objector: their contact shown
        form=DecisionForm(),
    )


@bp.post("/appeals/<int:appeal_id>/decide")
@login_required
def decide(appeal_id: int):
    """Uphold or reject an appeal (the contest's arbitrators only); the decision is final."""
    appeal = db.get_or_404(Appeal, appeal_id)
    ct = db.get_or_404(Assessment, appeal.assessment_id)  # of any kind (a labour period…)
    require_contest_role(ct.contest_id, "arbitrator")
    form = DecisionForm()
    if not form.validate_on_submit():
        flash(_("Choose the decision and write its reasons."), "error")
    else:
        problem = appeal_service.decide(
            appeal,
            form.outcome.data == "upheld",
            form.reasons.data,
            current_user.id,
            services.local_now(),
        )
        if problem:
            db.session.rollback()
            flash(say(problem), "error")
        else:
            db.session.commit()
            flash(_("Decision recorded."), "success")
    return redirect(url_for("publication.appeals", contest_id=ct.contest_id))

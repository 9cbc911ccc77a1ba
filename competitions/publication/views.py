"""The organiser's publication actions: public notice, final, withdrawal."""

from flask import Blueprint, flash, redirect, url_for
from flask_babel import gettext as _
from flask_login import login_required
from flask_wtf import FlaskForm

from competitions.accounts.permissions import require_contest_role
from competitions.core.db import db
from competitions.core.i18n import say
from competitions.publication import services
from competitions.registry.models import ContestTrade
from competitions.registry.rules import N_
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


@bp.post("/contest-trades/<int:ct_id>/publication/<action>")
@login_required
def change_state(ct_id: int, action: str):
    """Publish, finalise or withdraw a contest-trade's results (its organisers only)."""
    ct = db.get_or_404(ContestTrade, ct_id)
    require_contest_role(ct.contest_id, "organiser")
    result_set = db.get_or_404(ResultSet, ct_id)
    if action in ACTIONS and FlaskForm().validate_on_submit():
        problem = ACTIONS[action](ct, result_set)
        if problem:
            db.session.rollback()
            flash(say(problem), "error")
        else:
            db.session.commit()
            flash(_(DONE[action]), "success")
    return redirect(url_for("results.trade_results", ct_id=ct_id))

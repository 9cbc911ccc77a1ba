"""The contest day's pages: the blueprint "contestday" and who may use it."""

from flask import Blueprint, abort
from flask_login import current_user

from competitions.accounts.services.permissions import roles_in
from competitions.contestday.models import ExamSession
from competitions.contestday.services import session_of
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import local_day
from competitions.registry.models import ContestTrade

bp = Blueprint("contestday", __name__)
bp.add_app_template_filter(local_day, "local_day")

#: Where check-in stands (rules.check_in_state), as the desk says it.
STATE_LABELS = {
    "before": _l("Not open yet"),
    "open": _l("Check-in open"),
    "closed": _l("Closed"),
}

#: Who runs a session's check-in desk and marks absence: check-in staff (检录员) and organisers.
DESK = {"check_in", "organiser"}
#: Who reads the recorded draw (and re-runs it): organisers, check-in staff, team leaders.
DRAW_READERS = {"organiser", "check_in", "team_leader"}


def trade_for(ct_id: int, roles: set[str]) -> ContestTrade:
    """The contest-trade, when the current user holds one of ``roles`` in its contest."""
    ct = db.get_or_404(ContestTrade, ct_id)
    if not roles_in(current_user, ct.contest_id) & roles:
        abort(403)
    return ct


def session_for(ct: ContestTrade, session_id: int) -> ExamSession:
    """The contest-trade's session (404 for another trade's)."""
    session = session_of(ct.id, session_id)
    if session is None:
        abort(404)
    return session


from competitions.contestday.views import desk, sessions  # noqa: E402, F401  (the routes)

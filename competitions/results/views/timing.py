"""The timekeeper's page: the entries by anonymous code with their time used, saved as typed."""

from flask import abort, jsonify, render_template, request
from flask_login import current_user, login_required

from competitions.accounts.services.permissions import require_contest_role, roles_in
from competitions.core.db import db
from competitions.core.i18n import say
from competitions.judging import rules
from competitions.judging.services.marks import MarkingError, is_locked
from competitions.registry.models import ContestTrade
from competitions.results.services import timing
from competitions.results.views import bp

#: Who records time used: the clerks (录分员, the timekeeper's desk) and the chief judge.
TIMEKEEPERS = ("clerk", "chief_judge")


@bp.route("/contest-trades/<int:ct_id>/times")
@login_required
def times(ct_id: int):
    """The list of codes with a time field each (minutes:seconds), saved as it is typed."""
    ct = db.get_or_404(ContestTrade, ct_id)  # time used is a contest-trade's
    require_contest_role(ct.contest_id, *TIMEKEEPERS)
    entries = timing.timed_entries(ct_id)
    return render_template(
        "results/times.html",
        ct=ct,
        entries=entries,
        done=sum(1 for e in entries if e.time_used_s is not None),
        locked=is_locked(ct_id),
        shown=rules.format_time_used,
    )


@bp.post("/contest-trades/<int:ct_id>/times")
@login_required
def save_time(ct_id: int):
    """Save one typed time (JSON: code, value); answers with the time as mm:ss or the problem."""
    ct = db.get_or_404(ContestTrade, ct_id)  # time used is a contest-trade's
    if not roles_in(current_user, ct.contest_id) & set(TIMEKEEPERS):
        abort(403)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):
        data = {}
    try:
        seconds, new = timing.enter_time(
            ct_id, str(data.get("code", ""))[:20], str(data.get("value", ""))[:40]
        )
    except MarkingError as err:
        db.session.rollback()
        return jsonify(error=say(err.reason)), 409 if is_locked(ct_id) else 400
    db.session.commit()
    return jsonify(value=rules.format_time_used(seconds), new=new)

"""The judge's pages: their contest-trades, and the grid of codes × items saved as they type."""

from flask import abort, jsonify, render_template, request
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from competitions.accounts.models import ContestRole
from competitions.assessment.models import Assessment
from competitions.core.db import db, db_int
from competitions.core.i18n import say
from competitions.judging.models import MarkChange, PanelMember
from competitions.judging.services import marking
from competitions.judging.services.access import assessment_or_404, panel_member, require_panel
from competitions.judging.services.marks import MarkingError, is_locked
from competitions.judging.services.review import flags
from competitions.judging.views import bp


@bp.route("/marking")
@login_required
def my_marking():
    """The contest-trades in which the user sits on the panel (with their progress), and those
    whose paper sheets they type as a clerk."""
    seats = db.session.scalars(
        select(PanelMember).where(PanelMember.user_id == current_user.id)
    ).all()
    return render_template(
        "judging/my_marking.html",
        seats=[(seat, marking.progress(seat)) for seat in seats],
        clerk_trades=_clerk_trades(),
    )


def _clerk_trades() -> list[Assessment]:
    """The assessments (contest-trades…) of the contests in which the user types paper sheets
    (录分员)."""
    return list(
        db.session.scalars(
            select(Assessment)
            .join(ContestRole, ContestRole.contest_id == Assessment.contest_id)
            .where(ContestRole.user_id == current_user.id, ContestRole.role == "clerk")
            .order_by(Assessment.contest_id, Assessment.id)
        )
    )


@bp.route("/marking/<int:ct_id>")
@login_required
def grid(ct_id: int):
    """The judge's grid: their entries by anonymous code × their items, with progress."""
    ct = assessment_or_404(ct_id)
    member = require_panel(ct, "judge", "chief_judge")
    entries = marking.assigned_entries(member)
    items = marking.assigned_items(member)
    done, total = marking.progress(member)
    remark = {(f.entry_id, f.item.id) for f in flags(ct_id) if f.state == "remark"}
    return render_template(
        "judging/grid.html",
        ct=ct,
        entries=entries,
        items=items,
        marks=marking.own_marks(member),
        remark=remark,
        done=done,
        total=total,
        locked=is_locked(ct_id),
    )


@bp.post("/marking/<int:ct_id>/scores")
@login_required
def save_score(ct_id: int):
    """Save one typed score (JSON: code, item, value); answers with the progress or the problem."""
    member = panel_member(ct_id, current_user.id)
    if member is None or member.role not in ("judge", "chief_judge"):
        abort(403)
    data = request.get_json(silent=True)
    if not isinstance(data, dict):  # not a JSON object: nothing the grid sends
        data = {}
    try:
        item_id = db_int(data.get("item"))
    except (TypeError, ValueError):
        return jsonify(error=_("This entry or item is not assigned to you.")), 400
    try:
        value, new = marking.enter_score(
            member, str(data.get("code", "")), item_id, str(data.get("value", ""))
        )
    except MarkingError as err:
        db.session.rollback()
        return jsonify(error=say(err.reason)), 409 if is_locked(ct_id) else 400
    db.session.commit()
    # The grid counts its own progress: a new cell adds one (no recount per keystroke).
    return jsonify(value=format(value.normalize(), "f"), new=new)


@bp.route("/marking/<int:ct_id>/history")
@login_required
def my_history(ct_id: int):
    """The audit trail of the judge's own scores on one cell (by code and item)."""
    ct = assessment_or_404(ct_id)
    member = require_panel(ct, "judge", "chief_judge")
    code = request.args.get("code", "")
    item_id = request.args.get("item", type=db_int)
    entry = next((e for e in marking.assigned_entries(member) if e.code == code), None)
    rows = []
    if entry is not None:
        rows = db.session.scalars(
            select(MarkChange)
            .filter_by(subject_id=entry.entry_id, item_id=item_id, judge_id=member.user_id)
            .order_by(MarkChange.at)
        ).all()
    return render_template("judging/history.html", ct=ct, code=code, rows=rows, show_judge=False)

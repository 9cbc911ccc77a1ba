"""Who may do what in the marking of an assessment (a contest-trade, …); every judging route
calls one of these. The roles held in the assessment's contest decide."""

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from competitions.accounts.services.permissions import require_contest_role
from competitions.assessment.models import Assessment
from competitions.core.db import db
from competitions.judging.models import PanelMember


def assessment_or_404(ct_id: int) -> Assessment:
    """The assessment (a contest-trade or another kind), or 404."""
    return db.get_or_404(Assessment, ct_id)


def require_organiser(ct: Assessment) -> None:
    """403 unless the current user organises the assessment's contest."""
    require_contest_role(ct.contest_id, "organiser")


def panel_member(ct_id: int, user_id: int) -> PanelMember | None:
    """The user's seat on the assessment's panel, if any."""
    return db.session.scalar(select(PanelMember).filter_by(assessment_id=ct_id, user_id=user_id))


def require_panel(ct: Assessment, *roles: str) -> PanelMember:
    """The current user's seat on the panel with one of ``roles``, else 403."""
    member = panel_member(ct.id, current_user.id)
    if member is None or member.role not in roles:
        abort(403)
    return member


def require_clerk(ct: Assessment) -> None:
    """403 unless the current user is a clerk (录分员) of the contest."""
    require_contest_role(ct.contest_id, "clerk")

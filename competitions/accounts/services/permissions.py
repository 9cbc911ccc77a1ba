"""Per-contest permissions, checked on the server by every route that touches a contest."""

from functools import wraps

from flask import abort
from flask_login import current_user
from sqlalchemy import select

from competitions.accounts.models import ContestRole
from competitions.core.db import db


def roles_in(user, contest_id: int) -> set[str]:
    """The roles ``user`` holds in the contest (empty for anonymous users)."""
    if not user.is_authenticated:
        return set()
    rows = db.session.scalars(
        select(ContestRole.role).where(
            ContestRole.user_id == user.id, ContestRole.contest_id == contest_id
        )
    )
    return set(rows)


def require_contest_role(contest_id: int, *roles: str) -> None:
    """Abort with 403 unless the current user holds one of ``roles`` in the contest."""
    if not roles_in(current_user, contest_id) & set(roles):
        abort(403)


def registrar_required(view):
    """Allow the view only to users who keep the shared registers (trades, units, new contests)."""

    @wraps(view)
    def wrapped(*args, **kwargs):
        if not (current_user.is_authenticated and current_user.is_registrar):
            abort(403)
        return view(*args, **kwargs)

    return wrapped


def contests_of(user) -> set[int]:
    """The ids of the contests in which ``user`` holds any role."""
    if not user.is_authenticated:
        return set()
    return set(
        db.session.scalars(select(ContestRole.contest_id).where(ContestRole.user_id == user.id))
    )


def admin_required(role: str):
    """Allow the view only to the administrator of ``role`` (system, security or audit)."""

    def decorate(view):
        @wraps(view)
        def wrapped(*args, **kwargs):
            if not (current_user.is_authenticated and current_user.admin_role == role):
                abort(403)
            return view(*args, **kwargs)

        return wrapped

    return decorate

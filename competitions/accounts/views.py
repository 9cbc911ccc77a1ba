"""Log in, log out, and the staff of a contest."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from competitions.accounts.forms import ROLE_LABELS, ContestRoleForm, LoginForm
from competitions.accounts.models import ContestRole, User
from competitions.accounts.permissions import require_contest_role
from competitions.core.db import db
from competitions.core.extensions import login_manager
from competitions.registry.models import Contest

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def _load_user(user_id: str):
    """Flask-Login: the user of a session."""
    return db.session.get(User, int(user_id))


def _safe_next(target: str | None) -> str:
    """A redirect target inside this site only."""
    if target and target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("core.index")


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with username and password."""
    form = LoginForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user and user.active and user.check_password(form.password.data):
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        form.password.errors.append(_("Wrong username or password."))
    return render_template("accounts/login.html", form=form)


@bp.post("/logout")
@login_required
def logout():
    """Log out (a POST, so it carries the CSRF token)."""
    logout_user()
    return redirect(url_for("accounts.login"))


@bp.route("/contests/<int:contest_id>/staff", methods=["GET", "POST"])
@login_required
def contest_staff(contest_id: int):
    """The organiser lists and grants roles in the contest."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    form = ContestRoleForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None:
            form.username.errors.append(_("No user with this username."))
        elif db.session.scalar(
            select(ContestRole).filter_by(
                user_id=user.id, contest_id=contest_id, role=form.role.data
            )
        ):
            form.role.errors.append(_("This user already has this role."))
        else:
            db.session.add(ContestRole(user_id=user.id, contest_id=contest_id, role=form.role.data))
            db.session.commit()
            flash(_("Role granted."), "success")
            return redirect(url_for("accounts.contest_staff", contest_id=contest_id))
    roles = db.session.scalars(
        select(ContestRole).where(ContestRole.contest_id == contest_id).order_by(ContestRole.role)
    ).all()
    return render_template(
        "accounts/staff.html", contest=contest, form=form, roles=roles, role_labels=ROLE_LABELS
    )


def current_user_id() -> int | None:
    """The id of the logged-in user, for services that record who acted."""
    return current_user.id if current_user.is_authenticated else None


@bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    """A role's name in the user's language."""
    return str(ROLE_LABELS.get(role, role))

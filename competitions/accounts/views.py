"""Log in, log out, one's own password, and the staff of a contest."""

from flask import (
    Blueprint,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    session,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required, login_user, logout_user
from sqlalchemy import select

from competitions.accounts import rules, services
from competitions.accounts.forms import ROLE_LABELS, ContestRoleForm, LoginForm, PasswordForm
from competitions.accounts.models import ContestRole, User
from competitions.accounts.permissions import require_contest_role
from competitions.core.db import db, utcnow
from competitions.core.extensions import limiter, login_manager
from competitions.registry.models import Contest

bp = Blueprint("accounts", __name__)


@login_manager.user_loader
def _load_user(user_id: str):
    """Flask-Login: the user of a session."""
    return db.session.get(User, int(user_id))


def _safe_next(target: str | None) -> str:
    """A redirect target inside this site only (browsers read a backslash as a slash and drop
    tabs and newlines: "/\\evil.example" and "/\\t/evil.example" lead away)."""
    if not target or any(c == "\\" or c < " " for c in target):
        return url_for("core.index")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("core.index")


def _login_limit() -> str:
    return current_app.config["LOGIN_RATE_LIMIT"]


def _refused(response) -> bool:
    """A log-in that did not succeed (only those count against the client's limit, so a hall
    of judges behind one address can all log in)."""
    return response.status_code != 302


def _start_new_session() -> None:
    """Forget everything the session held before log-in (against session fixation) but the
    chosen language; the new session gets a new cookie and a new CSRF token."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
@limiter.limit(_login_limit, methods=["POST"], deduct_when=_refused)
def login():
    """Log in with username and password; repeated failures lock the account for a while."""
    form = LoginForm()
    if form.validate_on_submit():
        now = utcnow().replace(tzinfo=None)
        user = services.check_login(form.username.data, form.password.data, now)
        db.session.commit()
        if user is not None:
            _start_new_session()
            login_user(user)
            return redirect(_safe_next(request.args.get("next")))
        # The same words whether the username exists, the password is wrong or it is locked.
        form.password.errors.append(
            _(
                "Wrong username or password. After %(n)s failed attempts in a row an account "
                "is locked for %(minutes)s minutes.",
                n=rules.MAX_FAILURES,
                minutes=int(rules.LOCKOUT.total_seconds() // 60),
            )
        )
    return render_template("accounts/login.html", form=form)


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (the current one first; the new one meets the policy)."""
    form = PasswordForm(current_user.username)
    if form.validate_on_submit():
        # Checked like a log-in: wrong guesses count towards the account's lock.
        now = utcnow().replace(tzinfo=None)
        checked = services.check_login(current_user.username, form.current_password.data, now)
        db.session.commit()
        if checked is None:
            form.current_password.errors.append(_("This is not your current password."))
        else:
            services.change_password(current_user, form.new_password.data)
            db.session.commit()
            flash(_("Password changed."), "success")
            return redirect(url_for("core.index"))
    return render_template("accounts/password.html", form=form)


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

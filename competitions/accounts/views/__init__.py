"""Log in (with the second factor: ``views/factor.py``), log out, one's own password and
sessions (the staff of a contest: registry)."""

import math
from datetime import timedelta

from flask import (
    Blueprint,
    abort,
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

from competitions.accounts import services
from competitions.accounts.forms import LoginForm, PasswordForm
from competitions.accounts.models import User
from competitions.accounts.services import devices, sessions
from competitions.accounts.services.permissions import require_contest_role, roles_in
from competitions.core.audit import record_event
from competitions.core.db import db, utcnow
from competitions.core.extensions import login_manager
from competitions.core.labels import ROLE_LABELS

bp = Blueprint("accounts", __name__)


def _now():
    """The time now, naive UTC like the columns it is compared with."""
    return utcnow().replace(tzinfo=None)


#: How long the second step of log-in waits for its code after the password.
SECOND_STEP_TIME = timedelta(minutes=10)


@login_manager.user_loader
def _load_user(user_id: str):
    """Flask-Login: the user of a session, while the session has not been ended or timed
    out (then the next page says so)."""
    config = current_app.config
    limits = sessions.limits(config["SESSION_IDLE_MINUTES"], config["SESSION_MAX_HOURS"])
    try:
        return sessions.user_of(session.get("sid"), int(user_id), _now(), limits)
    except sessions.TimedOut:
        session.pop("sid", None)
        flash(_("Your session has timed out: please log in again."), "error")
        return None


def _safe_next(target: str | None) -> str:
    """A redirect target inside this site only (browsers read a backslash as a slash and drop
    tabs and newlines: "/\\evil.example" and "/\\t/evil.example" lead away)."""
    if not target or any(c == "\\" or c < " " for c in target):
        return url_for("overview.index")
    if target.startswith("/") and not target.startswith("//"):
        return target
    return url_for("overview.index")


def _start_new_session() -> None:
    """Forget everything the session held before log-in (against session fixation) but the
    chosen language; the new session gets a new cookie and a new CSRF token."""
    lang = session.get("lang")
    session.clear()
    if lang:
        session["lang"] = lang


@bp.route("/login", methods=["GET", "POST"])
def login():
    """Log in with username and password (then a code, for users with a second factor);
    repeated failures make the next attempts wait."""
    form = LoginForm()
    if form.validate_on_submit():
        now = _now()
        answer = _check(form.username.data, form.password.data, now)
        if answer.second_step:
            _start_new_session()
            session["pending_user"] = answer.user.id
            session["pending_until"] = (now + SECOND_STEP_TIME).isoformat()
            session["pending_next"] = request.args.get("next")
            db.session.commit()
            return redirect(url_for("accounts.login_code"))
        if answer.user is not None:
            return complete_login(answer.user, now, request.args.get("next"))
        db.session.commit()
        form.password.errors.append(_refusal(answer))
    return render_template("accounts/login.html", form=form)


def complete_login(user: User, now, target: str | None):
    """Start the user's session on the server (every check passed) and go to ``target``."""
    _start_new_session()
    session["sid"] = sessions.start(user, now)
    address = request.remote_addr or ""
    record_event("login", "signin", user.id, {"address": address}, user_id=user.id)
    db.session.commit()
    login_user(user)
    response = redirect(_safe_next(target))
    devices.remember(response, user.username)
    return response


def _check(username: str, password: str, now) -> services.LoginAnswer:
    """Check a username and password from this browser: its address, and whether it is a
    known device of the account."""
    device = devices.known_device(username)
    return services.check_login(username, password, now, request.remote_addr or "", device)


def _refusal(answer: services.LoginAnswer) -> str:
    """Why a log-in was refused, the same whether or not the username exists."""
    return wait_text(answer) or _("Wrong username or password.")


def wait_text(answer: services.LoginAnswer) -> str | None:
    """How long a refused attempt must wait, in words; None when it need not."""
    if answer.wait:
        seconds = math.ceil(answer.wait.total_seconds())
        return _("Too many failed attempts: try again in %(seconds)s seconds.", seconds=seconds)
    return None


@bp.route("/account/password", methods=["GET", "POST"])
@login_required
def password():
    """Change one's own password (the current one first; the new one meets the policy); every
    other session of the account ends."""
    form = PasswordForm(current_user.username)
    if form.validate_on_submit():
        # Checked like a log-in: wrong guesses count and make the next ones wait.
        now = _now()
        answer = _check(current_user.username, form.current_password.data, now)
        db.session.commit()
        if answer.user is None:
            form.current_password.errors.append(_("This is not your current password."))
        else:
            services.change_password(current_user, form.new_password.data)
            # Every session ends, a copy of this browser's cookie too; this browser goes on
            # in a new one.
            sessions.end_all(current_user.id, now)
            session["sid"] = sessions.start(current_user, now)
            db.session.commit()
            flash(_("Password changed. You are logged out everywhere else."), "success")
            return redirect(url_for("overview.index"))
    return render_template(
        "accounts/password.html", form=form, live=sessions.live_count(current_user.id)
    )


@bp.post("/logout")
@login_required
def logout():
    """Log out (a POST, so it carries the CSRF token): this session ends on the server too."""
    sessions.end(session.pop("sid", None), _now())
    record_event("login", "signout", current_user.id, {}, user_id=current_user.id)
    db.session.commit()
    logout_user()
    return redirect(url_for("accounts.login"))


@bp.post("/account/sessions/end")
@login_required
def end_my_sessions():
    """Log out everywhere: every session of one's own account ends, this one too."""
    sessions.end_all(current_user.id, _now())
    db.session.commit()
    session.pop("sid", None)
    logout_user()
    flash(_("You are logged out everywhere."), "success")
    return redirect(url_for("accounts.login"))


@bp.post("/contests/<int:contest_id>/staff/<int:user_id>/sessions/end")
@login_required
def end_staff_sessions(contest_id: int, user_id: int):
    """The organiser logs one of the contest's staff out everywhere (a lost phone, a copied
    cookie)."""
    require_contest_role(contest_id, "organiser")
    user = db.get_or_404(User, user_id)
    if not roles_in(user, contest_id):
        abort(404)
    ended = sessions.end_all(user_id, _now(), keep=session.get("sid"))
    db.session.commit()
    message = _(
        "%(name)s is logged out everywhere (%(n)s sessions ended).", name=user.display_name, n=ended
    )
    flash(message, "success")
    return redirect(url_for("registry.contest_staff", contest_id=contest_id))


def current_user_id() -> int | None:
    """The id of the logged-in user, for services that record who acted."""
    return current_user.id if current_user.is_authenticated else None


@bp.app_template_filter("role_label")
def role_label(role: str) -> str:
    """A role's name in the user's language."""
    return str(ROLE_LABELS.get(role, role))


from competitions.accounts.views import factor  # noqa: E402, F401

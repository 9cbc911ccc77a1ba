"""The second factor of log-in: the code step after the password, setting up the
authenticator app, new recovery codes, and a registrar's reset."""

from datetime import datetime

from flask import abort, flash, redirect, render_template, request, session, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from competitions.accounts import rules, services
from competitions.accounts.forms import AppCodeForm, CodeForm, SecondFactorResetForm
from competitions.accounts.models import User
from competitions.accounts.services import devices, sessions
from competitions.accounts.services import second_factor as factor
from competitions.accounts.views import _now, bp, complete_login, wait_text
from competitions.core.db import db
from competitions.core.i18n import say

#: Pages a user who must set up a second factor may still open before doing so (logging in
#: again, as someone else, too).
BEFORE_SETUP = {
    "static",
    "accounts.login",
    "accounts.login_code",
    "accounts.logout",
    "accounts.second_factor",
    "core.set_language",
    "core.health",
}


def second_factor_first():
    """Registrars and organisers without a second factor set it up before anything else (a
    hook of every request, registered in app.py after the one that finds the request's
    user)."""
    if request.endpoint in BEFORE_SETUP or request.endpoint is None:
        return None
    if not current_user.is_authenticated or factor.is_on(current_user.id):
        return None
    if factor.required(current_user):
        return redirect(url_for("accounts.second_factor"))
    return None


def password_change_first():
    """A person whose password the system administrator gave changes it before anything else
    (a hook of every request, after the second factor's)."""
    if request.endpoint in BEFORE_SETUP or request.endpoint in {"accounts.password", None}:
        return None
    if current_user.is_authenticated and current_user.must_change_password:
        flash(_("Choose your own password first: the one you were given is temporary."), "info")
        return redirect(url_for("accounts.password"))
    return None


def _pending_user(now: datetime) -> User | None:
    """The user whose password this browser has just given, while the code step is open."""
    user_id, until = session.get("pending_user"), session.get("pending_until")
    if not isinstance(user_id, int) or not isinstance(until, str):
        return None
    if now >= datetime.fromisoformat(until):
        return None
    user = db.session.get(User, user_id)
    return user if user is not None and user.active else None


@bp.route("/login/code", methods=["GET", "POST"])
def login_code():
    """The second step of log-in: the app's code or a recovery code; only then does the
    session start. Wrong codes count like wrong passwords."""
    now = _now()
    user = _pending_user(now)
    if user is None:
        flash(_("Please log in again."), "error")
        return redirect(url_for("accounts.login"))
    form = CodeForm()
    if form.validate_on_submit():
        device = devices.known_device(user.username)
        address = request.remote_addr or ""
        answer = services.check_second_step(user, form.code.data, now, address, device)
        if answer.user is not None:
            return complete_login(user, now, session.get("pending_next"))
        db.session.commit()
        form.code.errors.append(wait_text(answer) or _("Wrong code."))
    return render_template("accounts/login_code.html", form=form)


@bp.route("/account/second-factor", methods=["GET", "POST"])
@login_required
def second_factor():
    """Set up two-step log-in (the secret as text and as a QR code, then one code from the app
    to confirm), or, once it is on, see how many recovery codes are left."""
    if factor.is_on(current_user.id):
        return render_template(
            "accounts/second_factor.html",
            left=factor.codes_left(current_user.id),
            form=AppCodeForm(),
        )
    secret = factor.setup_secret(current_user)
    db.session.commit()
    form = AppCodeForm()
    if form.validate_on_submit():
        codes = factor.confirm(current_user, form.code.data, _now())
        if codes is not None:
            db.session.commit()
            flash(_("Two-step log-in is on."), "success")
            return render_template("accounts/recovery_codes.html", codes=codes)
        form.code.errors.append(_("Wrong code: check the time on your phone and try again."))
    uri = factor.setup_uri(current_user, secret)
    return render_template(
        "accounts/second_factor_setup.html",
        form=form,
        secret=" ".join(secret[i : i + 4] for i in range(0, len(secret), 4)),
        qr=factor.qr_svg(uri),
        required=factor.required(current_user),
    )


@bp.post("/account/second-factor/recovery-codes")
@login_required
def new_recovery_codes():
    """New recovery codes (the old ones stop working), after a code from the app."""
    if not factor.is_on(current_user.id):
        return redirect(url_for("accounts.second_factor"))
    form = AppCodeForm()
    if form.validate_on_submit():
        if factor.check(current_user, form.code.data, _now()) == "totp":
            codes = factor.renew_recovery_codes(current_user)
            db.session.commit()
            return render_template("accounts/recovery_codes.html", codes=codes)
        form.code.errors.append(_("Wrong code."))
    db.session.rollback()
    return render_template(
        "accounts/second_factor.html",
        left=factor.codes_left(current_user.id),
        form=form,
    )


@bp.route("/second-factor/reset", methods=["GET", "POST"])
@login_required
def reset_second_factor():
    """A registrar, or the security administrator, turns off someone's two-step log-in (a lost
    phone and no recovery code; ``rules.factor_reset_problem``); the person's sessions end, and
    they set it up again at the next log-in if required."""
    if not (current_user.is_registrar or current_user.admin_role == "security"):
        abort(403)
    form = SecondFactorResetForm()
    if form.validate_on_submit():
        name = form.username.data.strip()
        user = db.session.scalar(select(User).where(User.username == name))
        refused = user is not None and rules.factor_reset_problem(
            current_user.id,
            current_user.is_registrar,
            current_user.admin_role,
            user.id,
            user.admin_role,
        )
        if user is None or not factor.is_on(user.id):
            form.username.errors.append(_("No user with this username has two-step log-in on."))
        elif refused:
            form.username.errors.append(say(refused))
        else:
            factor.reset(user, current_user, form.reason.data.strip())
            sessions.end_all(user.id, _now())
            db.session.commit()
            message = _("Two-step log-in of %(name)s is off.", name=user.display_name)
            flash(message, "success")
            return redirect(url_for("accounts.reset_second_factor"))
    return render_template("accounts/second_factor_reset.html", form=form)

"""The system administrator keeps accounts; the security administrator grants duties. Neither
page shows any contest's data, and neither administrator can do the other's work."""

from flask import Blueprint, current_app, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from competitions.accounts import rules
from competitions.accounts.models import User
from competitions.accounts.services import admin
from competitions.accounts.services.permissions import admin_required
from competitions.admin.forms import DutyForm, UserForm
from competitions.core.db import db
from competitions.core.i18n import say
from competitions.core.jobs import Job
from competitions.core.labels import ADMIN_ROLE_LABELS, DUTY_LABELS
from competitions.privacy.services import RETENTION_JOB
from competitions.registry.services import unit_choices

bp = Blueprint("admin", __name__, url_prefix="/admin")


def _user_form(user: User | None) -> UserForm:
    form = UserForm(obj=user, creating=user is None)
    form.unit_id.choices = [("", _("No unit")), *((str(k), v) for k, v in unit_choices())]
    if user is not None:
        form.username.render_kw = {"readonly": True}
        if not form.is_submitted():
            form.unit_id.data = str(user.unit_id or "")
    return form


@bp.route("/users")
@login_required
@admin_required("system")
def users():
    """Every account: who may log in, administrators and registrars marked; and the last runs
    of the retention rule (how many people were anonymised: numbers only)."""
    missing = [r for r in ("security", "audit") if not _held(r)]
    retention = db.session.scalars(
        select(Job).where(Job.kind == RETENTION_JOB).order_by(Job.created_at.desc()).limit(7)
    ).all()
    return render_template(
        "admin/users.html",
        users=admin.accounts(),
        admin_roles=ADMIN_ROLE_LABELS,
        missing=[ADMIN_ROLE_LABELS[r] for r in missing],
        retention=retention,
        retention_years=current_app.config["RETENTION_YEARS"],
        objector_keep_days=current_app.config["OBJECTOR_KEEP_DAYS"],
    )


def _held(role: str) -> bool:
    return db.session.scalar(select(User.id).where(User.admin_role == role).limit(1)) is not None


@bp.route("/users/new", methods=["GET", "POST"])
@login_required
@admin_required("system")
def user_new():
    """Create an account (its password is given to the person, who changes it)."""
    form = _user_form(None)
    if form.validate_on_submit():
        username = form.username.data.strip()
        if db.session.scalar(select(User.id).where(User.username == username)):
            form.username.errors.append(_("This username is taken."))
        else:
            admin.create_user(
                current_user.id,
                username,
                form.display_name.data.strip(),
                form.password.data,
                int(form.unit_id.data) if form.unit_id.data else None,
            )
            db.session.commit()
            flash(_("Account created: tell the person their username and password."), "success")
            return redirect(url_for("admin.users"))
    return render_template("admin/user_form.html", form=form, user=None)


@bp.route("/users/<int:user_id>", methods=["GET", "POST"])
@login_required
@admin_required("system")
def user_edit(user_id: int):
    """Edit an account: name, unit, whether it may log in, a new password."""
    user = db.get_or_404(User, user_id)
    form = _user_form(user)
    form.username.data = user.username
    refused = rules.account_edit_problem(current_user.id, user.id, user.admin_role)
    if refused is None and form.validate_on_submit():
        unit_id = int(form.unit_id.data) if form.unit_id.data else None
        admin.edit_user(
            current_user.id, user, form.display_name.data.strip(), unit_id, form.active.data
        )
        if form.password.data:
            admin.reset_password(current_user.id, user, form.password.data)
        db.session.commit()
        flash(_("Account saved."), "success")
        return redirect(url_for("admin.users"))
    refusal = say(refused) if refused else None
    return render_template("admin/user_form.html", form=form, user=user, refusal=refusal)


@bp.route("/duties", methods=["GET", "POST"])
@login_required
@admin_required("security")
def duties():
    """Who holds which duty; grant or take one back (each change ends the account's sessions)."""
    form = DutyForm()
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        if user is None:
            form.username.errors.append(_("No user with this username."))
        else:
            try:
                admin.change_duty(current_user, user, form.duty.data, form.grant.data == "grant")
            except admin.DutyRefused as refused:
                db.session.rollback()
                form.duty.errors.append(say(refused.reason))
            else:
                db.session.commit()
                flash(_("Duty changed; the account's sessions have ended."), "success")
                return redirect(url_for("admin.duties"))
    holders = db.session.scalars(
        select(User)
        .where((User.admin_role.is_not(None)) | User.is_registrar)
        .order_by(User.username)
    ).all()
    return render_template(
        "admin/duties.html",
        form=form,
        holders=holders,
        admin_roles=ADMIN_ROLE_LABELS,
        duties=DUTY_LABELS,
    )

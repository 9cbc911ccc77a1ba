"""Contests, their trades (with rule settings), their delegations and their staff."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from competitions.accounts import rules as account_rules
from competitions.accounts.forms import ContestRoleForm
from competitions.accounts.models import ContestRole, User
from competitions.accounts.services.permissions import (
    contests_of,
    registrar_required,
    require_contest_role,
)
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say, trade_name
from competitions.core.labels import ROLE_LABELS, TIER_LABELS
from competitions.registry import services
from competitions.registry.forms import ContestForm, ContestTradeForm, DelegationForm
from competitions.registry.models import (
    Contest,
    ContestTrade,
    Delegation,
    Trade,
    delegation_choices,
)
from competitions.registry.views import _code_taken, bp, render_form
from competitions.units.models import Unit

CONTEST_FIELDS = (
    "code",
    "name",
    "year",
    "tier",
    "organising_unit_id",
    "starts_on",
    "ends_on",
    "parent_id",
    "retention_years",
    "registration_opens",
    "registration_closes",
)


@bp.route("/contests")
@login_required
def contests():
    """The contests, by year and tier, marking those the user has a role in."""
    rows = db.session.scalars(
        select(Contest).order_by(Contest.year.desc(), Contest.tier, Contest.name)
    ).all()
    return render_template(
        "registry/contests.html", contests=rows, mine=contests_of(current_user), tiers=TIER_LABELS
    )


def _contest_form(contest: Contest) -> ContestForm:
    form = ContestForm(obj=contest)
    others = db.session.execute(
        select(Contest.id, Contest.name, Contest.tier, Contest.year, Contest.ends_on)
        .where(Contest.id != contest.id if contest.id else True)
        .order_by(Contest.year.desc(), Contest.name)
    ).all()
    form.parent_tiers = {row.id: row.tier for row in others}
    form.parent_dates = {row.id: (row.year, row.ends_on, row.name) for row in others}
    form.own_id = contest.id
    form.fed_by = [(c.year, c.ends_on, c.name) for c in contest.children] if contest.id else []
    form.parent_id.choices = [("", "—")] + [
        (r.id, f"{r.year} {r.name} ({TIER_LABELS[r.tier]})") for r in others
    ]
    form.organising_unit_id.choices = [("", "—"), *services.unit_choices()]
    return form


@bp.route("/contests/new", methods=["GET", "POST"])
@login_required
@registrar_required
def contest_new():
    """Create a contest; its creator becomes its organiser."""
    form = _contest_form(Contest())
    if form.validate_on_submit():
        if _code_taken(Contest, form.code.data.strip(), None):
            form.code.errors.append(_("Another contest has this code."))
        else:
            values = {f: getattr(form, f).data for f in CONTEST_FIELDS}
            values["code"] = values["code"].strip()
            contest = services.create_contest(values, current_user.id)
            db.session.commit()
            flash(_("Contest created."), "success")
            return redirect(url_for("overview.contest", contest_id=contest.id))
    return render_form(form, _l("New contest"), url_for("registry.contests"))


@bp.route("/contests/<int:contest_id>/edit", methods=["GET", "POST"])
@login_required
def contest_edit(contest_id: int):
    """Edit a contest (its organisers only)."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    form = _contest_form(contest)
    if form.validate_on_submit():
        if _code_taken(Contest, form.code.data.strip(), contest_id):
            form.code.errors.append(_("Another contest has this code."))
        else:
            for field in CONTEST_FIELDS:
                setattr(contest, field, getattr(form, field).data)
            db.session.commit()
            flash(_("Contest saved."), "success")
            return redirect(url_for("overview.contest", contest_id=contest.id))
    return render_form(form, _l("Edit contest"), url_for("overview.contest", contest_id=contest_id))


def _trade_choices(contest: Contest, keep: int | None) -> list[tuple]:
    used = {ct.trade_id for ct in contest.contest_trades} - {keep}
    trades = db.session.scalars(select(Trade).order_by(Trade.code)).all()
    return [(t.id, f"{t.code} {trade_name(t)}") for t in trades if t.id not in used]


@bp.route(
    "/contests/<int:contest_id>/trades/new", methods=["GET", "POST"], defaults={"ct_id": None}
)
@bp.route("/contests/<int:contest_id>/trades/<int:ct_id>/edit", methods=["GET", "POST"])
@login_required
def contest_trade_form(contest_id: int, ct_id: int | None):
    """Add a trade to a contest, or edit its rule settings."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    if ct_id is None:
        ct = ContestTrade(contest_id=contest_id)
    else:
        ct = db.get_or_404(ContestTrade, ct_id)
    if ct_id and ct.contest_id != contest_id:
        abort(404)
    if not ct_id:
        _apply_column_defaults(ct)
    form = ContestTradeForm(obj=ct)
    form.trade_id.choices = _trade_choices(contest, ct.trade_id)
    if form.validate_on_submit():
        if form.trade_id.data not in {c[0] for c in form.trade_id.choices}:
            form.trade_id.errors.append(_("Choose a trade from the list."))
        else:
            form.populate_obj(ct)
            db.session.add(ct)
            db.session.commit()
            flash(_("Trade settings saved."), "success")
            return redirect(url_for("overview.contest", contest_id=contest_id))
    title = _l("Trade settings") if ct_id else _l("Add a trade to the contest")
    return render_form(form, title, url_for("overview.contest", contest_id=contest_id))


def _apply_column_defaults(obj) -> None:
    """Fill a new object's attributes with its columns' scalar defaults, so the form shows them."""
    for column in obj.__table__.columns:
        default = column.default
        if default is not None and default.is_scalar and getattr(obj, column.key) is None:
            setattr(obj, column.key, default.arg)


@bp.route("/contests/<int:contest_id>/delegations", methods=["GET", "POST"])
@login_required
def delegations(contest_id: int):
    """A contest's delegations, and a form to add one."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    form = DelegationForm()
    form.unit_id.choices = [("", "—"), *services.unit_choices()]
    if form.validate_on_submit():
        name = form.name.data.strip()
        if db.session.scalar(select(Delegation.id).filter_by(contest_id=contest_id, name=name)):
            form.name.errors.append(_("This contest already has a delegation of this name."))
        else:
            db.session.add(Delegation(contest_id=contest_id, name=name, unit_id=form.unit_id.data))
            db.session.commit()
            flash(_("Delegation added."), "success")
            return redirect(url_for("registry.delegations", contest_id=contest_id))
    return render_template("registry/delegations.html", contest=contest, form=form)


@bp.route("/contests/<int:contest_id>/staff", methods=["GET", "POST"])
@login_required
def contest_staff(contest_id: int):
    """The organiser lists and grants roles in the contest."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    form = ContestRoleForm()
    form.unit_id.choices = [("", "—"), *services.unit_choices()]
    form.delegation_id.choices = [("", "—"), *delegation_choices(contest_id)]
    if form.validate_on_submit():
        user = db.session.scalar(select(User).where(User.username == form.username.data.strip()))
        refused = user is not None and account_rules.contest_role_problem(user.admin_role)
        if user is None:
            form.username.errors.append(_("No user with this username."))
        elif refused:
            form.username.errors.append(say(refused))
        elif db.session.scalar(
            select(ContestRole).filter_by(
                user_id=user.id, contest_id=contest_id, role=form.role.data
            )
        ):
            form.role.errors.append(_("This user already has this role."))
        else:
            db.session.add(
                ContestRole(
                    user_id=user.id, contest_id=contest_id, role=form.role.data, **form.scope_ids()
                )
            )
            db.session.commit()
            flash(_("Role granted."), "success")
            return redirect(url_for("registry.contest_staff", contest_id=contest_id))
    roles = db.session.scalars(
        select(ContestRole).where(ContestRole.contest_id == contest_id).order_by(ContestRole.role)
    ).all()
    return render_template(
        "accounts/staff.html",
        contest=contest,
        form=form,
        roles=roles,
        role_labels=ROLE_LABELS,
        scope_names=_scope_names(roles),
    )


def _scope_names(roles) -> dict[int, str]:
    """{role id: the unit of a liaison or the delegation of a team leader}."""
    units = dict(db.session.execute(select(Unit.id, Unit.name)).all())
    teams = {
        d.id: d.name
        for r in roles
        if r.delegation_id
        for d in [db.session.get(Delegation, r.delegation_id)]
    }
    return {
        r.id: units.get(r.unit_id) or teams.get(r.delegation_id, "")
        for r in roles
        if r.unit_id or r.delegation_id
    }

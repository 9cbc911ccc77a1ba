"""The registry blueprint: trades and units here; contests and entries in their own modules."""

from flask import Blueprint, abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from competitions.accounts.models import ContestRole
from competitions.accounts.services.permissions import registrar_required
from competitions.core import identity_rules
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.labels import UNIT_KINDS
from competitions.registry import rules, services
from competitions.registry.forms import TradeForm, UnitForm
from competitions.registry.models import Trade
from competitions.units.models import Unit

bp = Blueprint("registry", __name__)
#: Organisers' pages show ID numbers masked; the whole number is an explicit, logged action.
bp.add_app_template_filter(identity_rules.mask_id_number, "mask_id")


def render_form(form, title, cancel_url, **context):
    """The generic page of one form."""
    return render_template(
        "registry/form_page.html", form=form, title=title, cancel_url=cancel_url, **context
    )


def _organises_any(user) -> bool:
    """Whether the user organises any contest."""
    return (
        db.session.scalar(
            select(ContestRole.id).filter_by(user_id=user.id, role="organiser").limit(1)
        )
        is not None
    )


def _code_taken(model, code: str, own_id: int | None) -> bool:
    existing = db.session.scalar(select(model.id).where(model.code == code))
    return existing is not None and existing != own_id


@bp.route("/trades")
@login_required
def trades():
    """The list of trades."""
    rows = db.session.scalars(select(Trade).order_by(Trade.code)).all()
    return render_template("registry/trades.html", trades=rows)


@bp.route("/trades/new", methods=["GET", "POST"], defaults={"trade_id": None})
@bp.route("/trades/<int:trade_id>/edit", methods=["GET", "POST"])
@login_required
@registrar_required
def trade_form(trade_id):
    """Add or edit a trade."""
    trade = db.get_or_404(Trade, trade_id) if trade_id is not None else Trade()
    form = TradeForm(obj=trade)
    if form.validate_on_submit():
        code = form.code.data.strip()
        if _code_taken(Trade, code, trade_id):
            form.code.errors.append(_("Another trade has this code."))
        else:
            form.populate_obj(trade)
            trade.code = code
            db.session.add(trade)
            db.session.commit()
            flash(_("Trade saved."), "success")
            return redirect(url_for("registry.trades"))
    title = _l("Edit trade") if trade_id else _l("New trade")
    return render_form(form, title, url_for("registry.trades"))


@bp.route("/units")
@login_required
def units():
    """The tree of units (registrars and organisers: judges and clerks see no units)."""
    if not (current_user.is_registrar or _organises_any(current_user)):
        abort(403)
    return render_template("registry/units.html", tree=services.unit_tree(), kinds=UNIT_KINDS)


@bp.route("/units/new", methods=["GET", "POST"], defaults={"unit_id": None})
@bp.route("/units/<int:unit_id>/edit", methods=["GET", "POST"])
@login_required
@registrar_required
def unit_form(unit_id):
    """Add or edit a unit and choose its parent."""
    unit = db.get_or_404(Unit, unit_id) if unit_id is not None else Unit()
    form = UnitForm(obj=unit)
    form.parent_id.choices = [("", "—"), *services.unit_choices()]
    if form.validate_on_submit() and _unit_form_ok(form, unit_id):
        form.populate_obj(unit)
        unit.name = form.name.data.strip()
        db.session.add(unit)
        db.session.commit()
        flash(_("Unit saved."), "success")
        return redirect(url_for("registry.units"))
    title = _l("Edit unit") if unit_id else _l("New unit")
    return render_form(form, title, url_for("registry.units"))


def _unit_form_ok(form: UnitForm, unit_id: int | None) -> bool:
    """Checks of a unit against the others: a unique name, a parent that makes no loop."""
    existing = db.session.scalar(select(Unit.id).where(Unit.name == form.name.data.strip()))
    if existing is not None and existing != unit_id:
        form.name.errors.append(_("Another unit has this name."))
        return False
    parent = form.parent_id.data
    if parent is not None and db.session.get(Unit, parent) is None:
        form.parent_id.errors.append(_("Choose a unit from the list."))
        return False
    if unit_id and rules.would_make_cycle(unit_id, parent, services.unit_parents()):
        form.parent_id.errors.append(_("A unit cannot be placed under itself or its own sub-unit."))
        return False
    return True


from competitions.registry.views import contests, entries  # noqa: E402, F401

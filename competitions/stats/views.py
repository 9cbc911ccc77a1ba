"""The union's figures: the page, its workbook and print view, a recount, and who reads them."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from competitions.accounts.models import User
from competitions.accounts.services.permissions import registrar_required
from competitions.core.db import db
from competitions.core.http import xlsx_download
from competitions.core.queue import enqueue
from competitions.stats import rules, services, tasks
from competitions.stats.forms import ReaderForm
from competitions.stats.models import StatsReader
from competitions.units.models import Unit

bp = Blueprint("stats", __name__)


@bp.app_context_processor
def _statistics_link() -> dict:
    """Whether the menu offers the figures (asked only where the menu is drawn)."""
    return {"reads_statistics": lambda: services.reads_any(current_user)}


def _asked() -> tuple[int | None, int | None]:
    """The year and the unit asked for (None: the latest year; the reader's own tree)."""
    year = request.args.get("year", type=int)
    unit = request.args.get("unit", type=int)
    if unit is None and not current_user.is_registrar:
        granted = services.granted_units(current_user)
        unit = granted[0] if granted else None
    if year is None:
        years = services.years()
        year = years[0] if years else None
    return year, unit


def _readable() -> tuple[int | None, services.Figures | None]:
    """The figures asked for, if the user reads them (else 403)."""
    year, unit = _asked()
    if unit is not None and db.session.get(Unit, unit) is None:
        abort(404)
    if not services.may_read(current_user, unit):
        abort(403)
    return unit, services.figures(year, unit) if year is not None else None


def _page(template: str):
    unit, found = _readable()
    scopes = ([(None, _("All units"))] if current_user.is_registrar else []) + [
        (u.id, u.name)
        for u in db.session.scalars(
            select(Unit)
            .where(Unit.id.in_(services.granted_units(current_user)))
            .order_by(Unit.name)
        )
    ]
    if current_user.is_registrar:
        scopes += [
            (u.id, u.name)
            for u in db.session.scalars(
                select(Unit).where(Unit.parent_id.is_(None)).order_by(Unit.name)
            )
            if u.id not in {s[0] for s in scopes}
        ]
    charts = None
    if found is not None:
        charts = {
            "tiers": rules.bar_chart(services.tier_rows(found, "entries")),
            "contests": rules.bar_chart(services.tier_rows(found, "contests")),
            "awards": rules.bar_chart(services.award_rows(found)),
            "industries": rules.bar_chart(services.industry_rows(found)[:10]),
            "regions": rules.bar_chart([(u.name, t.get("entries", 0)) for u, t in found.regions]),
            "trend": rules.trend_chart(found.trend.get("entries", [])),
            "trend_contests": rules.trend_chart(found.trend.get("contests", [])),
        }
    return render_template(
        template,
        found=found,
        unit=unit,
        years=services.years(),
        scopes=scopes,
        charts=charts,
        summary=services.summary_rows(found) if found else [],
        chain=[db.session.get(Unit, u) for u in reversed(services.chain_of(unit))] if unit else [],
        form=FlaskForm(),
        share=rules.share,
    )


@bp.route("/statistics")
@login_required
def index():
    """A year's figures for a tree of units: headline numbers, by tier, region, industry,
    award and promotion, and the trend over the years."""
    if not services.reads_any(current_user):
        abort(403)
    return _page("stats/index.html")


@bp.route("/statistics/print")
@login_required
def printable():
    """The same figures on one printable page (the union's annual summary)."""
    if not services.reads_any(current_user):
        abort(403)
    return _page("stats/print.html")


@bp.route("/statistics.xlsx")
@login_required
def workbook():
    """The page's figures as a workbook."""
    if not services.reads_any(current_user):
        abort(403)
    _unit, found = _readable()
    if found is None:
        abort(404)
    return xlsx_download(services.workbook(found), f"statistics-{found.year}.xlsx")


@bp.post("/statistics/refresh")
@login_required
def refresh():
    """Have the workers count the year again now (they also do when something changed)."""
    if not services.reads_any(current_user):
        abort(403)
    year, unit = _asked()
    if FlaskForm().validate_on_submit() and year is not None:
        enqueue(None, tasks.refresh.delay, year)
        flash(_("The workers are counting the figures again; reload the page in a moment."), "info")
    return redirect(url_for("stats.index", year=year, unit=unit))


@bp.route("/statistics/readers", methods=["GET", "POST"])
@login_required
@registrar_required
def readers():
    """Registrars name the union officers who read the figures, each of a unit's tree."""
    form = ReaderForm()
    form.unit_id.choices = [
        (u.id, u.name) for u in db.session.scalars(select(Unit).order_by(Unit.name))
    ]
    if form.validate_on_submit():
        user = db.session.scalar(select(User).filter_by(username=form.username.data.strip()))
        if user is None or user.admin_role:
            form.username.errors.append(_("No such account (administrators read no figures)."))
        elif db.session.scalar(
            select(StatsReader.id).filter_by(user_id=user.id, unit_id=form.unit_id.data)
        ):
            form.unit_id.errors.append(_("This account already reads this unit's figures."))
        else:
            db.session.add(StatsReader(user_id=user.id, unit_id=form.unit_id.data))
            db.session.commit()
            flash(_("The account now reads the figures of this unit's tree."), "success")
            return redirect(url_for("stats.readers"))
    rows = db.session.execute(
        select(StatsReader, User.display_name, User.username, Unit.name)
        .join(User, User.id == StatsReader.user_id)
        .join(Unit, Unit.id == StatsReader.unit_id)
        .order_by(Unit.name, User.username)
    ).all()
    return render_template("stats/readers.html", form=form, rows=rows, revoke=FlaskForm())


@bp.post("/statistics/readers/<int:reader_id>/revoke")
@login_required
@registrar_required
def revoke_reader(reader_id: int):
    """The account no longer reads this unit's figures."""
    reader = db.get_or_404(StatsReader, reader_id)
    if FlaskForm().validate_on_submit():
        db.session.delete(reader)
        db.session.commit()
        flash(_("Revoked."), "success")
    return redirect(url_for("stats.readers"))

"""Public results, no log-in: the index by year and tier, a contest, a contest-trade's ranked
list with its teams, and the live board for a screen in the hall. Drafts are never shown."""

from decimal import Decimal

from flask import Blueprint, abort, current_app, render_template

from competitions.core.db import db
from competitions.core.labels import STATUS_LABELS, TIER_LABELS
from competitions.publication.services import cache, published
from competitions.registry.models import Contest
from competitions.results.rules import charts
from competitions.results.services import chart_data

bp = Blueprint("published", __name__)


@bp.route("/results")
@cache.cached(lambda: cache.scope_all())
def index():
    """Every contest with published results, by year and tier."""
    contests = published.contests_index()
    years: dict[int, list[dict]] = {}
    for contest in contests:
        years.setdefault(contest["year"], []).append(contest)
    return render_template("public/results_index.html", years=years, tiers=TIER_LABELS)


@bp.route("/results/contests/<int:contest_id>")
@cache.cached(lambda contest_id: cache.scope_contest(contest_id))
def contest(contest_id: int):
    """A contest's published contest-trades."""
    found = published.contest(contest_id)
    if found is None:
        abort(404)
    funnel = chart_data.funnel_for(db.session.get(Contest, contest_id), published_only=True)
    return render_template(
        "public/results_contest.html", contest=found, tiers=TIER_LABELS, funnel=funnel
    )


@bp.route("/results/trades/<int:ct_id>")
@cache.cached(lambda ct_id: cache.scope_trade(ct_id))
def trade(ct_id: int):
    """A contest-trade's published ranked list (ID numbers masked) and team results."""
    found = published.trade_results(ct_id)
    if found is None:
        abort(404)  # drafts and unknown contest-trades look the same
    totals = [Decimal(r["total"]) for r in found["results"] if r["rank"] is not None]
    return render_template(
        "public/results_trade.html",
        ct=found,
        tiers=TIER_LABELS,
        statuses=STATUS_LABELS,
        histogram=charts.histogram(totals),
    )


def _board(template: str, contest_id: int, **extra):
    """A board template of a contest (404 when there is no such contest)."""
    found = published.board(contest_id)
    if found is None:
        abort(404)
    rows = current_app.config["BOARD_ROWS_PER_PAGE"]
    return render_template(template, board=found, statuses=STATUS_LABELS, rows=rows, **extra)


@bp.route("/board/<int:contest_id>")
@cache.cached(lambda contest_id: cache.scope_contest(contest_id))
def board(contest_id: int):
    """The live board: a 1920×1080 screen in the hall that shows every entry of every published
    trade a page at a time, turning pages by itself and redrawing as results come."""
    return _board(
        "public/board.html",
        contest_id,
        refresh_s=current_app.config["BOARD_REFRESH_SECONDS"],
        rotate_s=current_app.config["BOARD_ROTATE_SECONDS"],
    )


@bp.route("/board/<int:contest_id>/body")
@cache.cached(lambda contest_id: cache.scope_contest(contest_id))
def board_body(contest_id: int):
    """The board's content alone, fetched by the screen every few seconds."""
    return _board("public/_board_body.html", contest_id)

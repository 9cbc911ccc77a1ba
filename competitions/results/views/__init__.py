"""The organiser's results pages: draft results, recompute with progress, confirm advancement."""

from flask import Blueprint, abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from competitions.accounts.services.permissions import require_contest_role, roles_in
from competitions.core import labels as core_labels
from competitions.core.db import db, db_int
from competitions.core.jobs import Job
from competitions.core.labels import STATUS_LABELS, TIER_LABELS
from competitions.core.queue import commit_then_enqueue
from competitions.judging import rules as judging_rules
from competitions.judging.services.codes import codes_by_entry
from competitions.registry.models import Contest, ContestTrade
from competitions.results import services, signals, tasks
from competitions.results.models import ResultSet
from competitions.results.services import advance, chart_data, labels

bp = Blueprint("results", __name__)

# The labels live in competitions/core/labels.py and results/labels.py; templates get them as
# filters.
for _name, _filter in (
    ("award_label", core_labels.award_label),
    ("honour_label", core_labels.honour_label),
    ("honour_state", core_labels.honour_state),
    ("time_used", judging_rules.format_time_used),
    ("score", labels.score),
    ("in_place_of_rank", labels.in_place_of_rank),
):
    bp.add_app_template_filter(_filter, _name)
bp.add_app_template_test(labels.earned, "earned")


#: Who reads (and exports) a contest-trade's results before they are published.
RESULT_READERS = {"organiser", "chief_judge"}


def _may_see(ct: ContestTrade) -> None:
    """Draft results: the contest's organisers and chief judges."""
    if not roles_in(current_user, ct.contest_id) & RESULT_READERS:
        abort(403)


def _latest_job(contest_id: int) -> Job | None:
    return db.session.scalar(
        select(Job)
        .filter_by(kind="recompute", contest_id=contest_id)
        .order_by(Job.created_at.desc())
    )


def _queue(ct_ids: list[int], contest_id: int) -> None:

    job = services.start_recompute(ct_ids, current_user.id, contest_id)
    commit_then_enqueue(job.id, tasks.queue_recompute, job.id, ct_ids)
    flash(_("The recompute has started."), "info")


@bp.route("/contest-trades/<int:ct_id>/results")
@login_required
def trade_results(ct_id: int):
    """One contest-trade's results: ranked, unranked, teams, honours, who advances."""
    ct = db.get_or_404(ContestTrade, ct_id)
    _may_see(ct)
    roles = roles_in(current_user, ct.contest_id)
    sees_who = services.sees_who(ct_id, roles)
    rows, teams, honours = services.trade_standing(ct_id, blind=not sees_who)
    names = {e.id: p.name for _, e, p in rows}
    result_set = db.session.get(ResultSet, ct_id)
    return render_template(
        "results/trade.html",
        refusals=signals.refusals_of(result_set),
        # Blind marking: the panel reads entries by code until the results are final.
        who=names if sees_who else codes_by_entry(ct_id),
        sees_who=sees_who,
        is_chief="chief_judge" in roles,
        is_organiser="organiser" in roles,
        ct=ct,
        rows=rows,
        teams=teams if sees_who else [],
        honours=honours,
        result_set=result_set,
        job=_latest_job(ct.contest_id),
        parent=advance.parent_contest_trade(ct),
        statuses=STATUS_LABELS,
        form=FlaskForm(),
        histogram=chart_data.histogram_for(ct_id),
        judge_chart=chart_data.judge_deviations_for(ct_id) if "organiser" in roles else None,
    )


@bp.post("/contest-trades/<int:ct_id>/recompute")
@login_required
def recompute_trade(ct_id: int):
    """Recompute one contest-trade's results on the workers."""
    ct = db.get_or_404(ContestTrade, ct_id)
    require_contest_role(ct.contest_id, "organiser")
    if FlaskForm().validate_on_submit():
        _queue([ct_id], ct.contest_id)
    return redirect(url_for("results.trade_results", ct_id=ct_id))


def _chief_judges(ct_id: int) -> tuple[ContestTrade, ResultSet]:
    """The contest-trade and its result set, for its contest's chief judges only (else 403),
    while the results are not final (else back to the page with the reason)."""
    ct = db.get_or_404(ContestTrade, ct_id)
    if "chief_judge" not in roles_in(current_user, ct.contest_id):
        abort(403)
    result_set = db.get_or_404(ResultSet, ct_id)
    if result_set.state == "final":
        flash(_("the results are final and cannot be recomputed"), "error")
        abort(redirect(url_for("results.trade_results", ct_id=ct_id)))
    return ct, result_set


@bp.post("/contest-trades/<int:ct_id>/ties")
@login_required
def decide_tie(ct_id: int):
    """The chief judge orders a tie in the medal places; the results are recomputed."""
    ct, result_set = _chief_judges(ct_id)
    groups = [set(g) for g in (result_set.undecided or {}).get("medal_places", [])]
    places = {}
    for key, value in request.form.items():
        if key.startswith("place-") and value.strip().isdigit():
            places[int(key.removeprefix("place-"))] = int(value)
    group = next((g for g in groups if g == set(places)), None)
    if (
        not FlaskForm().validate_on_submit()
        or group is None
        or sorted(places.values()) != list(range(1, len(group) + 1))
    ):
        flash(_("Give each tied entry a different place, from 1 up."), "error")
        return redirect(url_for("results.trade_results", ct_id=ct_id))
    services.decide_tie(ct_id, sorted(group, key=places.__getitem__))
    _queue([ct_id], ct.contest_id)
    return redirect(url_for("results.trade_results", ct_id=ct_id))


@bp.post("/contest-trades/<int:ct_id>/advancement-tie")
@login_required
def pick_advancing(ct_id: int):
    """The chief judge picks who of a tie at the advancement cut-off goes up; recompute."""
    ct, result_set = _chief_judges(ct_id)
    group = set((result_set.undecided or {}).get("advancement", []))
    chosen = [int(v) for v in request.form.getlist("advance") if v.isdigit() and int(v) in group]
    if not FlaskForm().validate_on_submit() or not chosen:
        flash(_("Tick who of the tied entries advances."), "error")
        return redirect(url_for("results.trade_results", ct_id=ct_id))
    result_set.advancement_picks = chosen
    _queue([ct_id], ct.contest_id)
    return redirect(url_for("results.trade_results", ct_id=ct_id))


@bp.post("/contest-trades/<int:ct_id>/advance")
@login_required
def confirm_advancement(ct_id: int):
    """Create the advancing contestants' entries in the parent contest."""
    ct = db.get_or_404(ContestTrade, ct_id)
    require_contest_role(ct.contest_id, "organiser")
    if FlaskForm().validate_on_submit():
        if advance.parent_contest_trade(ct) is None:
            flash(_("The parent contest does not offer this trade."), "error")
        else:
            created, present = advance.confirm_advancement(ct)
            db.session.commit()
            flash(
                _(
                    "%(created)s entries created in the parent contest; %(present)s were already "
                    "there.",
                    created=created,
                    present=present,
                ),
                "success",
            )
    return redirect(url_for("results.trade_results", ct_id=ct_id))


@bp.route("/contests/<int:contest_id>/results", methods=["GET", "POST"])
@login_required
def contest_results(contest_id: int):
    """A contest's results by trade, with recomputes of the contest or of its tier chain."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    form = FlaskForm()
    if form.validate_on_submit():
        if request.form.get("scope") == "chain":
            ids = services.contest_trades_of(services.chain_contest_ids(contest))
        else:
            ids = services.contest_trades_of([contest_id])
        _queue(ids, contest_id)
        return redirect(url_for("results.contest_results", contest_id=contest_id))
    sets = {
        s.assessment_id: s
        for s in db.session.scalars(
            select(ResultSet).where(
                ResultSet.assessment_id.in_([c.id for c in contest.contest_trades])
            )
        )
    }
    funnel_trade = request.args.get("trade", type=db_int)
    if funnel_trade not in {ct.trade_id for ct in contest.contest_trades}:
        funnel_trade = None  # all trades
    return render_template(
        "results/contest.html",
        contest=contest,
        sets=sets,
        job=_latest_job(contest_id),
        tiers=TIER_LABELS,
        form=form,
        funnel=chart_data.funnel_for(contest, funnel_trade),
        funnel_trade=funnel_trade,
    )


from competitions.results.views import decisions, exports, timing  # noqa: E402,F401

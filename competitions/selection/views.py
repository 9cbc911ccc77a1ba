"""A 工匠 selection's pages: the organiser's campaign, bodies, qualification review, vote
watch (curve, flagged bursts, voids and resets), combined ranking, 公示 and certificates; the
nominator's nomination form; the public vote (for phones) and the public notice."""

import re

import redis
from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    make_response,
    redirect,
    render_template,
    request,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from itsdangerous import BadSignature, URLSafeSerializer
from sqlalchemy import select

from competitions.accounts.services.permissions import require_contest_role, roles_in
from competitions.certificates import tasks as certificate_tasks
from competitions.core.confirm import ConfirmForm, confirm_page
from competitions.core.db import db
from competitions.core.i18n import local_now, say
from competitions.core.jobs import Job, create_job
from competitions.core.queue import commit_then_enqueue
from competitions.publication import services as publication
from competitions.registry.models import Contest
from competitions.results.models import Result, ResultSet
from competitions.selection import services, tasks
from competitions.selection.forms import (
    BodyForm,
    CampaignForm,
    NominationForm,
    ReturnForm,
    VoidForm,
)
from competitions.selection.models import NominatingBody, Nominee, SelectionCampaign, VoteVoid
from competitions.selection.services import Nomination, SelectionError
from competitions.units.models import Unit

bp = Blueprint("selection", __name__)

DEVICE_COOKIE = "jingsai_voter"
COMBINE_KIND = "selection_combine"


def _back(contest_id: int):
    return redirect(url_for("selection.home", contest_id=contest_id), 303)


def _fail(err: SelectionError) -> None:
    db.session.rollback()
    flash(say(err.reason), "error")


def _organiser(contest_id: int) -> SelectionCampaign:
    require_contest_role(contest_id, "organiser")
    return services.campaign_of(contest_id) or abort(404)


def _unit_choices() -> list[tuple[int, str]]:
    return [(0, "—")] + [
        (u.id, u.name) for u in db.session.scalars(select(Unit).order_by(Unit.name))
    ]


# --- the organiser ------------------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/selection", methods=["GET", "POST"])
@login_required
def home(contest_id: int):
    """The campaign of the contest: created here; then its bodies, nominees, review, vote and
    ranking. A nominator is sent to their body's nomination page."""
    contest = db.get_or_404(Contest, contest_id)
    campaign = services.campaign_of(contest_id)
    if "organiser" not in roles_in(current_user, contest_id):
        bodies = services.bodies_of_nominator(campaign, current_user.id) if campaign else []
        if bodies:
            return redirect(
                url_for("selection.nominate", contest_id=contest_id, body_id=bodies[0].id)
            )
        abort(403)
    if campaign is None:
        form = CampaignForm(name=f"{contest.year}年度齐鲁工匠", title_name="齐鲁工匠")
        if form.validate_on_submit():
            settings = {k: v for k, v in form.data.items() if k not in ("csrf_token",)}
            try:
                services.create_campaign(contest_id, **settings)
            except SelectionError as err:
                db.session.rollback()
                target = getattr(form, err.field, None) if err.field else None
                if target is not None:  # beside the field it is about
                    target.errors = [*target.errors, say(err.reason)]
                else:
                    flash(say(err.reason), "error")
            else:
                db.session.commit()
                flash(_("Selection campaign set up."), "success")
                return _back(contest_id)
        return render_template("selection/create.html", contest=contest, form=form)
    body_form = BodyForm()
    body_form.unit_id.choices = _unit_choices()
    nominees = list(
        db.session.scalars(select(Nominee).filter_by(campaign_id=campaign.id).order_by(Nominee.id))
    )
    on = local_now().date()
    problems = {n.id: [say(r) for r in services.review_problems(n, on)] for n in nominees}
    scores = services.expert_scores(campaign)
    counts = services.counts(campaign)
    bursts, regular = services.flagged(campaign)
    void_form = VoidForm(source=request.args.get("source", ""))  # a flagged burst's link
    void_form.nominee_id.choices = [(0, "—")] + [(n.id, n.person.name) for n in nominees]
    voids = list(db.session.scalars(select(VoteVoid).filter_by(campaign_id=campaign.id)))
    result_set = db.session.get(ResultSet, campaign.id)
    results = {
        r.subject_id: r
        for r in db.session.scalars(select(Result).filter_by(assessment_id=campaign.id))
    }
    job = db.session.scalar(
        select(Job)
        .filter_by(kind=COMBINE_KIND, contest_id=contest_id)
        .order_by(Job.created_at.desc())
    )
    return render_template(
        "selection/home.html",
        contest=contest,
        campaign=campaign,
        body_form=body_form,
        nominees=nominees,
        used={b.id: services.used_quota(b) for b in campaign.bodies},
        problems=problems,
        scores=scores,
        counts=counts,
        curve=services.curve(campaign),
        bursts=sorted(bursts),
        regular=regular,
        void_form=void_form,
        voids=voids,
        return_form=ReturnForm(),
        result_set=result_set,
        results=results,
        job=job,
        vote_nominees=set(services.vote_nominees(campaign)),
    )


@bp.route("/contests/<int:contest_id>/selection/bodies", methods=["POST"])
@login_required
def add_body(contest_id: int):
    campaign = _organiser(contest_id)
    form = BodyForm()
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        try:
            services.add_body(
                campaign,
                form.name.data,
                form.kind.data,
                form.unit_id.data or None,
                form.nominator.data,
                form.quota.data,
            )
        except SelectionError as err:
            _fail(err)
        else:
            db.session.commit()
            flash(_("Nominating body added."), "success")
    else:
        flash(_("Check the nominating body's fields."), "error")
    return _back(contest_id)


@bp.route("/contests/<int:contest_id>/selection/nominees/<int:nominee_id>/review", methods=["POST"])
@login_required
def review(contest_id: int, nominee_id: int):
    """The qualification review: pass (refused while the rules find a problem) or return."""
    campaign = _organiser(contest_id)
    nominee = db.get_or_404(Nominee, nominee_id)
    if nominee.campaign_id != campaign.id:
        abort(404)
    try:
        if request.form.get("decision") == "pass":
            services.pass_nominee(nominee, local_now().date())
        else:
            services.return_nominee(nominee, request.form.get("reason", ""))
    except SelectionError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(_("Done."), "success")
    return _back(contest_id)


@bp.route("/contests/<int:contest_id>/selection/void", methods=["POST"])
@login_required
def void(contest_id: int):
    """Void a period's or a source's votes, or reset a nominee to zero, with a reason."""
    campaign = _organiser(contest_id)
    form = VoidForm()
    form.nominee_id.choices = [(0, "—")] + [
        (n, str(n))
        for n in db.session.scalars(select(Nominee.id).filter_by(campaign_id=campaign.id))
    ]
    if not form.validate_on_submit():
        flash(_("A reason is required to void votes."), "error")
        return _back(contest_id)
    try:
        done = services.void_votes(
            campaign,
            form.reason.data,
            current_user.id,
            form.nominee_id.data or None,
            (form.source.data or "").strip(),
            form.starts_at.data,
            form.ends_at.data,
        )
    except SelectionError as err:
        _fail(err)
    else:
        db.session.commit()
        flash(_("%(n)s votes voided.", n=done.voided), "success")
    return _back(contest_id)


@bp.route("/contests/<int:contest_id>/selection/combine", methods=["POST"])
@login_required
def combine(contest_id: int):
    """The combined ranking, on the workers."""
    campaign = _organiser(contest_id)
    result_set = db.session.get(ResultSet, campaign.id)
    if result_set is not None and result_set.state != "draft":
        flash(_("The ranking is already under public notice or final."), "error")
        return _back(contest_id)
    job = create_job(COMBINE_KIND, current_user.id, contest_id)
    commit_then_enqueue(job.id, tasks.combine.delay, job.id, campaign.id)
    flash(_("The combined ranking is being computed on the workers."), "info")
    return _back(contest_id)


PUBLICATION_ACTIONS = ("publish", "finalise")


@bp.route("/contests/<int:contest_id>/selection/publication/<action>", methods=["GET", "POST"])
@login_required
def publication_step(contest_id: int, action: str):
    """Put the combined ranking under public notice (公示), or make it final."""
    campaign = _organiser(contest_id)
    if action not in PUBLICATION_ACTIONS:
        abort(404)
    result_set = db.session.get(ResultSet, campaign.id)
    now = local_now()
    problem = None if result_set else _("Compute the combined ranking first.")
    if result_set and action == "finalise":
        reason = publication.finalise_check(result_set, now)
        problem = say(reason) if reason else None
    form = ConfirmForm()
    if problem is None and form.validate_on_submit():
        step = publication.publish if action == "publish" else None
        reason = step(campaign, result_set, now) if step else publication.finalise(result_set, now)
        if reason:
            db.session.rollback()
            flash(say(reason), "error")
        else:
            db.session.commit()
            flash(_("Done."), "success")
        return _back(contest_id)
    title = (
        _("Put the selection under public notice")
        if action == "publish"
        else _("Make the selection final")
    )
    return confirm_page(
        form,
        title=f"{title} · {campaign.name}",
        consequences=[
            _("The public sees the nominees, the ranking and every void of votes with its reason.")
            if action == "publish"
            else _("The titles become final; certificates may then be issued.")
        ],
        problem=problem,
        button=title,
        button_id=f"confirm-{action}",
        back=url_for("selection.home", contest_id=contest_id),
    )


@bp.route("/contests/<int:contest_id>/selection/certificates", methods=["GET", "POST"])
@login_required
def title_certificates(contest_id: int):
    """Issue the titles' certificates through certificates (verifiable by QR)."""
    campaign = _organiser(contest_id)
    result_set = db.session.get(ResultSet, campaign.id)
    problem = (
        None if result_set and result_set.state == "final" else _("The selection is not final yet.")
    )
    form = ConfirmForm()
    if problem is None and form.validate_on_submit():
        job = certificate_tasks.issue_on_workers(campaign.contest, [campaign.id], current_user.id)
        flash(_("Issuing %(n)s certificates on the workers.", n=job.total), "info")
        return redirect(url_for("certificates.overview", contest_id=contest_id), 303)
    return confirm_page(
        form,
        title=_("Issue the titles' certificates"),
        consequences=[
            _("Every titled craftsman gets a certificate with a number anyone can verify.")
        ],
        problem=problem,
        button=_("Issue the titles' certificates"),
        button_id="confirm-issue",
        back=url_for("selection.home", contest_id=contest_id),
    )


# --- the nominating body ------------------------------------------------------------------------


@bp.route(
    "/contests/<int:contest_id>/selection/bodies/<int:body_id>/nominate", methods=["GET", "POST"]
)
@login_required
def nominate(contest_id: int, body_id: int):
    """The body's nominator nominates within the quota, before the deadline; Jingsai proposes
    first prizes of provincial contests of the last three years."""
    campaign = services.campaign_of(contest_id) or abort(404)
    body = db.get_or_404(NominatingBody, body_id)
    if body.campaign_id != campaign.id:
        abort(404)
    if body.nominator_id != current_user.id and "organiser" not in roles_in(
        current_user, contest_id
    ):
        abort(403)
    form = NominationForm()
    form.unit_id.choices = _unit_choices()
    proposals = services.proposed_candidates(campaign)
    if request.method == "GET" and request.args.get("from"):
        chosen = next(
            (p for p in proposals if p.Result.subject_id == request.args.get("from", type=int)),
            None,
        )
        if chosen:
            form.name.data, form.unit_id.data = chosen.name, chosen.unit_id or 0
            form.award_subject_id.data = chosen.Result.subject_id
            form.achievements.data = f"{chosen.Contest.name} 一等奖"
    if form.validate_on_submit():
        files = []
        if form.attachment.data and form.attachment.data.filename:
            files.append((form.attachment.data.filename, form.attachment.data.read()))
        try:
            services.nominate(
                body,
                Nomination(
                    form.name.data,
                    form.id_number.data,
                    form.unit_id.data or None,
                    form.trade.data,
                    form.deeds.data,
                    form.achievements.data or "",
                    form.years_in_trade.data,
                    form.in_service.data,
                    form.disciplinary_record.data,
                    form.holds_lower_title.data,
                    form.award_subject_id.data,
                ),
                local_now(),
                files,
            )
        except SelectionError as err:
            db.session.rollback()
            target = getattr(form, err.field, None) if err.field else None
            if target is not None:
                target.errors = [*target.errors, say(err.reason)]
            else:
                flash(say(err.reason), "error")
        else:
            db.session.commit()
            flash(_("Nominated."), "success")
            return redirect(
                url_for("selection.nominate", contest_id=contest_id, body_id=body_id), 303
            )
    mine = list(db.session.scalars(select(Nominee).filter_by(body_id=body.id).order_by(Nominee.id)))
    return render_template(
        "selection/nominate.html",
        campaign=campaign,
        body=body,
        form=form,
        mine=mine,
        proposals=proposals,
        used=len(mine),
    )


# --- the public ---------------------------------------------------------------------------------


def _signer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="selection-voter")


def _family(agent: str) -> str:
    """A device family: the user agent without its numbers (one phone model and browser)."""
    return re.sub(r"[\d._]+", "", agent)[:60]


@bp.route("/selection/<int:campaign_id>/vote")
def vote_page(campaign_id: int):
    """The public vote: each nominee's deeds and a vote button, made for phones."""
    campaign = db.get_or_404(SelectionCampaign, campaign_id)
    ids = services.vote_nominees(campaign)
    nominees = {n.id: n for n in db.session.scalars(select(Nominee).where(Nominee.id.in_(ids)))}
    counts = services.counts(campaign)
    voted = request.args.get("voted", type=int)  # the card that shows the vote's answer
    now = local_now()
    state = (
        "open"
        if campaign.vote_opens <= now <= campaign.vote_closes
        else ("before" if now < campaign.vote_opens else "closed")
    )
    response = make_response(
        render_template(
            "selection/vote.html",
            campaign=campaign,
            nominees=[nominees[i] for i in ids if i in nominees],
            counts=counts,
            state=state,
            voted=voted if voted in nominees else None,
        )
    )
    if not request.cookies.get(DEVICE_COOKIE):
        response.set_cookie(
            DEVICE_COOKIE,
            _signer().dumps(services.new_device()),
            max_age=400 * 86400,
            httponly=True,
            samesite="Lax",
        )
    return response


@bp.route("/selection/<int:campaign_id>/vote/<int:nominee_id>", methods=["POST"])
def vote(campaign_id: int, nominee_id: int):
    """One vote; answered once it is safe (see ``services.cast_vote``)."""
    campaign = services.vote_settings(campaign_id) or abort(404)
    token = request.cookies.get(DEVICE_COOKIE, "")
    try:
        device = _signer().loads(token) if token else None
    except BadSignature:
        device = None
        problem = _("Your voting token is not valid: reload the page and vote again.")
    else:
        problem = None if device else _("Open the vote's page first, then vote.")
    acknowledged = None
    if problem is None:
        try:
            acknowledged = services.cast_vote(
                campaign,
                nominee_id,
                device,
                _family(request.user_agent.string),
                request.remote_addr or "",
                "web",
                local_now(),
            )
        except SelectionError as err:
            db.session.rollback()
            problem = say(err.reason)
        else:
            if acknowledged.startswith("db-"):  # no Redis: the vote is a row of this request
                db.session.commit()
            else:
                _schedule_trail(campaign_id)
    wants_json = request.accept_mimetypes.best == "application/json"
    if wants_json:
        return (
            {
                "ok": problem is None,
                "vote": acknowledged,
                "message": problem or _("Thank you: your vote counts."),
            },
            200 if problem is None else 409,
        )
    flash(problem or _("Thank you: your vote counts."), "error" if problem else "success")
    response = redirect(
        url_for("selection.vote_page", campaign_id=campaign_id, voted=nominee_id)
        + f"#n{nominee_id}",
        303,
    )
    if token and device is None:
        response.delete_cookie(DEVICE_COOKIE)
    return response


def _schedule_trail(campaign_id: int) -> None:
    """Ask the workers to write the trail, at most once a second per campaign."""
    client = services._redis()
    if client is None:
        return
    try:
        if client.set(f"jingsai:vote:{campaign_id}:scheduled", 1, nx=True, px=1000):
            tasks.write_trail.apply_async(args=[campaign_id], countdown=1)
    except (redis.RedisError, OSError):  # the votes are safe in the stream; the next one asks
        pass


@bp.route("/selection/<int:campaign_id>/notice")
def public_notice(campaign_id: int):
    """The public notice (公示): the ranking, the titles, every void of votes with its reason."""
    campaign = db.get_or_404(SelectionCampaign, campaign_id)
    result_set = db.session.get(ResultSet, campaign.id)
    if result_set is None or result_set.state not in ("notice", "final"):
        return render_template(
            "selection/notice.html", campaign=campaign, result_set=None, rows=[], voids=[]
        )
    rows = db.session.execute(
        select(Result, Nominee)
        .join(Nominee, Nominee.id == Result.subject_id)
        .where(Result.assessment_id == campaign.id)
        .order_by(Result.rank)
    ).all()
    voids = list(db.session.scalars(select(VoteVoid).filter_by(campaign_id=campaign.id)))
    return render_template(
        "selection/notice.html", campaign=campaign, result_set=result_set, rows=rows, voids=voids
    )

"""A 工匠 selection's pages: the organiser's campaign, bodies, qualification review, vote
watch (curve, flagged bursts, voids and resets), combined ranking, 公示 and certificates; the
nominator's nomination form; the public vote (for phones) and the public notice."""

import secrets
import time

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
from flask_babel import get_locale
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf.csrf import generate_csrf
from markupsafe import Markup
from sqlalchemy import select
from sqlalchemy.orm import selectinload

from competitions.accounts.services.permissions import require_contest_role, roles_in
from competitions.certificates import tasks as certificate_tasks
from competitions.core.confirm import ConfirmForm, confirm_page
from competitions.core.db import db
from competitions.core.extensions import limiter
from competitions.core.i18n import local_now, say
from competitions.core.jobs import Job, create_job
from competitions.core.labels import TITLE_LEVEL_LABELS, VOTE_CHANNEL_LABELS
from competitions.core.queue import commit_then_enqueue
from competitions.publication import services as publication
from competitions.publication.forms import ObjectionForm
from competitions.registry import person_sections
from competitions.registry.models import Contest, Person
from competitions.results.models import Result, ResultSet
from competitions.selection import services, tasks, voting
from competitions.selection.forms import (
    BodyForm,
    CampaignForm,
    ExpertForm,
    NominationForm,
    ReturnForm,
    TallyForm,
    VoidForm,
    VoteSettingsForm,
)
from competitions.selection.models import (
    ChannelTally,
    NominatingBody,
    Nominee,
    SelectionCampaign,
    TieDecision,
    VoteVoid,
)
from competitions.selection.services import Nomination, SelectionError
from competitions.units.models import Unit

bp = Blueprint("selection", __name__)

COMBINE_KIND = "selection_combine"


def _back(contest_id: int):
    return redirect(url_for("selection.home", contest_id=contest_id), 303)


def _done(action, said, form=None) -> bool:
    """Carry out ``action`` (a service call) in this request's transaction: committed, with
    ``said`` flashed (a callable is given what the action returned), and True; or, refused by a
    :class:`SelectionError`, rolled back with its reason beside the ``form``'s field it is about
    (else flashed), and False. Nothing is half-saved."""
    try:
        returned = action()
    except SelectionError as err:
        db.session.rollback()
        target = getattr(form, err.field or "", None) if form is not None else None
        if target is not None:
            target.errors = [*target.errors, say(err.reason)]
        else:
            flash(say(err.reason), "error")
        return False
    db.session.commit()
    flash(said(returned) if callable(said) else said, "success")
    return True


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
            if _done(
                lambda: services.create_campaign(contest_id, **settings),
                _("Selection campaign set up."),
                form,
            ):
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
    vote_ids = services.vote_nominees(campaign)
    settings_form = VoteSettingsForm(
        formdata=None,
        channel_weights=campaign.channel_weights,
        challenge_after=campaign.challenge_after,
    )
    tally_form = _tally_form(campaign, nominees, vote_ids, formdata=None)
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
        vote_nominees=set(vote_ids),
        settings_form=settings_form,
        tally_form=tally_form,
        by_channel=services.channel_counts(campaign),
        channels=VOTE_CHANNEL_LABELS,
        tallies=list(
            db.session.scalars(
                select(ChannelTally).filter_by(campaign_id=campaign.id).order_by(ChannelTally.id)
            )
        ),
        open_tie=services.open_tie(campaign) if result_set else [],
    )


def _tally_form(campaign, nominees, vote_ids, formdata=None) -> TallyForm:
    form = TallyForm() if formdata is not None else TallyForm(formdata=None)
    names = {n.id: n.person.name for n in nominees}
    form.nominee_id.choices = [(i, names.get(i, str(i))) for i in vote_ids]
    return form


@bp.route("/contests/<int:contest_id>/selection/vote-settings", methods=["POST"])
@login_required
def vote_settings(contest_id: int):
    """The vote's channels and their weights, and the burst after which a check is asked."""
    campaign = _organiser(contest_id)
    form = VoteSettingsForm()
    if not form.validate_on_submit():
        flash(_("Check the vote's settings."), "error")
        return _back(contest_id)
    _done(
        lambda: services.set_vote_settings(
            campaign, form.channel_weights.data, form.challenge_after.data
        ),
        _("Vote settings saved."),
    )
    return _back(contest_id)


@bp.route("/contests/<int:contest_id>/selection/tally", methods=["POST"])
@login_required
def tally(contest_id: int):
    """The organiser enters a channel's votes counted outside Jingsai for a nominee."""
    campaign = _organiser(contest_id)
    vote_ids = services.vote_nominees(campaign)
    nominees = list(db.session.scalars(select(Nominee).where(Nominee.id.in_(vote_ids))))
    form = _tally_form(campaign, nominees, vote_ids, formdata=True)
    if not form.validate_on_submit():
        problems = [e for f in form for e in f.errors]
        flash(_("The tally was not saved: %(why)s", why="; ".join(map(str, problems))), "error")
        return _back(contest_id)
    _done(
        lambda: services.enter_tally(
            campaign,
            form.nominee_id.data,
            form.channel.data,
            form.votes.data,
            form.note.data,
            current_user.id,
        ),
        _("Tally saved."),
    )
    return _back(contest_id)


@bp.route("/contests/<int:contest_id>/selection/experts", methods=["GET", "POST"])
@login_required
def experts(contest_id: int):
    """The campaign's experts: the nominating body each comes with and their unit (recusal),
    and their ID number (a nominee with it is refused)."""
    campaign = _organiser(contest_id)
    bodies = [(0, "—")] + [(b.id, b.name) for b in campaign.bodies]
    units = _unit_choices()
    forms = {}
    for user, kept in services.experts_of(campaign):
        bound = request.method == "POST" and request.form.get("user_id", type=int) == user.id
        form = (
            ExpertForm(prefix=f"e{user.id}-")
            if bound
            else ExpertForm(
                formdata=None,
                prefix=f"e{user.id}-",
                body_id=kept.body_id or 0 if kept else 0,
                unit_id=(kept.unit_id if kept and kept.unit_id else user.unit_id) or 0,
            )
        )
        form.body_id.choices, form.unit_id.choices = bodies, units
        forms[user.id] = (user, kept, form)
        if bound and form.validate_on_submit():
            try:
                services.set_expert(
                    campaign,
                    user.id,
                    form.body_id.data or None,
                    form.unit_id.data or None,
                    form.id_number.data or "",
                )
            except SelectionError as err:
                db.session.rollback()
                target = getattr(form, err.field or "", None) or form.id_number
                target.errors = [*target.errors, say(err.reason)]
            else:
                db.session.commit()
                flash(_("Saved."), "success")
                return redirect(url_for("selection.experts", contest_id=contest_id), 303)
    return render_template(
        "selection/experts.html", contest=campaign.contest, campaign=campaign, rows=forms
    )


@bp.route("/contests/<int:contest_id>/selection/tie", methods=["GET", "POST"])
@login_required
def tie(contest_id: int):
    """The panel chair (or the organiser) orders the nominees tied at the title line that the
    expert score does not part, with a reason; the ranking is then computed again."""
    campaign = services.campaign_of(contest_id) or abort(404)
    if not services.may_decide_tie(campaign, current_user.id, roles_in(current_user, contest_id)):
        abort(403)
    tied = services.tied_at_line(campaign)
    nominees = {n.id: n for n in db.session.scalars(select(Nominee).where(Nominee.id.in_(tied)))}
    scores = services.expert_scores(campaign)
    totals = dict(services.ranked(campaign))
    decided = {
        d.nominee_id: d
        for d in db.session.scalars(select(TieDecision).filter_by(campaign_id=campaign.id))
    }
    form = ConfirmForm()
    errors: dict[str, str] = {}
    result_set = db.session.get(ResultSet, campaign.id)
    if request.method == "POST":
        if result_set is not None and result_set.state != "draft":
            errors["reason"] = _("The ranking is already under public notice or final.")
        elif not form.validate_on_submit():
            errors["confirm"] = _("Tick the box to confirm.")
        else:
            order = {}
            for n in tied:
                value = request.form.get(f"order-{n}", "").strip()
                if value.isdigit():
                    order[n] = int(value)
            try:
                services.decide_tie(
                    campaign, order, request.form.get("reason", ""), current_user.id
                )
            except SelectionError as err:
                db.session.rollback()
                errors[err.field or "order"] = say(err.reason)
            else:
                job = create_job(COMBINE_KIND, current_user.id, contest_id)
                commit_then_enqueue(job.id, tasks.combine.delay, job.id, campaign.id)
                flash(
                    _("The chair's decision is recorded; the ranking is being completed."),
                    "success",
                )
                return redirect(url_for("selection.tie", contest_id=contest_id), 303)
    return render_template(
        "selection/tie.html",
        contest=campaign.contest,
        campaign=campaign,
        tied=[nominees[n] for n in tied if n in nominees],
        scores=scores,
        totals=totals,
        decided=decided,
        form=form,
        errors=errors,
        typed=request.form if request.method == "POST" else {},
        organiser="organiser" in roles_in(current_user, contest_id),
    )


@bp.route("/contests/<int:contest_id>/selection/bodies", methods=["POST"])
@login_required
def add_body(contest_id: int):
    campaign = _organiser(contest_id)
    form = BodyForm()
    form.unit_id.choices = _unit_choices()
    if form.validate_on_submit():
        _done(
            lambda: services.add_body(
                campaign,
                form.name.data,
                form.kind.data,
                form.unit_id.data or None,
                form.nominator.data,
                form.quota.data,
            ),
            _("Nominating body added."),
        )
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
    if request.form.get("decision") == "pass":
        _done(lambda: services.pass_nominee(nominee, local_now().date()), _("Done."))
    else:
        _done(lambda: services.return_nominee(nominee, request.form.get("reason", "")), _("Done."))
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
    _done(
        lambda: services.void_votes(
            campaign,
            form.reason.data,
            current_user.id,
            form.nominee_id.data or None,
            (form.source.data or "").strip(),
            form.starts_at.data,
            form.ends_at.data,
        ),
        lambda done: _("%(n)s votes voided.", n=done.voided),
    )
    return _back(contest_id)


@bp.route("/contests/<int:contest_id>/selection/edit", methods=["GET", "POST"])
@login_required
def edit(contest_id: int):
    """Change the campaign's settings (dates, numbers, weights, eligibility) until its ranking
    goes under public notice."""
    campaign = _organiser(contest_id)
    form = CampaignForm(obj=campaign)
    if form.validate_on_submit():
        settings = {k: v for k, v in form.data.items() if k in services.EDITABLE}
        if _done(
            lambda: services.update_campaign(campaign, **settings),
            _("Campaign settings saved."),
            form,
        ):
            return _back(contest_id)
    return render_template(
        "selection/create.html", contest=campaign.contest, form=form, campaign=campaign
    )


@bp.route("/contests/<int:contest_id>/selection/combine", methods=["POST"])
@login_required
def combine(contest_id: int):
    """The combined ranking, on the workers."""
    campaign = _organiser(contest_id)
    result_set = db.session.get(ResultSet, campaign.id)
    if result_set is not None and result_set.state != "draft":
        flash(_("The ranking is already under public notice or final."), "error")
        return _back(contest_id)
    if local_now() <= campaign.vote_closes:
        flash(
            _(
                "The public vote is open until %(d)s: rank after it closes.",
                d=campaign.vote_closes.strftime("%Y-%m-%d %H:%M"),
            ),
            "error",
        )
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
    if result_set and action == "publish" and services.open_tie(campaign):
        problem = _(
            "A tie at the title line waits for the panel chair's decision: record it first."
        )
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
        if _done(
            lambda: services.nominate(
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
            ),
            _("Nominated."),
            form,
        ):
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


#: Stands for the form's token in the vote's cards as they are kept (random: no deeds hold it).
_TOKEN_MARK = secrets.token_hex(16)


def _vote_cards(campaign, ids: list[int], counts: dict[int, int], mine: set[int], **page) -> Markup:
    """The vote page's cards. A crowd opening the page is answered from the cards as rendered
    for the last phone (kept by each worker for at most 5 s, while the nominees and the counts
    they show are the same: the counts are themselves at most a second old), with only the
    form's token put in and the phone's own votes of today (``mine``) marked, their buttons
    off; a phone back from a vote or asked for a check gets cards of its own."""
    token = generate_csrf()
    plain = page["voted"] is None and page["challenge"] is None
    kept = current_app.extensions.setdefault("jingsai_vote_cards", {})
    key = (campaign.id, str(get_locale()), page["state"], page["via"])
    hit = kept.get(key) if plain else None
    if hit and hit[0] == ids and hit[1] == counts and hit[2] > time.monotonic():
        return Markup(_voted_marked(hit[3].replace(_TOKEN_MARK, token), mine))
    nominees = {
        n.id: n
        for n in db.session.scalars(
            select(Nominee)
            .where(Nominee.id.in_(ids))
            .options(selectinload(Nominee.person).selectinload(Person.unit))
        )
    }
    html = render_template(
        "selection/_vote_cards.html",
        campaign=campaign,
        nominees=[nominees[i] for i in ids if i in nominees],
        counts=counts,
        form_token=_TOKEN_MARK if plain else token,
        **page,
    )
    if plain:
        kept[key] = (ids, counts, time.monotonic() + 5, html)
    return Markup(_voted_marked(html.replace(_TOKEN_MARK, token), mine))


def _voted_marked(html: str, mine: set[int]) -> str:
    """The cards with "voted today" shown and the vote button off for each nominee in
    ``mine`` (the rule allows one vote per nominee a day)."""
    for n in mine:
        html = html.replace(f'id="voted-{n}" hidden', f'id="voted-{n}"')
        html = html.replace(f'id="vote-{n}">', f'id="vote-{n}" disabled>')
    return html


@bp.route("/selection/<int:campaign_id>/vote")
def vote_page(campaign_id: int):
    """The public vote: each nominee's deeds and a vote button, made for phones."""
    campaign = db.get_or_404(SelectionCampaign, campaign_id)
    ids = services.vote_nominees_cached(campaign)
    voted = request.args.get("voted", type=int)  # the card that shows the answer (no script)
    voted = voted if voted in ids else None
    # A phone back from voting sees its vote counted; others see counts at most a second old.
    counts = services.counts(campaign) if voted else services.public_counts(campaign)
    now = local_now()
    state = (
        "open"
        if campaign.vote_opens <= now <= campaign.vote_closes
        else ("before" if now < campaign.vote_opens else "closed")
    )
    token = request.cookies.get(voting.DEVICE_COOKIE, "")
    device = voting.device_of(token)
    fresh = device is None
    if fresh:
        token = voting.new_device_token()
    challenge, challenged = None, request.args.get("challenge", type=int)
    if challenged in ids and device:
        challenge = services.issue_challenge(campaign.id, device)
    via = voting.channel_of(request.args.get("via")) if request.args.get("via") else None
    page = {"state": state, "via": via, "voted": voted, "challenge": challenge}
    response = make_response(
        render_template(
            "selection/vote.html",
            campaign=campaign,
            cards=_vote_cards(
                campaign,
                ids,
                counts,
                services.voted_today(campaign.id, device, now) if device else set(),
                challenged=challenged,
                **page,
            ),
            device_token=token,
            **page,
        )
    )
    if fresh:
        response.set_cookie(
            voting.DEVICE_COOKIE, token, max_age=400 * 86400, httponly=True, samesite="Lax"
        )
    return response


@bp.route("/selection/<int:campaign_id>/vote/<int:nominee_id>", methods=["POST"])
def vote(campaign_id: int, nominee_id: int):
    """One vote from the page's form, or a solved check (the page's script is answered by
    ``voting.VoteFastPath`` in front of the app, by the same :func:`voting.answer_vote`);
    answered once it is safe."""
    token = request.cookies.get(voting.DEVICE_COOKIE, "")
    device = voting.device_of(token)
    acknowledged = challenge = None
    given = request.get_json(silent=True) or request.form
    proof = (
        (str(given["challenge"]), str(given.get("answer") or ""))
        if given.get("challenge")
        else None
    )
    via = request.args.get("via")
    if device is None:
        problem = (
            _("Your voting token is not valid: reload the page and vote again.")
            if token
            else _("Open the vote's page first, then vote.")
        )
    else:
        try:
            acknowledged, problem, challenge = voting.answer_vote(
                campaign_id,
                nominee_id,
                device,
                request.user_agent.string,
                request.remote_addr or "",
                local_now(),
                voting.channel_of(via),
                proof,
            )
        except LookupError:
            abort(404)
    if request.accept_mimetypes.best == "application/json":
        answer = {
            "ok": problem is None,
            "vote": acknowledged,
            "message": problem or _("Thank you: your vote counts."),
        }
        if challenge:
            answer["challenge"] = challenge
        return answer, 200 if problem is None else 409
    flash(problem or _("Thank you: your vote counts."), "error" if problem else "success")
    back = {"challenge": nominee_id} if challenge else {}
    if via in voting.ONLINE_CHANNELS:
        back["via"] = via
    response = redirect(
        url_for("selection.vote_page", campaign_id=campaign_id, voted=nominee_id, **back)
        + f"#n{nominee_id}",
        303,
    )
    if token and device is None:
        response.delete_cookie(voting.DEVICE_COOKIE)
    return response


@bp.route("/selection/<int:campaign_id>/notice")
def public_notice(campaign_id: int, objection_form: ObjectionForm | None = None):
    """The public notice (公示): the ranking, the titles, every void of votes with its reason,
    the chair's decisions on ties, and (while under notice) a form for objections."""
    campaign = db.get_or_404(SelectionCampaign, campaign_id)
    result_set = db.session.get(ResultSet, campaign.id)
    if result_set is None or result_set.state not in ("notice", "final"):
        return render_template(
            "selection/notice.html",
            campaign=campaign,
            result_set=None,
            rows=[],
            voids=[],
            ties={},
            objection_form=None,
        )
    rows = db.session.execute(
        select(Result, Nominee)
        .join(Nominee, Nominee.id == Result.subject_id)
        .where(Result.assessment_id == campaign.id)
        .order_by(Result.rank)
    ).all()
    voids = list(db.session.scalars(select(VoteVoid).filter_by(campaign_id=campaign.id)))
    ties = {
        d.nominee_id: d
        for d in db.session.scalars(select(TieDecision).filter_by(campaign_id=campaign.id))
    }
    open_for_objections = publication.taking_objections(result_set, local_now())
    if open_for_objections and objection_form is None:
        objection_form = ObjectionForm(formdata=None)
    if objection_form is not None:
        objection_form.subject_id.label.text = _("Nominee")
        objection_form.subject_id.choices = [(r.subject_id, n.person.name) for r, n in rows]
    return render_template(
        "selection/notice.html",
        campaign=campaign,
        result_set=result_set,
        rows=rows,
        voids=voids,
        ties=ties,
        objection_form=objection_form if open_for_objections else None,
    )


@bp.post("/selection/<int:campaign_id>/notice/objection")
@limiter.shared_limit(publication.objection_limit, publication.OBJECTION_LIMIT_SCOPE)
def objection(campaign_id: int):
    """A public objection to a nominee under public notice: an appeal the arbitrator decides
    (publication's machinery, as a contest result's). Rate-limited per address."""
    campaign = db.get_or_404(SelectionCampaign, campaign_id)
    back = url_for("selection.public_notice", campaign_id=campaign_id)
    if not publication.taking_objections(db.session.get(ResultSet, campaign.id), local_now()):
        flash(say(services.Reason.of(services.NOT_UNDER_NOTICE)), "error")
        return redirect(back, 303)
    form = ObjectionForm()
    form.subject_id.choices = [
        (r.subject_id, str(r.subject_id))
        for r in db.session.scalars(select(Result).filter_by(assessment_id=campaign.id))
    ]
    if form.validate_on_submit() and _done(
        lambda: services.file_objection(
            campaign,
            form.subject_id.data,
            form.real_name.data,
            form.contact.data,
            form.reason.data,
            local_now(),
        ),
        _("Your objection is filed; the arbitrator decides it."),
        form,
    ):
        return redirect(back + "#objection", 303)
    return public_notice(campaign_id, objection_form=form)


@person_sections.register
def _titles_section(person) -> tuple[str, dict] | None:
    """The person's page lists their 工匠 titles by year, with the titles' certificates."""
    titles = services.titles_of_person(person.id)
    if not titles:
        return None
    return "selection/person_titles.html", {"titles": titles, "levels": TITLE_LEVEL_LABELS}

"""An innovation contest's pages: the organiser's setup, the format check (形式审查), opening
the expert online review and the defence session (会评答辩) on judging's pages, the awards on
the workers, 公示 and certificates; the submitter's achievements, attachments and resubmission."""

import io

from flask import (
    Blueprint,
    abort,
    flash,
    redirect,
    render_template,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from competitions.accounts.services.permissions import require_contest_role, roles_in
from competitions.certificates import tasks as certificate_tasks
from competitions.core.audit import download_logged
from competitions.core.confirm import ConfirmForm, confirm_page
from competitions.core.db import db
from competitions.core.extensions import limiter
from competitions.core.i18n import local_now, say
from competitions.core.jobs import create_job
from competitions.core.queue import commit_then_enqueue
from competitions.core.words import Reason
from competitions.innovation import rules, services, tasks
from competitions.innovation.forms import (
    CATEGORY_LABELS,
    LEVEL_LABELS,
    STATE_LABELS,
    AttachmentForm,
    DefenceForm,
    FormatCheckForm,
    InnovationForm,
    SettingsForm,
    SubmissionForm,
)
from competitions.innovation.models import (
    InnovationAttachment,
    InnovationContest,
    InnovationEntry,
    InnovationRound,
    InnovationSubmission,
)
from competitions.innovation.services import InnovationError
from competitions.judging.models import JudgeSubject, PanelMember
from competitions.judging.services import codes
from competitions.judging.services import scheme as judging_scheme
from competitions.publication import rules as publication_rules
from competitions.publication import services as publication
from competitions.publication.forms import ObjectionForm
from competitions.registry.models import Contest
from competitions.registry.services import unit_choices
from competitions.results.models import Result, ResultSet

bp = Blueprint("innovation", __name__)
PUBLICATION_ACTIONS = ("publish", "finalise", "withdraw")


@bp.app_context_processor
def _labels():
    return {
        "innovation_categories": CATEGORY_LABELS,
        "innovation_levels": LEVEL_LABELS,
        "innovation_states": STATE_LABELS,
    }


# --- access ------------------------------------------------------------------------------------


def _organiser(contest_id: int) -> InnovationContest:
    require_contest_role(contest_id, "organiser")
    return services.innovation_of(contest_id) or abort(404)


def _innovation(contest_id: int) -> InnovationContest:
    return services.innovation_of(contest_id) or abort(404)


def _may_edit(submission: InnovationSubmission) -> bool:
    """The submitter named on it, or a liaison (a unit's submitter) of its unit."""
    contest_id = submission.innovation.contest_id
    return submission.submitter_id == current_user.id or submission.unit_id in (
        services.submitter_units(current_user.id, contest_id)
    )


def _submission(contest_id: int, submission_id: int, edit: bool = False) -> InnovationSubmission:
    """The submission, for its submitter or its unit's liaison (and the organiser, to read)."""
    innovation = _innovation(contest_id)
    submission = db.get_or_404(InnovationSubmission, submission_id)
    if submission.innovation_id != innovation.id:
        abort(404)
    if not _may_edit(submission) and (
        edit or "organiser" not in roles_in(current_user, contest_id)
    ):
        abort(403)
    return submission


def _fail(err: InnovationError | publication.ObjectionRefused, form=None) -> None:
    db.session.rollback()
    field = getattr(form, err.field, None) if form is not None and err.field else None
    if field is not None:
        field.errors = [*field.errors, say(err.reason)]
    else:
        flash(say(err.reason), "error")


def _back(contest_id: int):
    return redirect(url_for("innovation.home", contest_id=contest_id), 303)


# --- the organiser -----------------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/innovation", methods=["GET", "POST"])
@login_required
def home(contest_id: int):
    """The innovation contest of the contest: set up here, then its submissions by state, the
    review and the defence; a submitter is sent to their own achievements."""
    contest = db.get_or_404(Contest, contest_id)
    innovation = services.innovation_of(contest_id)
    if "organiser" not in roles_in(current_user, contest_id):
        if innovation and _is_submitter(contest_id, innovation):
            return redirect(url_for("innovation.mine", contest_id=contest_id))
        abort(403)
    if innovation is None:
        form = InnovationForm(name=contest.name)
        if form.validate_on_submit():
            counts = dict.fromkeys(rules.CATEGORIES, form.parsed_counts())
            try:
                services.create_innovation(
                    contest_id,
                    form.name.data,
                    form.review_weight.data,
                    form.defence_weight.data,
                    counts,
                )
            except InnovationError as err:
                _fail(err, form)
            else:
                db.session.commit()
                return _back(contest_id)
        return render_template("innovation/create.html", contest=contest, form=form)
    return render_template(
        "innovation/home.html",
        contest=contest,
        innovation=innovation,
        submissions=services.submissions_of(innovation),
        review=services.round_of(innovation, "review"),
        defence=services.round_of(innovation, "defence"),
        schemes=_schemes(innovation),
        settings_refused=_said(services.settings_refused(innovation)),
        defence_form=DefenceForm(),
        action_form=FlaskForm(),
    )


def _said(reason) -> str | None:
    return say(reason) if reason else None


def _schemes(innovation: InnovationContest) -> dict[str, tuple[list, str | None]]:
    """{stage: (its scheme's items, why it may no longer change or None)} of the rounds
    opened: judging's scheme page changes them until marking starts."""
    out = {}
    for stage in rules.STAGES:
        rnd = services.round_of(innovation, stage)
        if rnd is not None:
            refused = judging_scheme.change_refused(rnd.id)
            out[stage] = (judging_scheme.scheme_items(rnd.id), say(refused) if refused else None)
    return out


@bp.route("/contests/<int:contest_id>/innovation/settings", methods=["GET", "POST"])
@login_required
def settings(contest_id: int):
    """The combined score's weights and the award counts per category (特等/一/二/三等奖),
    changed after set-up until the awards are published (公示)."""
    innovation = _organiser(contest_id)
    refused = services.settings_refused(innovation)
    form = SettingsForm(
        data={
            "review_weight": innovation.review_weight,
            "defence_weight": innovation.defence_weight,
            "categories": [dict(c.counts) for c in innovation.categories],
        }
    )
    if refused is None and form.validate_on_submit():
        if len(form.categories) != len(innovation.categories):
            abort(400)
        counts = {
            c.category: {level: row[level].data for level in rules.LEVELS}
            for c, row in zip(innovation.categories, form.categories, strict=True)
        }
        try:
            again = services.change_settings(
                innovation, form.review_weight.data, form.defence_weight.data, counts
            )
        except InnovationError as err:
            _fail(err, form)
        else:
            db.session.commit()
            flash(_("Award counts and weights saved."), "success")
            if again:
                flash(
                    _("The awards were computed with the old settings: compute them again."),
                    "info",
                )
            return _back(contest_id)
    return render_template(
        "innovation/settings.html",
        innovation=innovation,
        form=form,
        refused=say(refused) if refused else None,
    )


def _is_submitter(contest_id: int, innovation: InnovationContest) -> bool:
    if services.submitter_units(current_user.id, contest_id):
        return True
    return (
        db.session.scalar(
            select(InnovationSubmission.id).filter_by(
                innovation_id=innovation.id, submitter_id=current_user.id
            )
        )
        is not None
    )


@bp.route(
    "/contests/<int:contest_id>/innovation/submissions/<int:submission_id>/check",
    methods=["GET", "POST"],
)
@login_required
def check(contest_id: int, submission_id: int):
    """The format check (形式审查) of a submitted achievement: pass, or return with reasons."""
    innovation = _organiser(contest_id)
    submission = db.get_or_404(InnovationSubmission, submission_id)
    if submission.innovation_id != innovation.id:
        abort(404)
    form = FormatCheckForm()
    if form.validate_on_submit():
        try:
            services.check_format(submission, form.decision.data == "pass", form.reasons.data)
        except InnovationError as err:
            _fail(err, form)
        else:
            db.session.commit()
            flash(_("Done."), "success")
            return _back(contest_id)
    return render_template(
        "innovation/check.html", innovation=innovation, submission=submission, form=form
    )


@bp.route("/contests/<int:contest_id>/innovation/review", methods=["POST"])
@login_required
def open_review(contest_id: int):
    """Open the expert online review: the passed submissions become subjects of an assessment
    marked on judging's pages (panels with recusal, codes, the grid, the lock)."""
    innovation = _organiser(contest_id)
    if FlaskForm().validate_on_submit():
        try:
            review = services.open_review(innovation)
        except InnovationError as err:
            _fail(err)
        else:
            db.session.commit()
            return redirect(url_for("judging.panel", ct_id=review.id), 303)
    return _back(contest_id)


@bp.route("/contests/<int:contest_id>/innovation/defence", methods=["POST"])
@login_required
def open_defence(contest_id: int):
    """Open the defence session (会评答辩) for the best of each category in the review."""
    innovation = _organiser(contest_id)
    form = DefenceForm()
    if form.validate_on_submit():
        try:
            defence = services.open_defence(innovation, form.per_category.data)
        except InnovationError as err:
            _fail(err)
        else:
            db.session.commit()
            return redirect(url_for("judging.panel", ct_id=defence.id), 303)
    return _back(contest_id)


@bp.route("/contests/<int:contest_id>/innovation/awards", methods=["POST"])
@login_required
def awards(contest_id: int):
    """Combine the scores and give the awards by fixed counts, on the workers."""
    innovation = _organiser(contest_id)
    if FlaskForm().validate_on_submit():
        job = create_job(tasks.KIND, current_user.id, contest_id)
        commit_then_enqueue(job.id, tasks.compute_awards.delay, job.id, innovation.id)
        flash(_("Computing the awards on the workers."), "info")
        return redirect(url_for("innovation.results", contest_id=contest_id), 303)
    return _back(contest_id)


@bp.route("/contests/<int:contest_id>/innovation/results")
@login_required
def results(contest_id: int):
    """The combined scores and awards by category, and their publication (公示)."""
    innovation = _organiser(contest_id)
    review = services.round_of(innovation, "review")
    rows, result_set = [], None
    if review is not None:
        result_set = db.session.get(ResultSet, review.id)
        rows = db.session.execute(
            select(Result, InnovationSubmission)
            .join(InnovationEntry, InnovationEntry.id == Result.subject_id)
            .join(InnovationSubmission, InnovationSubmission.id == InnovationEntry.submission_id)
            .where(Result.assessment_id == review.id)
            .order_by(InnovationSubmission.category, Result.rank, InnovationSubmission.id)
        ).all()
    return render_template(
        "innovation/results.html",
        innovation=innovation,
        review=review,
        result_set=result_set,
        rows=rows,
        review_scores=services.scores_of(review.id) if review else {},
        defence_scores=_defence_scores(innovation),
        action_form=FlaskForm(),
    )


def _notice(contest_id: int):
    """The contest, its awards' result set under notice or final (else 404) and the awarded
    (result, submission) rows in order."""
    innovation = _innovation(contest_id)
    review = services.round_of(innovation, "review")
    result_set = db.session.get(ResultSet, review.id) if review else None
    if result_set is None or result_set.state not in ("notice", "final"):
        abort(404)
    rows = db.session.execute(
        select(Result, InnovationSubmission)
        .join(InnovationEntry, InnovationEntry.id == Result.subject_id)
        .join(InnovationSubmission, InnovationSubmission.id == InnovationEntry.submission_id)
        .where(Result.assessment_id == review.id, Result.award.is_not(None))
        .order_by(Result.rank, InnovationSubmission.id)
    ).all()
    return innovation, result_set, rows


@bp.route("/contests/<int:contest_id>/innovation/notice")
def notice(contest_id: int, objection_form: ObjectionForm | None = None):
    """The awards for everyone once under public notice (公示) or final: each category's
    awarded achievements with their unit and members (names only, never an ID number), the
    combined score and the award, and while the notice runs a form for objections; before
    that it does not exist for the public."""
    innovation, result_set, rows = _notice(contest_id)
    by_category = {c.category: [] for c in innovation.categories}
    for result, submission in rows:
        by_category[submission.category].append((result, submission))
    taking = publication.taking_objections(result_set, local_now())
    if taking:
        objection_form = objection_form or ObjectionForm(formdata=None)
        objection_form.subject_id.label.text = _("Achievement")
        objection_form.subject_id.choices = [(r.subject_id, f"《{s.title}》") for r, s in rows]
    return render_template(
        "innovation/notice.html",
        innovation=innovation,
        result_set=result_set,
        by_category=by_category,
        objection_form=objection_form if taking else None,
    )


@bp.post("/contests/<int:contest_id>/innovation/notice/objection")
@limiter.shared_limit(publication.objection_limit, publication.OBJECTION_LIMIT_SCOPE)
def objection(contest_id: int):
    """A public objection to an awarded achievement while the awards are under public notice:
    publication's objection, an appeal the arbitrator decides (the awards cannot become final
    while it is pending). Rate-limited per address."""
    result_set, rows = _notice(contest_id)[1:]
    back = url_for("innovation.notice", contest_id=contest_id)
    now = local_now()
    if not publication.taking_objections(result_set, now):
        flash(say(Reason.of(publication_rules.OBJECTION_CLOSED)), "error")
        return redirect(back, 303)
    form = ObjectionForm()
    listed = {r.subject_id for r, _s in rows}
    form.subject_id.choices = [(i, str(i)) for i in listed]
    if form.validate_on_submit():
        objection_ = publication_rules.Objection(
            form.subject_id.data, form.real_name.data, form.contact.data, form.reason.data
        )
        try:
            publication.file_objection(result_set, objection_, listed, now)
        except publication.ObjectionRefused as refused:
            _fail(refused, form)
        else:
            db.session.commit()
            flash(_("Your objection is filed; the arbitrator decides it."), "success")
            return redirect(back + "#objection", 303)
    return notice(contest_id, objection_form=form)


def _defence_scores(innovation) -> dict:
    defence = services.round_of(innovation, "defence")
    return services.scores_of(defence.id) if defence else {}


@bp.route("/contests/<int:contest_id>/innovation/publication/<action>", methods=["GET", "POST"])
@login_required
def publication_step(contest_id: int, action: str):
    """Put the awards under public notice (公示), make them final, or withdraw them:
    publication's own services, after a confirmation page."""
    innovation = _organiser(contest_id)
    if action not in PUBLICATION_ACTIONS:
        abort(404)
    review = services.round_of(innovation, "review")
    result_set = db.session.get(ResultSet, review.id) if review else None
    back = url_for("innovation.results", contest_id=contest_id)
    now = local_now()
    problem = None
    if result_set is None:
        problem = _("Compute the awards first.")
    elif action == "finalise":
        reason = publication.finalise_check(result_set, now)
        problem = say(reason) if reason else None
    form = ConfirmForm()
    if problem is None and form.validate_on_submit():
        step = {
            "publish": lambda: publication.publish(review, result_set, now),
            "finalise": lambda: publication.finalise(result_set, now),
            "withdraw": lambda: publication.withdraw(result_set),
        }[action]
        reason = step()
        if reason:
            db.session.rollback()
            flash(say(reason), "error")
        else:
            db.session.commit()
            flash(_("Done."), "success")
        return redirect(back, 303)
    titles = {
        "publish": _("Put the awards under public notice"),
        "finalise": _("Make the awards final"),
        "withdraw": _("Withdraw the awards from public notice"),
    }
    consequences = {
        "publish": _("Everyone sees the awards; objections may be raised until the notice ends."),
        "finalise": _("The awards become final; certificates may then be issued."),
        "withdraw": _("The awards go back to draft."),
    }
    return confirm_page(
        form,
        title=titles[action],
        consequences=[consequences[action]],
        problem=problem,
        button=titles[action],
        button_id=f"confirm-{action}",
        back=back,
    )


@bp.route("/contests/<int:contest_id>/innovation/certificates", methods=["GET", "POST"])
@login_required
def issue_certificates(contest_id: int):
    """Issue the award certificates, one for every member of an awarded team, through
    certificates (on the workers)."""
    innovation = _organiser(contest_id)
    review = services.round_of(innovation, "review")
    state = services.result_state(review.id) if review else None
    problem = None if state == "final" else _("The awards are not final yet.")
    form = ConfirmForm()
    if problem is None and form.validate_on_submit():
        job = certificate_tasks.issue_on_workers(innovation.contest, [review.id], current_user.id)
        flash(_("Issuing %(n)s certificates on the workers.", n=job.total), "info")
        return redirect(url_for("certificates.overview", contest_id=contest_id), 303)
    return confirm_page(
        form,
        title=_("Issue the award certificates"),
        consequences=[
            _("Every member of an awarded team gets a certificate with a number anyone can verify.")
        ],
        problem=problem,
        button=_("Issue the award certificates"),
        button_id="confirm-issue",
        back=url_for("innovation.results", contest_id=contest_id),
    )


# --- the submitter -----------------------------------------------------------------------------


@bp.route("/contests/<int:contest_id>/innovation/mine")
@login_required
def mine(contest_id: int):
    """The achievements the account submits (named on them, or its unit's as its liaison)."""
    innovation = _innovation(contest_id)
    units = services.submitter_units(current_user.id, contest_id)
    is_organiser = "organiser" in roles_in(current_user, contest_id)
    if not (units or is_organiser or _is_submitter(contest_id, innovation)):
        abort(403)
    submissions = db.session.scalars(
        select(InnovationSubmission)
        .where(
            InnovationSubmission.innovation_id == innovation.id,
            (InnovationSubmission.submitter_id == current_user.id)
            | InnovationSubmission.unit_id.in_(units),
        )
        .order_by(InnovationSubmission.id)
    ).all()
    return render_template(
        "innovation/mine.html",
        innovation=innovation,
        submissions=submissions,
        may_add=bool(units or is_organiser),
    )


def _units_for_new(contest_id: int) -> list[tuple]:
    if "organiser" in roles_in(current_user, contest_id):
        return unit_choices()
    units = services.submitter_units(current_user.id, contest_id)
    return [(i, n) for i, n in unit_choices() if i in units]


@bp.route("/contests/<int:contest_id>/innovation/new", methods=["GET", "POST"])
@login_required
def new(contest_id: int):
    """A new achievement of a person or a team, by a unit's liaison (or the organiser)."""
    innovation = _innovation(contest_id)
    choices = _units_for_new(contest_id)
    if not choices:
        abort(403)
    form = SubmissionForm()
    form.unit_id.choices = [(i, n.strip()) for i, n in choices]
    if form.validate_on_submit():
        try:
            submission = services.save_submission(
                innovation,
                None,
                current_user.id,
                _values(form),
                services.parse_members(form.members.data),
            )
        except InnovationError as err:
            _fail(err, form)
        else:
            db.session.commit()
            return redirect(
                url_for(
                    "innovation.submission", contest_id=contest_id, submission_id=submission.id
                ),
                303,
            )
    return render_template(
        "innovation/edit.html", innovation=innovation, form=form, submission=None
    )


def _values(form: SubmissionForm) -> dict:
    return {
        "category": form.category.data,
        "title": form.title.data,
        "abstract": form.abstract.data,
        "unit_id": form.unit_id.data,
        "benefit_yuan": form.benefit_yuan.data,
    }


@bp.route(
    "/contests/<int:contest_id>/innovation/submissions/<int:submission_id>",
    methods=["GET", "POST"],
)
@login_required
def submission(contest_id: int, submission_id: int):
    """An achievement: its facts, members, attachments and the format check's reasons; its
    submitter changes it while a draft or returned, and sends it (again) to the check."""
    submission = _submission(contest_id, submission_id)
    editable = _may_edit(submission) and submission.state in rules.EDITABLE
    form = SubmissionForm(obj=submission)
    form.unit_id.choices = [(i, n.strip()) for i, n in unit_choices()]
    if not form.is_submitted():
        form.members.data = services.members_shown(submission)
    if form.validate_on_submit():
        if not editable:
            abort(403)
        try:
            services.save_submission(
                submission.innovation,
                submission,
                submission.submitter_id or current_user.id,
                _values(form),
                services.unmask_members(submission, services.parse_members(form.members.data)),
            )
        except InnovationError as err:
            _fail(err, form)
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(
                url_for(
                    "innovation.submission", contest_id=contest_id, submission_id=submission_id
                ),
                303,
            )
    return render_template(
        "innovation/edit.html",
        innovation=submission.innovation,
        form=form,
        submission=submission,
        editable=editable,
        attachment_form=AttachmentForm(),
        send_form=FlaskForm(),
    )


@bp.route(
    "/contests/<int:contest_id>/innovation/submissions/<int:submission_id>/attachments",
    methods=["POST"],
)
@login_required
def attach(contest_id: int, submission_id: int):
    """Attach a file (checked by its content and size)."""
    submission = _submission(contest_id, submission_id, edit=True)
    form = AttachmentForm()
    if form.validate_on_submit():
        upload = form.file.data
        try:
            services.add_attachment(submission, upload.filename or "", upload.read())
        except InnovationError as err:
            _fail(err)
        else:
            db.session.commit()
    else:
        flash(_("Choose a file."), "error")
    return redirect(
        url_for("innovation.submission", contest_id=contest_id, submission_id=submission_id), 303
    )


@bp.route("/contests/<int:contest_id>/innovation/attachments/<int:attachment_id>")
@login_required
@download_logged("innovation_attachment")
def attachment(contest_id: int, attachment_id: int):
    """An attachment, for the submitter, the unit's liaison and the organiser."""
    found = db.get_or_404(InnovationAttachment, attachment_id)
    _submission(contest_id, found.submission_id)
    return send_file(
        io.BytesIO(found.data),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=found.filename,
    )


@bp.route(
    "/contests/<int:contest_id>/innovation/submissions/<int:submission_id>/send",
    methods=["POST"],
)
@login_required
def send(contest_id: int, submission_id: int):
    """Send the achievement to the format check (again, once fixed)."""
    submission = _submission(contest_id, submission_id, edit=True)
    if FlaskForm().validate_on_submit():
        try:
            services.submit(submission)
        except InnovationError as err:
            _fail(err)
        else:
            db.session.commit()
            flash(_("Submitted for the format check."), "success")
    return redirect(
        url_for("innovation.submission", contest_id=contest_id, submission_id=submission_id), 303
    )


# --- the experts' reading ----------------------------------------------------------------------


def _round_reader(contest_id: int, round_id: int):
    """The round, for the experts seated on its panel (and the organiser): the achievements
    they may read, by their codes. None for the organiser (every achievement)."""
    innovation = _innovation(contest_id)
    rnd = db.get_or_404(InnovationRound, round_id)
    if rnd.innovation_id != innovation.id:
        abort(404)
    member = db.session.scalar(
        select(PanelMember).filter_by(assessment_id=rnd.id, user_id=current_user.id)
    )
    if member is None and "organiser" not in roles_in(current_user, contest_id):
        abort(403)
    return innovation, rnd, member


def _readable(rnd, member) -> list[tuple[str, InnovationSubmission]]:
    """(code, achievement) of what the expert marks (the organiser: all), by code."""
    query = select(InnovationEntry).filter_by(round_id=rnd.id)
    if member is not None:
        query = query.join(JudgeSubject, JudgeSubject.subject_id == InnovationEntry.id).where(
            JudgeSubject.member_id == member.id
        )
    code = codes.codes_by_entry(rnd.id)
    entries = db.session.scalars(query).all()
    return sorted(
        ((code.get(e.id, "—"), e.submission) for e in entries if e.id in code or member is None),
        key=lambda pair: pair[0],
    )


@bp.route("/contests/<int:contest_id>/innovation/rounds/<int:round_id>/reading")
@login_required
def reading(contest_id: int, round_id: int):
    """What the experts read before marking: each achievement by its code (加密号), with its
    category, title, abstract, claimed benefit and attachments; never its unit or members."""
    innovation, rnd, member = _round_reader(contest_id, round_id)
    return render_template(
        "innovation/reading.html",
        innovation=innovation,
        rnd=rnd,
        achievements=_readable(rnd, member),
    )


@bp.route("/contests/<int:contest_id>/innovation/rounds/<int:round_id>/files/<int:attachment_id>")
@login_required
@download_logged("innovation_attachment")
def reading_file(contest_id: int, round_id: int, attachment_id: int):
    """An attachment of an achievement the expert marks."""
    _comp, rnd, member = _round_reader(contest_id, round_id)
    found = db.get_or_404(InnovationAttachment, attachment_id)
    if found.submission_id not in {s.id for _, s in _readable(rnd, member)}:
        abort(404)
    return send_file(
        io.BytesIO(found.data),
        mimetype=found.content_type,
        as_attachment=True,
        download_name=f"{rnd.id}-{found.id}.{found.content_type.rsplit('/', 1)[-1]}",
    )

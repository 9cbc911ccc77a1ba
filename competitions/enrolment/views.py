"""The enrolment blueprint: a liaison's or team leader's registration, the organiser's review."""

import io

from flask import Blueprint, abort, flash, redirect, render_template, request, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from competitions.accounts.models import User
from competitions.accounts.services.permissions import require_contest_role
from competitions.core.confirm import ConfirmForm, confirm_page
from competitions.core.db import db, db_int
from competitions.core.i18n import local_moment, local_now, say, utc_moment
from competitions.core.labels import ROLE_LABELS, STATUS_LABELS
from competitions.enrolment import rules, services
from competitions.enrolment.forms import (
    ATTACHMENT_LABELS,
    ApproveForm,
    AttachmentForm,
    DetailsForm,
    EnrolForm,
    ReturnForm,
)
from competitions.enrolment.services import EnrolmentError
from competitions.registry import services as registry
from competitions.registry.models import Contest, ContestTrade, Entry

bp = Blueprint("enrolment", __name__)
bp.add_app_template_filter(local_moment, "local_moment")
bp.add_app_template_filter(utc_moment, "utc_moment")
PERSON_FIELDS = ("unit_id", "skill_level", "phone")


def _window_label(state: str) -> str:
    return {
        "unset": _("Registration window not set"),
        "before": _("Registration not open yet"),
        "open": _("Registration open"),
        "closed": _("Registration closed"),
    }[state]


def _scope_or_403(role_id: int) -> services.Scope:
    scope = services.scope_of_role(current_user, role_id)
    if scope is None:
        abort(403)
    return scope


def _readable_entry(entry_id: int) -> Entry:
    """The entry, if the current user organises its contest or holds it in their scope."""
    entry = db.get_or_404(Entry, entry_id)
    if not services.may_read_entry(current_user, entry):
        abort(403)
    return entry


def _own_entry(entry_id: int) -> tuple[Entry, services.Scope]:
    """The entry and the current user's scope that holds it (403 for anyone else)."""
    entry = db.get_or_404(Entry, entry_id)
    scope = services.scope_for_entry(current_user, entry)
    if scope is None:
        abort(403)
    return entry, scope


@bp.route("/registration")
@login_required
def mine():
    """My contests as a liaison or team leader: per trade my entries, the quota and the window."""
    now = local_now()
    sections = []
    for scope in services.scopes_of(current_user):
        contest = db.session.get(Contest, scope.contest_id)
        sections.append(
            {
                "scope": scope,
                "contest": contest,
                "window": services.window_of(contest, now),
                "lines": services.trade_lines(scope, contest),
                "to_submit": len(services.to_submit(scope)),
            }
        )
    return render_template(
        "enrolment/mine.html",
        sections=sections,
        statuses=STATUS_LABELS,
        roles=ROLE_LABELS,
        window_label=_window_label,
    )


def _unit_choices(scope: services.Scope) -> list[tuple]:
    """The units a person of the scope may belong to: a liaison's unit and its sub-units."""
    choices = registry.unit_choices()
    if scope.role != "liaison":
        return [("", "—"), *choices]
    own = services.units_under(scope.unit_id)
    return [(uid, label.strip("\u3000")) for uid, label in choices if uid in own]


@bp.route("/registration/<int:role_id>/trades/<int:ct_id>/new", methods=["GET", "POST"])
@login_required
def entry_new(role_id: int, ct_id: int):
    """Register one of my people in a trade, as a draft, with their proof."""
    scope = _scope_or_403(role_id)
    ct = db.get_or_404(ContestTrade, ct_id)
    if ct.contest_id != scope.contest_id:
        abort(404)
    form = EnrolForm()
    form.unit_id.choices = _unit_choices(scope)
    now = local_now()
    problem = None
    if form.validate_on_submit():
        try:
            entry = services.enrol(
                scope,
                ct,
                form.person_facts(),
                {f: getattr(form, f).data for f in PERSON_FIELDS},
                form.uploads,
                current_user.id,
                now,
            )
        except EnrolmentError as err:
            db.session.rollback()
            if err.field and hasattr(form, err.field):
                getattr(form, err.field).errors.append(say(err.reason))
            else:
                problem = say(err.reason)
        else:
            db.session.commit()
            flash(
                _("%(name)s is registered (not yet submitted).", name=entry.person.name), "success"
            )
            return redirect(url_for("enrolment.mine", _anchor=f"scope-{scope.role_id}"))
    unit_quota, team_quota = services.quotas(scope, ct)
    refusals = rules.registration_problems(
        services.window_of(ct.contest, now), unit_quota, team_quota
    )
    return render_template(
        "enrolment/new.html",
        form=form,
        scope=scope,
        ct=ct,
        problem=problem or (say(refusals[0]) if refusals else None),
        roles=ROLE_LABELS,
    )


def _entry_page(entry: Entry, status: int = 200, **forms):
    """An entry's page: the person, the proof, the review note, the forms the viewer may use,
    and the history."""
    now = local_now()
    scope = services.scope_for_entry(current_user, entry)
    editable = scope is not None and services.editable_problem(entry, now) is None
    contest_id = entry.contest_trade.contest_id
    organiser = "organiser" in services.roles_in(current_user, contest_id)
    if editable:
        forms.setdefault("details", DetailsForm(obj=entry.person))
        forms.setdefault("upload", AttachmentForm(formdata=None))
    if organiser:
        forms.setdefault("approve", ApproveForm(formdata=None))
    history = services.history_of(entry)
    page = render_template(
        "enrolment/entry.html",
        entry=entry,
        scope=scope,
        editable=editable,
        organiser=organiser,
        attachments=services.attachments_of(entry.id),
        attachment_labels=ATTACHMENT_LABELS,
        missing=services.proof_missing([entry]),
        history=history,
        statuses=STATUS_LABELS,
        users=_user_names(history),
        **forms,
    )
    return page, status


def _user_names(history) -> dict[int, str]:
    """{user id: display name} of who made the logged changes."""
    ids = {log.user_id for log, _lines in history if log.user_id}
    return {u.id: u.display_name for u in db.session.query(User).filter(User.id.in_(ids))}


@bp.route("/registration/entries/<int:entry_id>", methods=["GET", "POST"])
@login_required
def entry(entry_id: int):
    """An entry's page; its liaison or team leader changes the person's phone and skill level
    while the entry is not yet submitted (or was returned)."""
    entry = _readable_entry(entry_id)
    if request.method == "GET":
        return _entry_page(entry)
    entry, _scope = _own_entry(entry_id)
    if problem := services.editable_problem(entry, local_now()):
        flash(say(problem), "error")
        return _entry_page(entry, 409)
    form = DetailsForm()
    if not form.validate_on_submit():
        return _entry_page(entry, 400, details=form)
    entry.person.skill_level = form.skill_level.data
    entry.person.phone = form.phone.data or ""
    db.session.commit()
    flash(_("Saved."), "success")
    return redirect(url_for("enrolment.entry", entry_id=entry.id))


@bp.route("/registration/entries/<int:entry_id>/attachments", methods=["POST"])
@login_required
def upload(entry_id: int):
    """Attach (or replace) a photo or proof of employment to an entry not yet submitted."""
    entry, _scope = _own_entry(entry_id)
    if problem := services.editable_problem(entry, local_now()):
        flash(say(problem), "error")
        return _entry_page(entry, 409)
    form = AttachmentForm()
    if not form.validate_on_submit():
        return _entry_page(entry, 400, upload=form)
    try:
        services.attach(entry, form.kind.data, form.upload, current_user.id)
    except EnrolmentError as err:  # the form checked the same rule: only a race gets here
        db.session.rollback()
        form.file.errors.append(say(err.reason))
        return _entry_page(entry, 400, upload=form)
    db.session.commit()
    flash(_("File attached."), "success")
    return redirect(url_for("enrolment.entry", entry_id=entry.id))


@bp.route("/registration/entries/<int:entry_id>/attachments/<kind>")
@login_required
def attachment(entry_id: int, kind: str):
    """View an entry's proof (its organisers, and its liaison or team leader)."""
    entry = _readable_entry(entry_id)
    row = services.attachment_file(entry.id, kind) if kind in rules.ATTACHMENT_TYPES else None
    if row is None:
        abort(404)
    response = send_file(
        io.BytesIO(row.data), mimetype=row.content_type, download_name=row.filename
    )
    response.headers["Cache-Control"] = "no-store"
    return response


@bp.route("/registration/entries/<int:entry_id>/delete", methods=["GET", "POST"])
@login_required
def entry_delete(entry_id: int):
    """Remove an entry not yet submitted (or returned): a wrong person or ID number."""
    entry, _scope = _own_entry(entry_id)
    problem = services.editable_problem(entry, local_now())
    form = ConfirmForm()
    if problem is None and form.validate_on_submit():
        services.remove_draft(entry, local_now())
        db.session.commit()
        flash(_("Entry removed."), "success")
        return redirect(url_for("enrolment.mine"))
    page = confirm_page(
        form,
        title=_("Remove the entry of %(name)s", name=entry.person.name),
        consequences=[_("The entry and its proof are removed; the person's record stays.")],
        problem=say(problem) if problem else None,
        button=_("Remove"),
        button_id="remove",
        back=url_for("enrolment.entry", entry_id=entry.id),
    )
    return page, 409 if problem else 200


@bp.route("/registration/<int:role_id>/submit", methods=["GET", "POST"])
@login_required
def submit(role_id: int):
    """Submit my list for review: my drafts and returned entries, after a confirmation."""
    scope = _scope_or_403(role_id)
    contest = db.session.get(Contest, scope.contest_id)
    entries = services.to_submit(scope)
    form = ConfirmForm()
    problem = None
    if form.validate_on_submit():
        try:
            done = services.submit_list(scope, contest, local_now())
        except EnrolmentError as err:
            db.session.rollback()
            problem = say(err.reason)
        else:
            db.session.commit()
            flash(
                ngettext(
                    "%(num)s entry submitted for review.",
                    "%(num)s entries submitted for review.",
                    len(done),
                ),
                "success",
            )
            return redirect(url_for("enrolment.mine", _anchor=f"scope-{scope.role_id}"))
    if problem is None:
        problem = _submit_problem(scope, contest, entries)
    lines = [f"{e.contest_trade.title} · {e.person.name}" for e in entries]
    page = confirm_page(
        form,
        title=_("Submit the list of %(name)s", name=scope.name),
        consequences=[
            _(
                "These entries go to the organiser for review; you cannot change them unless "
                "the organiser returns one."
            ),
            *lines,
        ],
        problem=problem,
        button=_("Submit the list"),
        button_id="submit-list",
        back=url_for("enrolment.mine"),
    )
    return page, 409 if problem else 200


def _submit_problem(scope, contest, entries) -> str | None:
    """Why the list cannot be submitted now, shown before the confirmation (None: it can)."""
    if problem := rules.window_problem(services.window_of(contest, local_now())):
        return say(problem)
    if not entries:
        return _("There is nothing to submit.")
    missing = services.proof_missing(entries)
    if missing:
        return _(
            "Proof is missing for: %(names)s", names="、".join(e.person.name for e, _k in missing)
        )
    return None


@bp.route("/contests/<int:contest_id>/registration-review")
@login_required
def review(contest_id: int):
    """The organiser's review of the registrations: filter by trade, unit and status; approve
    one by one or ticked together, or return with a reason."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    ct_id = request.args.get("ct", type=_int_or_none)
    unit_id = request.args.get("unit", type=_int_or_none)
    status = request.args.get("status", "submitted")
    status = status if status in STATUS_LABELS else None
    entries = db.session.scalars(services.review_query(contest_id, ct_id, unit_id, status)).all()
    now = local_now()
    return render_template(
        "enrolment/review.html",
        contest=contest,
        entries=entries,
        attachments={e.id: services.attachments_of(e.id) for e in entries},
        attachment_labels=ATTACHMENT_LABELS,
        statuses=STATUS_LABELS,
        filters={"ct": ct_id, "unit": unit_id, "status": status or "all"},
        units=registry.unit_choices(),
        window=services.window_of(contest, now),
        window_label=_window_label,
        short=services.short_fields(contest),
        late=services.late_entries(contest, now),
        form=ApproveForm(formdata=None),
    )


def _int_or_none(value):
    return db_int(value) if value else None


@bp.route("/contests/<int:contest_id>/registration-review/approve", methods=["POST"])
@login_required
def approve(contest_id: int):
    """Approve the ticked submitted entries (or the one whose button was pressed)."""
    require_contest_role(contest_id, "organiser")
    db.get_or_404(Contest, contest_id)
    form = ApproveForm()
    if not form.validate_on_submit() or not form.entry_ids.data:
        flash(_("Tick the entries to approve."), "error")
        return redirect(url_for("enrolment.review", contest_id=contest_id))
    count = services.approve(contest_id, form.entry_ids.data)
    db.session.commit()
    flash(ngettext("%(num)s entry approved.", "%(num)s entries approved.", count), "success")
    return redirect(
        request.referrer
        if _same_site(request.referrer)
        else url_for("enrolment.review", contest_id=contest_id)
    )


def _same_site(url: str | None) -> bool:
    return bool(url) and url.startswith(request.host_url)


@bp.route("/registration/entries/<int:entry_id>/return", methods=["GET", "POST"])
@login_required
def return_entry(entry_id: int):
    """Return an entry to its liaison or team leader, with the reason they will read."""
    entry = db.get_or_404(Entry, entry_id)
    contest_id = entry.contest_trade.contest_id
    require_contest_role(contest_id, "organiser")
    form = ReturnForm()
    problem = None
    if form.validate_on_submit():
        try:
            services.return_entry(entry, form.reason.data)
        except EnrolmentError as err:
            db.session.rollback()
            problem = say(err.reason)
        else:
            db.session.commit()
            flash(_("Returned: %(name)s.", name=entry.person.name), "success")
            return redirect(url_for("enrolment.review", contest_id=contest_id))
    if problem is None and entry.status not in ("submitted", "approved"):
        problem = _("Only submitted or approved entries can be returned.")
    page = render_template(
        "enrolment/return.html", entry=entry, form=form, problem=problem, statuses=STATUS_LABELS
    )
    return page, 409 if problem else 200

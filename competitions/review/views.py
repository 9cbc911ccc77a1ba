"""The chief judge's pages: disagreements to resolve, the lock and unlock, every mark's history."""

from flask import Blueprint, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import select

from competitions.accounts.models import User
from competitions.core.db import db, db_int
from competitions.core.i18n import say
from competitions.judging import signals
from competitions.judging.models import (
    LockEvent,
    MarkChange,
    PanelMember,
    SchemeItem,
    SchemePart,
    SubjectCode,
)
from competitions.judging.rules import lock_problems
from competitions.judging.services import review
from competitions.judging.services.access import assessment_or_404, require_panel
from competitions.judging.services.marks import MarkingError, is_locked
from competitions.publication.models import Appeal
from competitions.results.services import chart_data
from competitions.review.forms import (
    CorrectForm,
    LockForm,
    ResolveForm,
    ResolveManyForm,
    UnlockForm,
    flag_value,
)

bp = Blueprint("review", __name__)


def _apply(change, done) -> None:
    """Make the chief judge's change and commit it with ``done(result)`` as the message; or
    roll it back and say why the rules refused it."""
    try:
        result = change()
    except MarkingError as err:
        db.session.rollback()
        flash(say(err.reason), "error")
    else:
        db.session.commit()
        flash(done(result), "success")


def _judge_names(ids) -> dict[int, str]:
    rows = db.session.execute(select(User.id, User.display_name).where(User.id.in_(set(ids))))
    return dict(rows.all())


@bp.route("/contest-trades/<int:ct_id>/review")
@login_required
def review_page(ct_id: int, lock_form: LockForm | None = None):
    """Flags with their scores per judge, what blocks the lock, and the lock history."""
    ct = assessment_or_404(ct_id)
    require_panel(ct, "chief_judge")
    flag_list = review.flags(ct_id)
    judges = {j for f in flag_list for j in f.scores}
    events = db.session.scalars(
        select(LockEvent).filter_by(assessment_id=ct_id).order_by(LockEvent.at.desc())
    ).all()
    return render_template(
        "judging/review.html",
        ct=ct,
        flags=flag_list,
        names=_judge_names(judges | {e.user_id for e in events}),
        problems=[say(p) for p in lock_problems(review.lock_state(ct_id))],
        locked=is_locked(ct_id),
        events=events,
        resolve_form=ResolveForm(),
        many_form=_many_form(flag_list),
        lock_form=lock_form or LockForm(formdata=None),
        unlock_form=UnlockForm(),
        correct_form=_correct_form(ct_id),
        upheld=_upheld_appeals(ct_id),
        judge_chart=chart_data.judge_deviations_for(ct_id),
    )


@bp.post("/contest-trades/<int:ct_id>/review/resolve")
@login_required
def resolve_flag(ct_id: int):
    """Record a decision on one flag."""
    ct = assessment_or_404(ct_id)
    member = require_panel(ct, "chief_judge")
    form = ResolveForm()
    if not form.validate_on_submit():
        flash(_("Write a comment with the decision."), "error")
    elif is_locked(ct_id):
        flash(_("The marks are locked."), "error")
    else:
        _apply(
            lambda: review.resolve(
                ct_id,
                form.entry_id.data,
                form.item_id.data,
                form.action.data,
                form.comment.data,
                member.user_id,
            ),
            lambda result: _("Decision recorded."),
        )
    return redirect(url_for("review.review_page", ct_id=ct_id))


def _many_form(flag_list) -> ResolveManyForm:
    """The bulk decision form; its choices are the flags (the page offers the unconfirmed)."""
    form = ResolveManyForm()
    form.flags.choices = [
        (flag_value(f.entry_id, f.item.id), f"{f.code} {f.item.code}") for f in flag_list
    ]
    return form


@bp.post("/contest-trades/<int:ct_id>/review/resolve-many")
@login_required
def resolve_flags(ct_id: int):
    """Record one decision, with one comment, on several flags at once (all or none)."""
    ct = assessment_or_404(ct_id)
    member = require_panel(ct, "chief_judge")
    form = _many_form(review.flags(ct_id))
    if not form.validate_on_submit():
        for errors in (form.flags.errors, form.comment.errors, form.action.errors):
            for error in errors:
                flash(error, "error")
    elif is_locked(ct_id):
        flash(_("The marks are locked."), "error")
    else:
        _apply(
            lambda: review.resolve_many(
                ct_id, form.keys(), form.action.data, form.comment.data, member.user_id
            ),
            lambda n: _("Decision recorded on %(n)s disagreements.", n=n),
        )
    return redirect(url_for("review.review_page", ct_id=ct_id))


@bp.post("/contest-trades/<int:ct_id>/lock")
@login_required
def lock_marks(ct_id: int):
    """Lock the marks when the chief judge signs with their password, or say what blocks it
    (a wrong password: beside the field, nothing locked)."""
    ct = assessment_or_404(ct_id)
    member = require_panel(ct, "chief_judge")
    form = LockForm()
    if not form.validate_on_submit():
        return review_page(ct_id, lock_form=form)
    if not current_user.check_password(form.password.data):
        form.password.errors.append(_("This is not your password: nothing is locked."))
        return review_page(ct_id, lock_form=form)
    problems = review.lock(ct_id, member.user_id)
    if problems:
        db.session.rollback()
        for problem in problems:
            flash(_("Cannot lock: %(why)s", why=say(problem)), "error")
    else:
        db.session.commit()
        flash(_("The marks are locked."), "success")
        signals.marks_locked.send(ct, user_id=current_user.id)
    return redirect(url_for("review.review_page", ct_id=ct_id))


@bp.post("/contest-trades/<int:ct_id>/unlock")
@login_required
def unlock_marks(ct_id: int):
    """Unlock the marks with a written reason."""
    ct = assessment_or_404(ct_id)
    member = require_panel(ct, "chief_judge")
    form = UnlockForm()
    if not form.validate_on_submit():
        flash(_("Write the reason for unlocking (at least 5 characters)."), "error")
    else:
        _apply(
            lambda: review.unlock(ct_id, member.user_id, form.reason.data),
            lambda result: _("The marks are unlocked."),
        )
    return redirect(url_for("review.review_page", ct_id=ct_id))


@bp.route("/contest-trades/<int:ct_id>/review/history")
@login_required
def mark_history(ct_id: int):
    """The audit trail of one item of one entry (by code): every judge's changes."""
    ct = assessment_or_404(ct_id)
    require_panel(ct, "chief_judge")
    code = request.args.get("code", "")
    item = db.session.get(SchemeItem, request.args.get("item", type=db_int) or 0)
    entry_id = db.session.scalar(
        select(SubjectCode.subject_id).filter_by(assessment_id=ct_id, code=code)
    )
    rows = []
    if entry_id is not None and item is not None:
        rows = db.session.scalars(
            select(MarkChange)
            .filter_by(subject_id=entry_id, item_id=item.id)
            .order_by(MarkChange.at)
        ).all()
    names = _judge_names({r.judge_id for r in rows} | {r.changed_by for r in rows})
    return render_template(
        "judging/history.html", ct=ct, code=code, item=item, rows=rows, names=names, show_judge=True
    )


def _upheld_appeals(ct_id: int) -> list[tuple]:
    """Upheld appeals of the contest-trade, by anonymous code, with when they were decided
    (the chief judge acts on them)."""
    return db.session.execute(
        # Neither the contestant's text nor the arbitrator's reasons: free text may name the
        # person, and next to the code it would unmask them to a panel that marks blind.
        select(SubjectCode.code, Appeal.decided_at)
        .join(SubjectCode, SubjectCode.subject_id == Appeal.subject_id)
        .where(Appeal.assessment_id == ct_id, Appeal.state == "upheld")
        .order_by(Appeal.decided_at.desc())
    ).all()


def _correct_form(ct_id: int) -> CorrectForm:
    """The correction form, its items and judges those of the contest-trade."""
    form = CorrectForm(code=request.args.get("correct", ""))
    items = db.session.scalars(
        select(SchemeItem)
        .join(SchemePart)
        .where(SchemePart.assessment_id == ct_id)
        .order_by(SchemePart.kind.desc(), SchemeItem.position)
    )
    form.item_id.choices = [(i.id, f"{i.code} {i.criterion}") for i in items]
    judges = db.session.execute(
        select(User.id, User.display_name)
        .join(PanelMember, PanelMember.user_id == User.id)
        .where(
            PanelMember.assessment_id == ct_id,
            PanelMember.role.in_(("judge", "chief_judge")),  # a chief judge who marks too
        )
        .order_by(User.display_name)
    )
    form.judge_id.choices = [(j.id, j.display_name) for j in judges]
    return form


@bp.post("/contest-trades/<int:ct_id>/review/correct")
@login_required
def correct_mark(ct_id: int):
    """The chief judge corrects one judge's score while the marks are open."""
    ct = assessment_or_404(ct_id)
    member = require_panel(ct, "chief_judge")
    form = _correct_form(ct_id)
    if not form.validate_on_submit():
        flash(_("Give the code, the item, the judge, the score and the reason."), "error")
        return redirect(url_for("review.review_page", ct_id=ct_id))
    _apply(
        lambda: review.correct_mark(
            ct_id,
            form.code.data,
            form.item_id.data,
            form.judge_id.data,
            form.value.data,
            form.reason.data,
            member.user_id,
        ),
        lambda value: _("Score corrected to %(value)s.", value=format(value.normalize(), "f")),
    )
    return redirect(url_for("review.review_page", ct_id=ct_id))

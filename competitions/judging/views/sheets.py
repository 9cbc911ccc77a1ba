"""Clerks' double entry of paper score sheets (录分): list, first entry, blind second, correction.

Clerks know entries only by their anonymous code: no page here shows a name, a unit or an ID.
"""

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required
from sqlalchemy import func, select
from sqlalchemy.orm import aliased

from competitions.accounts.models import User
from competitions.assessment.models import Assessment, Subject, facts_of
from competitions.core.db import db, db_int
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.judging.forms.sheets import StartSheetForm, sheet_values_form
from competitions.judging.models import (
    JudgeItem,
    JudgeSubject,
    PanelMember,
    ScoreSheet,
    SubjectCode,
)
from competitions.judging.services import sheets
from competitions.judging.services.access import (
    assessment_or_404,
    panel_member,
    require_clerk,
    require_organiser,
)
from competitions.judging.views import bp

logger = logging.getLogger(__name__)

PAGE_SIZE = 100
STATE_LABELS = {
    "typed": _l("Waiting for the second entry"),
    "mismatch": _l("Mismatch"),
    "confirmed": _l("Confirmed"),
}
EVENT_LABELS = {
    "first": _l("typed the first entry"),
    "corrected": _l("corrected the first entry"),
    "mismatch": _l("typed the second entry: it differs"),
    "confirmed": _l("typed the second entry: it matches, the sheet is confirmed"),
}


def _clerk_ct(ct_id: int) -> Assessment:
    """The contest-trade, if the current user is one of its contest's clerks (else 403/404)."""
    ct = assessment_or_404(ct_id)
    require_clerk(ct)
    return ct


def _sheet_or_404(ct: Assessment, sheet_id: int) -> ScoreSheet:
    sheet = sheets.get_sheet(ct.id, sheet_id)
    if sheet is None:
        abort(404)
    return sheet


def _to_sheet(ct: Assessment, sheet: ScoreSheet):
    return redirect(url_for("judging.sheet", ct_id=ct.id, sheet_id=sheet.id))


def _start_form(ct: Assessment, formdata=None) -> StartSheetForm:
    form = StartSheetForm(formdata=formdata)
    form.judge.choices = sheets.judge_choices(ct.id)
    return form


@bp.route("/contest-trades/<int:ct_id>/sheets", endpoint="sheets")
@login_required
def sheets_list(ct_id: int):
    """The contest-trade's sheets with their state, and the form to start typing one."""
    ct = _clerk_ct(ct_id)
    return _list_page(ct, _start_form(ct))


def _list_page(ct: Assessment, form: StartSheetForm, status: int = 200):
    state = request.args.get("state")
    state = state if state in STATE_LABELS else None
    page = max(request.args.get("page", 1, type=db_int), 1)
    rows, total = _sheet_rows(ct.id, state, page, PAGE_SIZE)
    return render_template(
        "judging/sheets.html",
        ct=ct,
        form=form,
        rows=rows,
        state=state,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        progress=_progress(ct.id),
        states=STATE_LABELS,
    ), status


@bp.route("/contest-trades/<int:ct_id>/sheets/blank")
@login_required
def blank_sheets(ct_id: int):
    """Blank paper marking sheets to print, per judge (``?judge=``) or for the whole panel: codes
    × items as the clerks type them; for the chief judge and the organisers. Codes only."""
    ct = assessment_or_404(ct_id)
    member = panel_member(ct.id, current_user.id)
    if not (member and member.role == "chief_judge"):
        require_organiser(ct)
    judge = request.args.get("judge", type=db_int)
    return render_template(
        "judging/sheets_blank.html",
        ct=ct,
        sheets=sheets.blank_sheets(ct.id, judge),
        judges=sheets.judge_choices(ct.id),
        judge=judge,
    )


@bp.route("/contest-trades/<int:ct_id>/sheets/new", methods=["GET", "POST"])
@login_required
def sheet_new(ct_id: int):
    """The first entry of a sheet, chosen by entry code and judge in the query string."""
    ct = _clerk_ct(ct_id)
    start_form = _start_form(ct, request.args)
    if not start_form.validate():
        return _list_page(ct, start_form)
    try:
        start = sheets.check_start(ct.id, start_form.code.data, start_form.judge.data)
    except sheets.SheetError as err:
        return _refused_start(ct, start_form, err)
    form = sheet_values_form(list(start.items))
    if form.validate_on_submit():
        try:
            sheet = sheets.start_sheet(ct.id, start, form.values(), current_user.id)
        except sheets.SheetError as err:
            db.session.rollback()
            return _refused_start(ct, start_form, err)
        db.session.commit()
        flash(_("First entry saved. A different clerk must now type the sheet again."), "success")
        return _to_sheet(ct, sheet)
    return _form_page(
        ct,
        form,
        _l("First entry"),
        start.code,
        start.judge_id,
        url_for("judging.sheet_new", ct_id=ct.id, code=start.code, judge=start.judge_id),
    )


def _refused_start(ct: Assessment, form: StartSheetForm, err: sheets.SheetError):
    """The list page again, with the reason beside the field it concerns (or as a message)."""
    if err.field:
        getattr(form, err.field).errors.append(say(err.reason))
    else:
        flash(say(err.reason), "error")
    return _list_page(ct, form, err.status)


@bp.route("/contest-trades/<int:ct_id>/sheets/<int:sheet_id>/second", methods=["GET", "POST"])
@login_required
def sheet_second(ct_id: int, sheet_id: int):
    """The blind second entry, by a clerk other than the first typist; it never shows the first."""
    ct = _clerk_ct(ct_id)
    sheet = _sheet_or_404(ct, sheet_id)
    if sheet.first_clerk_id == current_user.id:
        logger.info(
            "sheet %s: its first typist %s opened the second entry", sheet.id, sheet.first_clerk_id
        )
        flash(say(sheets.SAME_CLERK), "error")
        return _sheet_page(ct, sheet, 403)
    if sheet.state == "confirmed":
        flash(say(sheets.CONFIRMED), "info")
        return _to_sheet(ct, sheet)
    form = sheet_values_form(sheets.judge_items(ct.id, sheet.judge_id), version=sheet.version)
    if form.validate_on_submit():
        try:
            sheet = sheets.type_second(
                ct.id, sheet.id, form.seen_version(), form.values(), current_user.id
            )
        except sheets.SheetError as err:
            return _refused(ct, sheet_id, err)
        db.session.commit()
        if sheet.state == "confirmed":
            flash(
                _("The two entries match: the sheet is confirmed and its scores count."), "success"
            )
        else:
            flash(_("The two entries differ. Nothing counts until they match."), "error")
        return _to_sheet(ct, sheet)
    return _form_page(
        ct, form, _l("Second entry"), sheets.entry_code(sheet.subject_id), sheet.judge_id, ""
    )


@bp.route("/contest-trades/<int:ct_id>/sheets/<int:sheet_id>/edit", methods=["GET", "POST"])
@login_required
def sheet_edit(ct_id: int, sheet_id: int):
    """The first clerk corrects their entry; the sheet waits for a new second entry."""
    ct = _clerk_ct(ct_id)
    sheet = _sheet_or_404(ct, sheet_id)
    if sheet.first_clerk_id != current_user.id:
        flash(say(sheets.NOT_FIRST), "error")
        return _sheet_page(ct, sheet, 403)
    if sheet.state == "confirmed":
        flash(say(sheets.CONFIRMED), "info")
        return _to_sheet(ct, sheet)
    prefill = {f"item_{k}": v for k, v in sheet.first_values.items()}
    items = sheets.judge_items(ct.id, sheet.judge_id)
    form = sheet_values_form(items, version=sheet.version, **prefill)
    if form.validate_on_submit():
        try:
            sheets.correct_first(
                ct.id, sheet.id, form.seen_version(), form.values(), current_user.id
            )
        except sheets.SheetError as err:
            return _refused(ct, sheet_id, err)
        db.session.commit()
        flash(_("First entry corrected. A different clerk must type the sheet again."), "success")
        return _to_sheet(ct, sheet)
    return _form_page(
        ct,
        form,
        _l("Correct the first entry"),
        sheets.entry_code(sheet.subject_id),
        sheet.judge_id,
        "",
    )


def _refused(ct: Assessment, sheet_id: int, err: sheets.SheetError):
    """Undo the attempt and show the sheet as it now is, with the reason."""
    db.session.rollback()
    logger.info("sheet %s: user %s refused: %s", sheet_id, current_user.id, err)
    flash(say(err.reason), "error")
    return _sheet_page(ct, _sheet_or_404(ct, sheet_id), err.status)


def _form_page(ct, form, title, code: str, judge_id: int, action: str):
    return render_template(
        "judging/sheets_form.html",
        ct=ct,
        form=form,
        title=title,
        code=code,
        judge_name=db.session.get(User, judge_id).display_name,
        action=action,
    )


@bp.route("/contest-trades/<int:ct_id>/sheets/<int:sheet_id>", endpoint="sheet")
@login_required
def sheet_page(ct_id: int, sheet_id: int):
    """One sheet: its state, who typed it and when, and its values once they may be seen."""
    ct = _clerk_ct(ct_id)
    return _sheet_page(ct, _sheet_or_404(ct, sheet_id))


def _sheet_page(ct: Assessment, sheet: ScoreSheet, status: int = 200):
    """The sheet page: its values once confirmed, the differing cells on a mismatch."""
    names = {
        uid: db.session.get(User, uid).display_name
        for uid in (sheet.judge_id, sheet.first_clerk_id, sheet.second_clerk_id)
        if uid is not None
    }
    is_first = sheet.first_clerk_id == current_user.id
    return render_template(
        "judging/sheets_sheet.html",
        ct=ct,
        sheet=sheet,
        code=sheets.entry_code(sheet.subject_id),
        names=names,
        items=sheets.judge_items(ct.id, sheet.judge_id),
        differs=sheets.mismatching_items(sheet),
        show_first=sheet.state == "confirmed" or (sheet.state == "typed" and is_first),
        is_first=is_first,
        history=sheets.history(sheet.id),
        states=STATE_LABELS,
        events=EVENT_LABELS,
    ), status


def _sheet_rows(ct_id: int, state: str | None, page: int, size: int) -> tuple[list, int]:
    """One page of the contest-trade's sheets with code, judge and clerks' names; and the count."""
    judge, first, second = aliased(User), aliased(User), aliased(User)
    query = (
        select(
            ScoreSheet,
            SubjectCode.code,
            judge.display_name.label("judge_name"),
            first.display_name.label("first_name"),
            second.display_name.label("second_name"),
        )
        .join(Subject, Subject.id == ScoreSheet.subject_id)
        .outerjoin(SubjectCode, SubjectCode.subject_id == ScoreSheet.subject_id)
        .join(judge, judge.id == ScoreSheet.judge_id)
        .join(first, first.id == ScoreSheet.first_clerk_id)
        .outerjoin(second, second.id == ScoreSheet.second_clerk_id)
        .where(Subject.assessment_id == ct_id)
    )
    if state in sheets.STATES:
        query = query.where(ScoreSheet.state == state)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(
        query.order_by(SubjectCode.code, judge.display_name, ScoreSheet.id)
        .limit(size)
        .offset((page - 1) * size)
    ).all()
    return rows, total


def _progress(ct_id: int) -> dict[str, int]:
    """Sheets by state, and how many (judge, entry) pairs with items are assigned at all."""
    counts = dict.fromkeys(sheets.STATES, 0)
    for state, n in db.session.execute(
        select(ScoreSheet.state, func.count())
        .join(Subject, Subject.id == ScoreSheet.subject_id)
        .where(Subject.assessment_id == ct_id)
        .group_by(ScoreSheet.state)
    ):
        counts[state] = n
    has_items = select(JudgeItem.item_id).where(JudgeItem.member_id == PanelMember.id).exists()
    marked = facts_of(ct_id, marked_only=True)
    counts["assigned"] = db.session.scalar(
        select(func.count())
        .select_from(JudgeSubject)
        .join(PanelMember, PanelMember.id == JudgeSubject.member_id)
        .join(marked, marked.c.subject_id == JudgeSubject.subject_id)
        .where(PanelMember.assessment_id == ct_id, has_items)
    )
    counts["total"] = sum(counts[s] for s in sheets.STATES)
    return counts

"""Clerks' double entry of paper score sheets (录分): list, first entry, blind second, correction.

Clerks know entries only by their anonymous code: no page here shows a name, a unit or an ID.
"""

import logging

from flask import abort, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_babel import lazy_gettext as _l
from flask_login import current_user, login_required

from competitions.accounts.models import User
from competitions.core.db import db
from competitions.core.i18n import say
from competitions.judging import sheets
from competitions.judging.access import contest_trade_or_404, require_clerk
from competitions.judging.forms_sheets import StartSheetForm, sheet_values_form
from competitions.judging.models import ScoreSheet
from competitions.judging.views import bp
from competitions.registry.models import ContestTrade

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


def _clerk_ct(ct_id: int) -> ContestTrade:
    """The contest-trade, if the current user is one of its contest's clerks (else 403/404)."""
    ct = contest_trade_or_404(ct_id)
    require_clerk(ct)
    return ct


def _sheet_or_404(ct: ContestTrade, sheet_id: int) -> ScoreSheet:
    sheet = sheets.get_sheet(ct.id, sheet_id)
    if sheet is None:
        abort(404)
    return sheet


def _start_form(ct: ContestTrade, formdata=None) -> StartSheetForm:
    form = StartSheetForm(formdata=formdata)
    form.judge.choices = sheets.judge_choices(ct.id)
    return form


@bp.route("/contest-trades/<int:ct_id>/sheets", endpoint="sheets")
@login_required
def sheets_list(ct_id: int):
    """The contest-trade's sheets with their state, and the form to start typing one."""
    ct = _clerk_ct(ct_id)
    return _list_page(ct, _start_form(ct))


def _list_page(ct: ContestTrade, form: StartSheetForm, status: int = 200):
    state = request.args.get("state")
    state = state if state in STATE_LABELS else None
    page = max(request.args.get("page", 1, type=int), 1)
    rows, total = sheets.sheet_rows(ct.id, state, page, PAGE_SIZE)
    return render_template(
        "judging/sheets.html",
        ct=ct,
        form=form,
        rows=rows,
        state=state,
        page=page,
        pages=max((total + PAGE_SIZE - 1) // PAGE_SIZE, 1),
        progress=sheets.progress(ct.id),
        states=STATE_LABELS,
    ), status


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
        return redirect(url_for("judging.sheet", ct_id=ct.id, sheet_id=sheet.id))
    return _form_page(
        ct,
        form,
        _l("First entry"),
        start.code,
        start.judge_id,
        url_for("judging.sheet_new", ct_id=ct.id, code=start.code, judge=start.judge_id),
    )


def _refused_start(ct: ContestTrade, form: StartSheetForm, err: sheets.SheetError):
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
        flash(_("A different clerk must type the second entry."), "error")
        return _sheet_page(ct, sheet, 403)
    if sheet.state == "confirmed":
        flash(_("This sheet is confirmed already."), "info")
        return redirect(url_for("judging.sheet", ct_id=ct.id, sheet_id=sheet.id))
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
            flash(_("The two entries match: the sheet is confirmed and its scores count."), "success")
        else:
            flash(_("The two entries differ. Nothing counts until they match."), "error")
        return redirect(url_for("judging.sheet", ct_id=ct.id, sheet_id=sheet.id))
    return _form_page(
        ct, form, _l("Second entry"), sheets.entry_code(sheet.entry_id), sheet.judge_id, ""
    )


@bp.route("/contest-trades/<int:ct_id>/sheets/<int:sheet_id>/edit", methods=["GET", "POST"])
@login_required
def sheet_edit(ct_id: int, sheet_id: int):
    """The first clerk corrects their entry; the sheet waits for a new second entry."""
    ct = _clerk_ct(ct_id)
    sheet = _sheet_or_404(ct, sheet_id)
    if sheet.first_clerk_id != current_user.id:
        flash(_("Only the clerk who typed the first entry can correct it."), "error")
        return _sheet_page(ct, sheet, 403)
    if sheet.state == "confirmed":
        flash(_("This sheet is confirmed already."), "info")
        return redirect(url_for("judging.sheet", ct_id=ct.id, sheet_id=sheet.id))
    prefill = {f"item_{k}": v for k, v in sheet.first_values.items()}
    items = sheets.judge_items(ct.id, sheet.judge_id)
    form = sheet_values_form(items, version=sheet.version, **prefill)
    if form.validate_on_submit():
        try:
            sheets.correct_first(ct.id, sheet.id, form.seen_version(), form.values(), current_user.id)
        except sheets.SheetError as err:
            return _refused(ct, sheet_id, err)
        db.session.commit()
        flash(_("First entry corrected. A different clerk must type the sheet again."), "success")
        return redirect(url_for("judging.sheet", ct_id=ct.id, sheet_id=sheet.id))
    return _form_page(
        ct, form, _l("Correct the first entry"), sheets.entry_code(sheet.entry_id), sheet.judge_id, ""
    )


def _refused(ct: ContestTrade, sheet_id: int, err: sheets.SheetError):
    """Undo the attempt and show the sheet as it now is, with the reason."""
    db.session.rollback()
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


def _sheet_page(ct: ContestTrade, sheet: ScoreSheet, status: int = 200):
    """The sheet page; values show once confirmed, differing cells on a mismatch, else none.

    While the sheet waits for its second entry, only its first typist sees what they typed.
    """
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
        code=sheets.entry_code(sheet.entry_id),
        names=names,
        items=sheets.judge_items(ct.id, sheet.judge_id),
        differs=sheets.mismatching_items(sheet),
        show_first=sheet.state == "confirmed" or (sheet.state == "typed" and is_first),
        is_first=is_first,
        history=sheets.history(sheet.id),
        states=STATE_LABELS,
        events=EVENT_LABELS,
    ), status

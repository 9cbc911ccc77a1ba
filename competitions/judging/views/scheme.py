"""The marking scheme of a contest-trade: view, add/edit/delete items, import, copy, download.

Every route is for the contest's organisers (403 for anyone else), checked on the server.
"""

import io
import logging
from dataclasses import asdict
from decimal import Decimal

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required
from flask_wtf import FlaskForm

from competitions.assessment.models import Assessment
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.core.labels import AGGREGATION_LABELS, KIND_LABELS, PART_LABELS, SCALE_LABELS
from competitions.judging.forms.scheme import SchemeCopyForm, SchemeImportForm, SchemeItemForm
from competitions.judging.models import SchemeItem
from competitions.judging.services import scheme as services
from competitions.judging.services.access import assessment_or_404, require_organiser
from competitions.judging.services.scheme_import import SchemeFileError, parse_scheme, plain
from competitions.judging.views import bp

logger = logging.getLogger(__name__)
XLSX_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
LABELS = {
    "part_labels": PART_LABELS,
    "kind_labels": KIND_LABELS,
    "scale_labels": SCALE_LABELS,
    "aggregation_labels": AGGREGATION_LABELS,
}


def _organised(ct_id: int) -> Assessment:
    """The contest-trade, once the current user is known to organise its contest."""
    ct = assessment_or_404(ct_id)
    require_organiser(ct)
    return ct


def _item_of(ct: Assessment, item_id: int) -> SchemeItem:
    """An item of this contest-trade's scheme, else 404."""
    item = db.get_or_404(SchemeItem, item_id)
    if item.part.assessment_id != ct.id:
        abort(404)
    return item


def _refused(ct: Assessment):
    """A redirect to the scheme with the reason the scheme may not change, or None."""
    reason = services.change_refused(ct.id, for_update=True)
    if reason is None:
        return None
    flash(_("The scheme cannot be changed: %(reason)s.", reason=say(reason)), "error")
    return redirect(url_for("judging.scheme", ct_id=ct.id), 303)


@bp.route("/contest-trades/<int:ct_id>/scheme")
@login_required
def scheme(ct_id: int):
    """The scheme: its parts (and which is missing), its items in order, and what can be done."""
    ct = _organised(ct_id)
    items = services.scheme_items(ct_id)
    return render_template(
        "judging/scheme.html",
        ct=ct,
        items=items,
        parts=services.part_summaries(ct, items),
        refused=services.change_refused(ct_id),
        plain=plain,
        say=say,
        **LABELS,
    )


def _item_page(ct: Assessment, form: SchemeItemForm, title):
    return render_template("judging/scheme_form.html", ct=ct, form=form, title=title)


@bp.route("/contest-trades/<int:ct_id>/scheme/items/new", methods=["GET", "POST"])
@login_required
def scheme_item_new(ct_id: int):
    """Add an item; its part is created on first use."""
    ct = _organised(ct_id)
    if refused := _refused(ct):
        return refused
    part = "practical" if not ct.part_weights.get("theory") else None
    form = SchemeItemForm(data={"part": part} if part else None)
    form.taken_codes = services.taken_codes(ct_id)
    if form.validate_on_submit():
        item = services.add_item(ct_id, form.spec(), current_user.id)
        db.session.commit()
        flash(_("Item %(code)s added.", code=item.code), "success")
        return redirect(url_for("judging.scheme", ct_id=ct_id), 303)
    return _item_page(ct, form, _l("New item"))


def _initial(item: SchemeItem) -> dict:
    """An item's values for the form, decimals without trailing zeros."""
    values = asdict(services.spec_of(item))
    return {k: Decimal(plain(v)) if isinstance(v, Decimal) else v for k, v in values.items()}


@bp.route("/contest-trades/<int:ct_id>/scheme/items/<int:item_id>/edit", methods=["GET", "POST"])
@login_required
def scheme_item_edit(ct_id: int, item_id: int):
    """Edit an item, unless marks exist or are locked."""
    ct = _organised(ct_id)
    item = _item_of(ct, item_id)
    if refused := _refused(ct):
        return refused
    form = SchemeItemForm(data=_initial(item))
    form.taken_codes = services.taken_codes(ct_id, except_item_id=item.id)
    if form.validate_on_submit():
        services.update_item(item, form.spec(), current_user.id)
        db.session.commit()
        flash(_("Item %(code)s saved.", code=item.code), "success")
        return redirect(url_for("judging.scheme", ct_id=ct_id), 303)
    return _item_page(ct, form, _l("Edit item %(code)s", code=item.code))


@bp.route("/contest-trades/<int:ct_id>/scheme/items/<int:item_id>/delete", methods=["POST"])
@login_required
def scheme_item_delete(ct_id: int, item_id: int):
    """Delete an item, unless marks exist or are locked."""
    ct = _organised(ct_id)
    item = _item_of(ct, item_id)
    if refused := _refused(ct):
        return refused
    if FlaskForm().validate_on_submit():
        code = item.code
        services.delete_item(item, current_user.id)
        db.session.commit()
        flash(_("Item %(code)s deleted.", code=code), "success")
    return redirect(url_for("judging.scheme", ct_id=ct_id), 303)


@bp.route("/contest-trades/<int:ct_id>/scheme/import", methods=["GET", "POST"])
@login_required
def scheme_import(ct_id: int):
    """Replace the scheme by a spreadsheet's, all or nothing; the problems are listed if any."""
    ct = _organised(ct_id)
    form = SchemeImportForm()
    form.has_scheme = bool(services.scheme_items(ct_id))
    problems, report_job = [], None
    if form.validate_on_submit():
        if refused := _refused(ct):
            return refused
        try:
            parsed = parse_scheme(form.file.data.read())
        except SchemeFileError as err:
            problems = err.problems
            logger.info("scheme import for ct %s refused: %s problems", ct_id, len(problems))
            report_job = services.record_refused_import(ct, problems, current_user.id)
            db.session.commit()
        else:
            count = services.replace_scheme(ct_id, list(parsed.items), current_user.id)
            db.session.commit()
            flash(ngettext("%(num)s item imported.", "%(num)s items imported.", count), "success")
            return redirect(url_for("judging.scheme", ct_id=ct_id), 303)
    return render_template(
        "judging/scheme_import.html",
        ct=ct,
        form=form,
        problems=problems,
        report_job=report_job,
        refused=services.change_refused(ct_id),
        say=say,
    )


@bp.route("/contest-trades/<int:ct_id>/scheme/import/<job_id>/errors.xlsx")
@login_required
def scheme_import_errors(ct_id: int, job_id: str):
    """The error report of a refused scheme import, as a spreadsheet."""
    ct = _organised(ct_id)
    stored = services.refused_import_report(ct.id, job_id) or abort(404)
    return send_file(
        io.BytesIO(stored.data),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
    )


@bp.route("/contest-trades/<int:ct_id>/scheme/copy", methods=["GET", "POST"])
@login_required
def scheme_copy(ct_id: int):
    """Replace the scheme by a copy of another contest-trade's (of a contest the user organises)."""
    ct = _organised(ct_id)
    form = SchemeCopyForm()
    form.has_scheme = bool(services.scheme_items(ct_id))
    form.source_id.choices = [
        (source_id, ngettext("%(name)s (%(num)s item)", "%(name)s (%(num)s items)", n, name=name))
        for source_id, name, n in services.copy_sources(current_user.id, ct)
    ]
    if form.validate_on_submit():
        if refused := _refused(ct):
            return refused
        count = services.copy_scheme(form.source_id.data, ct_id, current_user.id)
        db.session.commit()
        flash(ngettext("%(num)s item copied.", "%(num)s items copied.", count), "success")
        return redirect(url_for("judging.scheme", ct_id=ct_id), 303)
    return render_template(
        "judging/scheme_copy.html",
        ct=ct,
        form=form,
        refused=services.change_refused(ct_id),
        say=say,
    )


@bp.route("/contest-trades/<int:ct_id>/scheme.xlsx")
@login_required
def scheme_download(ct_id: int):
    """The scheme as .xlsx in the generic layout (the import reads it back)."""
    ct = _organised(ct_id)
    data = services.scheme_xlsx(ct_id)
    name = f"scheme-{ct.contest.code}-{ct.trade.code}.xlsx"
    return send_file(io.BytesIO(data), mimetype=XLSX_TYPE, as_attachment=True, download_name=name)

"""A contest-trade's results for its organisers and chief judges: spreadsheets and a print view."""

from flask import abort, flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from competitions.accounts.services.permissions import roles_in
from competitions.core.audit import download_logged
from competitions.core.db import db
from competitions.core.http import xlsx_download
from competitions.core.labels import STATUS_LABELS, TIER_LABELS
from competitions.judging.services.encryption import names_open
from competitions.judging.services.marks import is_locked
from competitions.registry import services as registry_services
from competitions.registry.models import ContestTrade
from competitions.results import services
from competitions.results.services import exports
from competitions.results.views import RESULT_READERS, bp


def _exporter(ct_id: int) -> tuple[ContestTrade, set[str]]:
    """The contest-trade and the user's roles in its contest; 403 unless they may export."""
    ct = db.get_or_404(ContestTrade, ct_id)
    roles = roles_in(current_user, ct.contest_id)
    if not roles & RESULT_READERS:
        abort(403)
    return ct, roles


def _computed(ct: ContestTrade, roles: set[str]) -> exports.TradeReport | None:
    """The contest-trade's results as these roles may read them (by code only while the panel
    marks blind), or None (with a message) when they are not computed yet."""
    report = exports.trade_report(ct, blind=not services.sees_who(ct.id, roles))
    if report.result_set is None:
        flash(
            _("Not computed yet. Results are computed when the chief judge locks the marks."),
            "error",
        )
        return None
    return report


@bp.route("/contest-trades/<int:ct_id>/results.xlsx")
@login_required
@download_logged("results")
def export_results(ct_id: int):
    """The results, team results and honours as .xlsx (ID numbers whole for organisers)."""
    ct, roles = _exporter(ct_id)
    report = _computed(ct, roles)
    if report is None:
        return redirect(url_for("results.trade_results", ct_id=ct_id), code=303)
    full_ids = "organiser" in roles
    data = exports.results_workbook(report, full_ids)
    name = f"results-{ct.contest.code}-{ct.trade.code}.xlsx"
    if full_ids:  # the host needs the whole numbers: the download is on the record
        registry_services.log_id_export(ct, current_user.id, name)
        db.session.commit()
    return xlsx_download(data, name)


@bp.route("/contest-trades/<int:ct_id>/score-sheets.xlsx")
@login_required
@download_logged("score_sheets")
def export_score_sheets(ct_id: int):
    """Every judge's marks per entry and item, by code; names only for organisers after the lock.

    The names behind the codes follow the code list's rule: they open only once the chief judge
    locks the marks, only to the organisers, and each such download is recorded.
    """
    ct, roles = _exporter(ct_id)
    locked = is_locked(ct.id)
    # Under two-layer encryption the names wait for the decoding, both steps (二次加密).
    with_names = locked and "organiser" in roles and names_open(ct.id)
    if with_names:
        exports.log_reveal(ct.id, current_user.id)
        note = _("The marks are locked.")
    elif locked:
        note = _("Entries are shown by their anonymous codes only.")
    else:
        note = _("The marks are not locked yet: entries are shown by their anonymous codes only.")
    entries = exports.sheet_entries(ct.id, with_names)
    data = exports.score_sheets_workbook(ct, entries, with_names, note)
    db.session.commit()
    return xlsx_download(data, f"score-sheets-{ct.contest.code}-{ct.trade.code}.xlsx")


@bp.route("/contest-trades/<int:ct_id>/results/report")
@login_required
def results_report(ct_id: int):
    """The results report to print and sign: the ranked table, teams, honours, signature lines."""
    ct, roles = _exporter(ct_id)
    report = _computed(ct, roles)
    if report is None:
        return redirect(url_for("results.trade_results", ct_id=ct_id), code=303)
    return render_template(
        "results/report.html",
        report=report,
        ct=ct,
        tiers=TIER_LABELS,
        statuses=STATUS_LABELS,
        states=exports.STATE_LABELS,
    )

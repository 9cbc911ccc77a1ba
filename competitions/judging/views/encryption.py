"""Two-layer encryption (二次加密): the organiser's setting and decoding (解密) after the lock;
each encryption officer's (加密裁判) own layer: draw it, read it, download it."""

import io
import secrets

from flask import abort, flash, redirect, render_template, send_file, url_for
from flask_babel import gettext as _
from flask_babel import ngettext
from flask_login import current_user, login_required

from competitions.accounts.services.permissions import roles_in
from competitions.assessment.models import Assessment
from competitions.core.audit_words import REVEAL_KINDS
from competitions.core.db import db
from competitions.core.i18n import say
from competitions.core.sheet_rules import XLSX_TYPE
from competitions.judging import rules
from competitions.judging.forms.encryption import DrawLayerForm, TwoLayerForm
from competitions.judging.services import access
from competitions.judging.services import codes as entry_codes
from competitions.judging.services import encryption as services
from competitions.judging.services.marks import is_locked
from competitions.judging.views import bp

LAYER_ROUTES = {rules.FIRST_LAYER: "first", rules.SECOND_LAYER: "second"}


def _organised(ct_id: int) -> Assessment:
    """The contest-trade, if the current user organises its contest (else 403/404)."""
    ct = access.assessment_or_404(ct_id)
    access.require_organiser(ct)
    return ct


@bp.route("/contest-trades/<int:ct_id>/encryption", methods=["GET", "POST"])
@login_required
def encryption(ct_id: int):
    """The organiser turns two-layer encryption on or off, follows the draws (who, when, how
    many; never a number) and, after the lock, decodes layer by layer."""
    ct = _organised(ct_id)
    setting = services.setting_of(ct.id)
    form = TwoLayerForm(**({} if setting is None else {"enabled": setting.enabled}))
    if form.validate_on_submit():
        try:
            services.set_two_layer(ct.id, form.enabled.data)
        except services.EncryptionError as err:
            db.session.rollback()
            form.enabled.errors.append(say(err.reason))
        else:
            db.session.commit()
            flash(_("Saved."), "success")
            return redirect(url_for("judging.encryption", ct_id=ct.id), code=303)
    locked = is_locked(ct.id)
    done = services.steps_done(ct.id)
    return render_template(
        "judging/encryption.html",
        ct=ct,
        form=form,
        two_layer=entry_codes.is_two_layer(ct.id),
        counts=services.layer_counts(ct.id),
        draws=services.draws(ct.id),
        locked=locked,
        step_problems={s: rules.decode_problem(s, locked, done) for s in rules.DECODE_STEPS},
        reveals=entry_codes.reveals(ct.id),
        reveal_labels=REVEAL_KINDS,
    )


@bp.route("/contest-trades/<int:ct_id>/encryption/decode/codes")
@login_required
def decode_codes(ct_id: int):
    """Decoding, step 1, after the lock, each look logged: 密号 → 检录号."""
    return _decode(ct_id, "decode1")


@bp.route("/contest-trades/<int:ct_id>/encryption/decode/names")
@login_required
def decode_names(ct_id: int):
    """Decoding, step 2, after step 1, each look logged: 检录号 → person."""
    return _decode(ct_id, "decode2")


def _decode(ct_id: int, step: str):
    """A step of decoding as a page, or back to the encryption page saying why not."""
    ct = _organised(ct_id)
    if not entry_codes.is_two_layer(ct.id):
        return redirect(url_for("judging.codes", ct_id=ct.id), code=303)
    try:
        rows = services.decode(ct.id, step, current_user.id)
    except services.EncryptionError as err:
        db.session.rollback()
        flash(say(err.reason), "error")
        return redirect(url_for("judging.encryption", ct_id=ct.id), code=303)
    db.session.commit()
    return render_template("judging/decode.html", ct=ct, step=step, rows=rows)


def _officer(ct_id: int, layer: int) -> tuple[Assessment, object]:
    """The contest-trade if the current user may open this layer as an encryption officer:
    403 for anyone else, and a page saying why for an officer refused this layer."""
    ct = access.assessment_or_404(ct_id)
    roles = roles_in(current_user, ct.contest_id)
    if "encryption_officer" not in roles:
        abort(403)
    problem = rules.officer_problem(roles) or services.refusal(ct.id, layer, current_user.id)
    return ct, problem


def _refused(ct: Assessment, layer: int, problem):
    """The layer's page saying why this officer may not open it (nothing of the layer)."""
    page = render_template("judging/layer.html", ct=ct, layer=layer, refused=say(problem))
    return page, 403


@bp.route("/contest-trades/<int:ct_id>/encryption/first")
@login_required
def first_layer(ct_id: int):
    """The first layer's officer: contestant → 检录号, and the button that draws it."""
    return _layer_page(ct_id, rules.FIRST_LAYER)


@bp.route("/contest-trades/<int:ct_id>/encryption/second")
@login_required
def second_layer(ct_id: int):
    """The second layer's officer: 检录号 → 密号 (never a name), and the button that draws it."""
    return _layer_page(ct_id, rules.SECOND_LAYER)


def _layer_page(ct_id: int, layer: int):
    """An encryption officer's own layer, or a 403 page saying why it is not theirs."""
    ct, problem = _officer(ct_id, layer)
    if problem is not None:
        return _refused(ct, layer, problem)
    first, second = services.officers(services.setting_of(ct.id))
    mine = (first if layer == rules.FIRST_LAYER else second) == current_user.id
    rows = None
    if mine:
        rows = services.first_layer_rows(ct.id) if layer == 1 else services.second_layer_rows(ct.id)
    counts = services.layer_counts(ct.id)
    problem = rules.layer_problem(
        layer, entry_codes.is_two_layer(ct.id), is_locked(ct.id), counts["first"]
    )
    wanting = (
        counts["marked"] - counts["first"] if layer == 1 else counts["first"] - counts["second"]
    )
    return render_template(
        "judging/layer.html",
        ct=ct,
        layer=layer,
        refused=None,
        rows=rows,
        counts=counts,
        problem=say(problem) if problem else None,
        wanting=max(wanting, 0),
        form=DrawLayerForm(formdata=None),
    )


@bp.post("/contest-trades/<int:ct_id>/encryption/first/draw")
@login_required
def first_layer_draw(ct_id: int):
    """Draw the check-in numbers (检录号) of the contestants lacking one."""
    return _draw(ct_id, rules.FIRST_LAYER)


@bp.post("/contest-trades/<int:ct_id>/encryption/second/draw")
@login_required
def second_layer_draw(ct_id: int):
    """Draw the secret codes (密号) of the check-in numbers lacking one."""
    return _draw(ct_id, rules.SECOND_LAYER)


def _draw(ct_id: int, layer: int):
    """Draw the layer's numbers for the subjects lacking one, at random (a secure source);
    an officer who holds the other layer is refused with the reason, and nothing is saved."""
    ct, problem = _officer(ct_id, layer)
    if problem is not None:
        return _refused(ct, layer, problem)
    back = redirect(url_for(f"judging.{LAYER_ROUTES[layer]}_layer", ct_id=ct.id), code=303)
    if not DrawLayerForm().validate_on_submit():
        return back
    try:
        drawn = services.draw_layer(ct.id, layer, current_user.id, secrets.SystemRandom())
    except services.EncryptionError as err:
        db.session.rollback()
        if err.forbidden:
            return _refused(ct, layer, err.reason)
        flash(say(err.reason), "error")
        return back
    db.session.commit()
    flash(ngettext("%(num)s number drawn.", "%(num)s numbers drawn.", drawn), "success")
    return back


@bp.route("/contest-trades/<int:ct_id>/encryption/first.xlsx")
@login_required
def first_layer_export(ct_id: int):
    """The first layer as a spreadsheet, to print for check-in: 检录号, name, unit."""
    return _export(ct_id, rules.FIRST_LAYER)


@bp.route("/contest-trades/<int:ct_id>/encryption/second.xlsx")
@login_required
def second_layer_export(ct_id: int):
    """The second layer as a spreadsheet, to label the work pieces: 检录号 → 密号."""
    return _export(ct_id, rules.SECOND_LAYER)


def _export(ct_id: int, layer: int):
    """The officer's own layer as a spreadsheet; nothing before they drew it."""
    ct, problem = _officer(ct_id, layer)
    if problem is not None:
        return _refused(ct, layer, problem)
    first, second = services.officers(services.setting_of(ct.id))
    if (first if layer == rules.FIRST_LAYER else second) != current_user.id:
        flash(_("Nothing drawn yet."), "error")
        return redirect(url_for(f"judging.{LAYER_ROUTES[layer]}_layer", ct_id=ct.id), code=303)
    rows = services.first_layer_rows(ct.id) if layer == 1 else services.second_layer_rows(ct.id)
    response = send_file(
        io.BytesIO(services.layer_workbook(layer, rows)),
        mimetype=XLSX_TYPE,
        as_attachment=True,
        download_name=f"layer{layer}-{ct.contest.code}-{ct.short_code}.xlsx",
    )
    response.headers["Cache-Control"] = "no-store"
    return response

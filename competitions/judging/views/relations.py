"""Relations declared by judges: filed blind on their page, decided by the organisers."""

from flask import abort, current_app, flash, redirect, render_template, request, url_for
from flask_babel import gettext as _
from flask_login import current_user, login_required

from competitions.core.db import db, utcnow
from competitions.core.extensions import limiter
from competitions.core.i18n import say
from competitions.judging.forms.panel import DecideDeclarationForm, RelationForm
from competitions.judging.models import RelationDeclaration
from competitions.judging.services import access, relations
from competitions.judging.views import bp


def _declaration_limit() -> str:
    return current_app.config["DECLARATION_RATE_LIMIT"]


def _per_judge() -> str:
    """Declarations are counted per judge (a hall of judges shares one address)."""
    if current_user.is_authenticated:
        return f"user:{current_user.id}"
    return f"address:{request.remote_addr}"


def _filed(response) -> bool:
    """Only a declaration that was filed counts against the judge's limit."""
    return response.status_code == 303


@bp.route("/contest-trades/<int:ct_id>/relations", methods=["GET", "POST"], endpoint="relations")
@limiter.limit(_declaration_limit, methods=["POST"], key_func=_per_judge, deduct_when=_filed)
@login_required
def relations_page(ct_id: int):
    """A judge declares a relation with a contestant; the answer is the same whoever they
    name (the organisers act on it), so it tells them nothing about who is entered."""
    ct = access.assessment_or_404(ct_id)
    access.require_panel(ct, "judge", "chief_judge")
    form = RelationForm()
    if form.validate_on_submit():
        relations.file_declaration(
            current_user.id, ct.id, form.name.data, form.id_number.data, form.relation.data
        )
        db.session.commit()
        flash(_("Your declaration has been passed to the organisers."), "success")
        return redirect(url_for("judging.relations", ct_id=ct.id), code=303)
    mine = relations.declarations_of(ct.id, current_user.id)
    return render_template("judging/relations.html", ct=ct, form=form, declarations=mine)


@bp.post("/contest-trades/<int:ct_id>/declarations/<int:declaration_id>")
@login_required
def decide_declaration(ct_id: int, declaration_id: int):
    """The organiser applies a judge's declaration (the judge recuses) or dismisses it."""
    ct = access.assessment_or_404(ct_id)
    access.require_organiser(ct)
    declaration = db.get_or_404(RelationDeclaration, declaration_id)
    if declaration.assessment_id != ct.id:
        abort(404)
    form = DecideDeclarationForm()
    if form.validate_on_submit():
        apply = form.decision.data == "apply"
        try:
            relations.decide(declaration, apply, current_user.id, utcnow())
        except relations.PanelError as err:
            db.session.rollback()
            flash(say(err.reason), "error")
        else:
            db.session.commit()
            done = _("The judge recuses from this contestant.") if apply else _("Dismissed.")
            flash(done, "success")
    return redirect(url_for("judging.panel", ct_id=ct.id, _anchor="pending"), code=303)

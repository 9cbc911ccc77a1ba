"""The outside body's decision on an honour (granted or withdrawn), and the promotions register."""

from flask import flash, redirect, render_template, url_for
from flask_babel import gettext as _
from flask_login import login_required

from competitions.accounts.services.permissions import require_contest_role
from competitions.core.db import db
from competitions.core.i18n import say
from competitions.core.labels import SKILL_LABELS
from competitions.core.words import Reason
from competitions.registry.models import Contest, Entry
from competitions.results import rules
from competitions.results.forms import HonourDecisionForm
from competitions.results.models import Honour
from competitions.results.services import honours
from competitions.results.views import bp


@bp.route("/honours/<int:honour_id>/decision", methods=["GET", "POST"])
@login_required
def decide_honour(honour_id: int):
    """The organiser records what the outside body decided: granted (with the skill level, for a
    promotion) or withdrawn, on which date; asked to confirm, logged."""
    honour = db.get_or_404(Honour, honour_id)
    entry = db.get_or_404(Entry, honour.entry_id)
    ct = entry.contest_trade
    require_contest_role(ct.contest_id, "organiser")
    form = HonourDecisionForm()
    person = entry.person
    if honour.honour != "promotion":
        del form.to_level
    elif form.to_level.data is None and not form.is_submitted():
        form.to_level.data = rules.promotion_to(person.skill_level)
    problem = honours.refusal(honour)
    if problem is None and form.validate_on_submit():
        try:
            honours.decide(
                honour,
                form.decision.data == "granted",
                form.decided_on.data,
                form.note.data or "",
                form.to_level.data if "to_level" in form else None,
            )
        except honours.DecisionError as err:
            db.session.rollback()
            getattr(form, err.field).errors.append(say(err.reason))
        else:
            db.session.commit()
            flash(_("The decision is recorded."), "success")
            return redirect(url_for("results.trade_results", ct_id=ct.id))
    return render_template(
        "results/honour_decision.html",
        form=form,
        honour=honour,
        person=person,
        ct=ct,
        skill_labels=SKILL_LABELS,
        problem=say(Reason.of(problem)) if problem else None,
    )


@bp.route("/contests/<int:contest_id>/promotions")
@login_required
def promotions(contest_id: int):
    """The register of promotions granted on the contest's results."""
    require_contest_role(contest_id, "organiser")
    contest = db.get_or_404(Contest, contest_id)
    return render_template(
        "results/promotions.html",
        contest=contest,
        lines=honours.register([contest_id]),
        skill_labels=SKILL_LABELS,
    )

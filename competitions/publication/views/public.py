"""Public pages for contestants: my own result (by ID number and name) and my appeal."""

from flask import Blueprint, abort, current_app, flash, redirect, render_template, session, url_for
from flask_babel import gettext as _

from competitions.core.db import db
from competitions.core.extensions import limiter
from competitions.core.i18n import say
from competitions.core.identity_rules import mask_id_number
from competitions.core.labels import STATUS_LABELS, TIER_LABELS
from competitions.publication import rules, services
from competitions.publication.forms import AppealForm, LookupForm
from competitions.publication.models import Appeal
from competitions.publication.services import lookup
from competitions.registry.models import Entry, Person

bp = Blueprint("public", __name__)


def _lookup_limit() -> str:
    return current_app.config["LOOKUP_RATE_LIMIT"]


@bp.route("/my-result", methods=["GET", "POST"])
@limiter.limit(_lookup_limit, methods=["POST"])
def my_result():
    """Find my published results by ID number and name."""
    form = LookupForm()
    if form.validate_on_submit():
        person = lookup.find_person(form.id_number.data, form.name.data)
        if person is None:
            form.name.errors.append(_("No result matches this ID number and name."))
        else:
            lookup.record_consent(person.id, "lookup")
            db.session.commit()
            session["lookup_person"] = person.id
            return redirect(url_for("public.my_results"))
    return render_template("public/lookup.html", form=form)


@bp.route("/my-result/results")
def my_results():
    """My published results, with an appeal form while the notice is open."""
    person = _person()
    results = lookup.published_results(person)
    appeals = {
        a.subject_id: a
        for a in db.session.query(Appeal).filter(
            Appeal.subject_id.in_([r.entry.id for r in results])
        )
    }
    return render_template(
        "public/my_results.html",
        person=person,
        masked=mask_id_number(person.id_number),
        results=results,
        items=lookup.item_lines([r.entry.id for r in results]),
        tiers=TIER_LABELS,
        statuses=STATUS_LABELS,
        appeals=appeals,
        form=AppealForm(),
        now=services.local_now(),
    )


@bp.post("/my-result/appeal/<int:entry_id>")
@limiter.limit(_lookup_limit)
def appeal(entry_id: int):
    """File a written, signed appeal about one of my results under public notice."""
    person = _person()
    entry = db.get_or_404(Entry, entry_id)
    if entry.person_id != person.id:
        abort(403)
    form = AppealForm()
    result_set = next(
        (r.result_set for r in lookup.published_results(person) if r.entry.id == entry_id), None
    )
    if result_set is not None:
        # Held until the appeal is saved: the periodic final cannot slip in between.
        db.session.refresh(result_set, with_for_update=True)
    if result_set is None or not form.validate_on_submit():
        flash(_("Write the reason (at least 10 characters) and sign with your name."), "error")
        return redirect(url_for("public.my_results"))
    request_ = rules.AppealRequest(form.real_name.data, person.name, form.reason.data)
    problem = rules.appeal_problem(
        request_, result_set.state, services.local_now(), result_set.notice_deadline, None
    )
    if problem:
        flash(say(problem), "error")
    else:
        db.session.add(
            Appeal(
                assessment_id=entry.contest_trade_id,
                subject_id=entry.id,
                real_name=form.real_name.data.strip(),
                contact=form.contact.data or "",
                reason=form.reason.data.strip(),
            )
        )
        db.session.commit()
        flash(_("Your appeal is filed; the arbitrators will decide it."), "success")
    return redirect(url_for("public.my_results"))


def _person() -> Person:
    person_id = session.get("lookup_person")
    person = db.session.get(Person, person_id) if person_id else None
    if person is None:
        abort(redirect(url_for("public.my_result")))
    return person

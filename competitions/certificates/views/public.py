"""Public pages: verify a certificate by its number (typed in or from the QR code), and a
contestant's download of their own certificate."""

from flask import abort, redirect, render_template, request, session, url_for
from sqlalchemy import select

from competitions.certificates import rules, services
from competitions.certificates.forms import VerifyForm
from competitions.certificates.models import Certificate
from competitions.certificates.views import bp, send_pdf
from competitions.core.db import db
from competitions.core.extensions import limiter
from competitions.core.i18n import say
from competitions.registry.models import Entry

#: Verifications per client: plenty for people scanning certificates, too few to try numbers
#: (which the check part already makes hopeless).
VERIFY_RATE_LIMIT = "60 per minute"


@bp.route("/verify")
def verify_form():
    """Type a certificate number to check it."""
    form = VerifyForm(request.args)
    if request.args and form.validate():
        return redirect(url_for("certificates.verify", number=form.number.data.strip()))
    return render_template(
        "certificates/verify.html", form=form, outcome=None, example=rules.EXAMPLE_NUMBER
    )


@bp.route("/verify/<path:number>")
@limiter.limit(VERIFY_RATE_LIMIT)
def verify(number: str):
    """A certificate's facts (ID masked) and whether it is valid or revoked; unknown numbers
    and numbers that cannot be ours say so."""
    normalised = rules.normalise_number(number)
    certificate = db.session.scalar(select(Certificate).filter_by(number=normalised))
    problem = None
    if certificate is None:
        problem = rules.number_problem(normalised, services.number_key())
    form = VerifyForm(data={"number": normalised or number})
    status = 200 if certificate else 404
    return render_template(
        "certificates/verify.html",
        form=form,
        outcome=certificate,
        problem=say(problem) if problem else None,
        typed=number,
        replacement=certificate.replaced_by if certificate else None,
        example=rules.EXAMPLE_NUMBER,
    ), status


@bp.route("/my-result/certificates/<number>.pdf")
def my_certificate(number: str):
    """A valid certificate of the contestant who looked their results up: their own awards and
    honours, and their delegation's team award (no one else's)."""
    person_id = session.get("lookup_person")
    if not person_id:
        return redirect(url_for("public.my_result"))
    mine = {c.number: c for found in certificates_of_person(person_id).values() for c in found}
    if number not in mine:
        abort(404)
    return send_pdf(mine[number])


def certificates_of_person(person_id: int) -> dict[int, list[Certificate]]:
    """{entry: valid certificates} of a person, for the my-results page: the entry's own (an
    award, honours) and its delegation's team award in the same contest-trade."""
    own = (Certificate.subject_id == Entry.id) | (
        (Certificate.kind == "team")
        & (Certificate.delegation_id == Entry.delegation_id)
        & (Certificate.assessment_id == Entry.contest_trade_id)
    )
    rows = db.session.execute(
        select(Entry.id, Certificate)
        .join(Certificate, own)
        .where(Entry.person_id == person_id, Certificate.state == "valid")
        .order_by(Certificate.kind.desc(), Certificate.number)
    )
    out: dict[int, list[Certificate]] = {}
    for entry_id, certificate in rows:
        out.setdefault(entry_id, []).append(certificate)
    return out


@bp.app_context_processor
def _my_certificates():
    """``my_certificates(person_id)`` for the contestant's results page (public.my_results)."""
    return {"my_certificates": certificates_of_person}

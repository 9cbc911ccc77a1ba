"""The certificates blueprint: the organiser designs and issues (here), anyone verifies and a
contestant downloads their own (views/public.py)."""

import io
from urllib.parse import urlsplit

from flask import (
    Blueprint,
    abort,
    current_app,
    flash,
    redirect,
    render_template,
    request,
    send_file,
    url_for,
)
from flask_babel import gettext as _
from flask_login import current_user, login_required
from flask_wtf import FlaskForm
from sqlalchemy import select

from competitions.accounts.services.permissions import require_contest_role
from competitions.certificates import rules, services, tasks
from competitions.certificates.forms import DesignForm
from competitions.certificates.models import Certificate, CertificateImage
from competitions.certificates.services import issue, render
from competitions.core.audit import download_logged, record_event
from competitions.core.confirm import ConfirmForm, confirm_page
from competitions.core.db import db, utcnow
from competitions.core.i18n import trade_name
from competitions.core.jobs import Job, JobFile
from competitions.registry.models import Contest, ContestTrade

bp = Blueprint("certificates", __name__)

IMAGE_FIELDS = ("seal_1", "seal_2", "background")
TEXT_FIELDS = (
    "title",
    "honour_title",
    "body",
    "team_body",
    "member_body",
    "honour_body",
    "issuers",
    "issued_on",
)


def _contest(contest_id: int) -> Contest:
    require_contest_role(contest_id, "organiser")
    return db.get_or_404(Contest, contest_id)


def _latest_job(contest_id: int) -> Job | None:
    return db.session.scalar(
        select(Job)
        .filter_by(kind=services.KIND, contest_id=contest_id)
        .order_by(Job.created_at.desc())
    )


@bp.route("/contests/<int:contest_id>/certificates")
@login_required
def overview(contest_id: int):
    """The contest's certificates: each trade's result state and counts, issue buttons, the
    progress of the running issue, and the latest ZIP and register."""
    contest = _contest(contest_id)
    ct_ids = [ct.id for ct in contest.contest_trades]
    return render_template(
        "certificates/overview.html",
        contest=contest,
        states=services.result_states(ct_ids),
        counts=services.counts_by_trade(ct_ids),
        job=_latest_job(contest_id),
        form=FlaskForm(),
        base_url=current_app.config["BASE_URL"],
        local_base_url=urlsplit(current_app.config["BASE_URL"]).hostname
        in ("127.0.0.1", "localhost", "::1"),
    )


@bp.route("/contests/<int:contest_id>/certificates/design", methods=["GET", "POST"])
@login_required
def design(contest_id: int):
    """The design form: titles, texts with fields, issuers, date, seals and background."""
    contest = _contest(contest_id)
    current = services.design_of(contest)
    form = DesignForm(obj=current)
    if form.validate_on_submit():
        for name in TEXT_FIELDS:
            setattr(current, name, getattr(form, name).data)
        _save_images(current, form)
        db.session.commit()
        flash(_("The design is saved. Check it in the preview."), "success")
        return redirect(url_for("certificates.design", contest_id=contest_id))
    db.session.commit()  # a default design, created on the first visit
    return render_template("certificates/design.html", contest=contest, form=form, design=current)


def _save_images(design, form: DesignForm) -> None:
    """Replace or remove the design's images as the form says."""
    uploads = getattr(form, "images", {})
    for role in IMAGE_FIELDS:
        old = design.image(role)
        if old and (role in uploads or getattr(form, f"remove_{role}").data):
            design.images.remove(old)
            db.session.flush()
        if role in uploads:
            data, info = uploads[role]
            design.images.append(
                CertificateImage(
                    role=role, format=info.format, width=info.width, height=info.height, data=data
                )
            )
    # The images are not columns of the design: mark it changed so that renderers (cached per
    # version of the design) pick the new ones up.
    design.updated_at = utcnow()


@bp.route("/contests/<int:contest_id>/certificates/preview.pdf")
@login_required
def preview(contest_id: int):
    """A certificate of the current design filled with sample data (individual, team, a team
    member's, honour)."""
    contest = _contest(contest_id)
    kind = request.args.get("kind", "individual")
    if kind not in ("individual", "team", "member", "honour"):
        abort(404)
    design = services.design_of(contest)
    db.session.commit()
    try:
        font = render.face(current_app.config["CERT_FONT_PATH"])
    except render.FontMissing:
        flash(
            _("The certificate font is missing: install fonts-wqy-microhei or set CERT_FONT_PATH."),
            "error",
        )
        return redirect(url_for("certificates.design", contest_id=contest_id))
    renderer = render.Renderer(services.design_data(design), font)
    # a number of the real shape that no certificate has (no contest-trade has id 0)
    number = f"{rules.contest_segment(contest.code, contest.year)}-0000-0000-00000"
    pdf = renderer.render(services.sample_facts(contest, kind), number, design.issued_on)
    return send_file(io.BytesIO(pdf), mimetype="application/pdf", download_name="preview.pdf")


@bp.route("/contests/<int:contest_id>/certificates/issue", methods=["GET", "POST"])
@login_required
def issue_certificates(contest_id: int):
    """Issue the certificates of the contest's final contest-trades, or of one contest-trade
    (``ct``), after a confirmation page; refused while its results are not final."""
    contest = _contest(contest_id)
    back = redirect(url_for("certificates.overview", contest_id=contest_id))
    ct_ids = [ct.id for ct in contest.contest_trades]
    one = request.values.get("ct")
    if one:
        ct_ids = [ct_id for ct_id in ct_ids if str(ct_id) == one] or abort(404)
    states = services.result_states(ct_ids)
    final = [ct_id for ct_id in ct_ids if states.get(ct_id) == "final"]
    form = ConfirmForm()
    if not form.validate_on_submit():
        return _confirm_issue(contest, form, final, one)
    running = _latest_job(contest_id)
    if running and running.state in ("pending", "running"):
        flash(_("Certificates are being issued already: wait for that to finish."), "error")
        return back
    if not final:
        flash(_("No certificates issued: the results are not final yet."), "error")
        return back
    _start(contest, final)
    if len(final) < len(ct_ids):
        flash(_("Trades whose results are not final yet are left out."), "info")
    return back


def _confirm_issue(contest: Contest, form: ConfirmForm, final: list[int], one: str | None):
    """The confirmation page before issuing: which trades, and that numbers are public."""
    names = [
        f"{ct.trade.code} {trade_name(ct.trade)}" for ct in contest.contest_trades if ct.id in final
    ]
    return confirm_page(
        form,
        title=_("Issue certificates") + f" · {contest.name}",
        consequences=[
            _("Certificates are issued for: %(trades)s.", trades="、".join(names)),
            _("Each certificate gets a number that anyone can verify on the public site."),
            _("A certificate whose result changes later is revoked and issued again."),
        ],
        problem=None if final else _("No certificates issued: the results are not final yet."),
        button=_("Issue certificates"),
        button_id="confirm-issue",
        back=url_for("certificates.overview", contest_id=contest.id),
        hidden={"ct": one} if one else {},
    )


def _start(contest: Contest, ct_ids: list[int]) -> None:

    job = tasks.issue_on_workers(contest, ct_ids, current_user.id)
    flash(_("Issuing %(n)s certificates on the workers.", n=job.total), "info")


@bp.route("/contests/<int:contest_id>/certificates/jobs/<job_id>/<any(zip, register):role>")
@login_required
@download_logged("certificates")
def job_file(contest_id: int, job_id: str, role: str):
    """The ZIP of PDFs or the register (.xlsx) of an issue."""
    _contest(contest_id)
    job = db.get_or_404(Job, job_id)
    if job.contest_id != contest_id or job.kind != services.KIND:
        abort(404)
    stored = db.session.scalar(select(JobFile).filter_by(job_id=job_id, role=role)) or abort(404)
    if role == "zip":  # kept in the storage folder; the job holds its path there
        return send_file(
            issue.storage_dir() / stored.data.decode(),
            mimetype=stored.content_type,
            as_attachment=True,
            download_name=stored.filename,
        )
    return send_file(
        io.BytesIO(stored.data),
        mimetype=stored.content_type,
        as_attachment=True,
        download_name=stored.filename,
    )


@bp.route("/contests/<int:contest_id>/certificates/list")
@login_required
def listing(contest_id: int):
    """Every certificate of the contest, valid and revoked, with links to the files."""
    contest = _contest(contest_id)
    certificates = services.certificates_of([ct.id for ct in contest.contest_trades])
    return render_template("certificates/list.html", contest=contest, certificates=certificates)


@bp.route("/certificates/<number>.pdf")
@login_required
def organiser_file(number: str):
    """One certificate's PDF, for the organisers of its contest (revoked ones too)."""
    certificate = db.session.scalar(select(Certificate).filter_by(number=number)) or abort(404)
    ct = db.session.get(ContestTrade, certificate.assessment_id)
    require_contest_role(ct.contest_id, "organiser")
    response = send_pdf(certificate)
    record_event(
        "download", "export", certificate.id, {"what": "certificate"}, contest_id=ct.contest_id
    )
    db.session.commit()
    return response


def send_pdf(certificate: Certificate):
    """The stored PDF of a certificate (404 if the file is missing from the storage)."""
    path = issue.storage_dir() / certificate.file_path
    if not path.is_file():
        abort(404)
    return send_file(
        path,
        mimetype="application/pdf",
        as_attachment=True,
        download_name=f"{certificate.number}.pdf",
    )


from competitions.certificates.views import public  # noqa: E402, F401

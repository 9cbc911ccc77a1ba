"""Issuing on the workers: each planned certificate rendered, stored and recorded; at the end
the batch's ZIP of PDFs and its register.

A certificate's row is committed (by the task's ``checkpoint``) only after its file is on disk,
a few at a time: a worker killed mid-chunk loses only the certificates not yet committed, and a
re-run finds the committed ones valid and unchanged and skips them. A file written but not
committed is overwritten by the re-run, which gives its subject the same number again.
"""

import io
import logging
import os
import zipfile
from collections.abc import Callable
from contextlib import contextmanager
from pathlib import Path

from flask import current_app
from flask_babel import force_locale
from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import select

from competitions.certificates import rules, services
from competitions.certificates.models import Certificate, CertificateDesign
from competitions.certificates.services import render
from competitions.core.db import db
from competitions.core.jobs import Job, JobFile, add_progress
from competitions.core.sheet_rules import XLSX_TYPE, neutralise_cell
from competitions.core.words import N_

logger = logging.getLogger(__name__)
#: Certificates committed together (with the job's progress).
COMMIT_EVERY = 20
_renderers: dict[tuple, render.Renderer] = {}


def storage_dir() -> Path:
    """The folder of certificate files (CERT_STORAGE_DIR, else certificates/ in the instance)."""
    config = current_app.config
    return Path(config["CERT_STORAGE_DIR"] or Path(config["INSTANCE_DIR"]) / "certificates")


def renderer_for(contest_id: int) -> render.Renderer:
    """The contest's renderer, prepared once per process for each version of its design."""
    design = db.session.scalar(select(CertificateDesign).filter_by(contest_id=contest_id))
    config = current_app.config
    key = (design.id, design.updated_at, config["BASE_URL"], config["CERT_FONT_PATH"])
    if key not in _renderers:
        _renderers.clear()
        font = render.face(config["CERT_FONT_PATH"])
        _renderers[key] = render.Renderer(services.design_data(design), font)
    return _renderers[key]


@contextmanager
def _stored(relative: str):
    """The path to write a file of the storage folder to; it appears whole or not at all
    (written beside it, then renamed)."""
    path = storage_dir() / relative
    path.parent.mkdir(parents=True, exist_ok=True)
    partial = path.with_name(path.name + ".part")
    yield partial
    os.replace(partial, path)


def write_file(relative: str, data: bytes) -> None:
    """Store a PDF under the storage folder, whole or not at all."""
    with _stored(relative) as partial:
        partial.write_bytes(data)


def issue_chunk(job_id: str, items: list, checkpoint: Callable[[], None]) -> int:
    """Issue the planned certificates ``items`` ([contest-trade, subject, seq]); returns how
    many were issued now (those issued by an earlier delivery of the same work are skipped)."""
    ct_ids = sorted({item[0] for item in items})
    codes = services.contests_of(ct_ids)
    facts = {ct_id: {f.subject: f for f in services.wanted(ct_id)} for ct_id in ct_ids}
    contests = {c[2] for c in codes.values()}
    batch = {c: (renderer_for(c), services.issue_day(c)) for c in contests}
    live = {
        (c.assessment_id, c.live_subject): c
        for c in db.session.scalars(
            select(Certificate).where(
                Certificate.assessment_id.in_(ct_ids),
                Certificate.live_subject.in_([item[1] for item in items]),
            )
        )
    }
    key, issued, pending = services.number_key(), 0, 0
    for ct_id, subject, seq in items:
        wanted = facts[ct_id].get(subject)
        if wanted is None:  # no longer earned since the plan
            continue
        current = live.get((ct_id, subject))
        if current and current.fingerprint == rules.fingerprint(wanted):
            continue  # issued by an earlier delivery of this work
        year, contest_code, contest_id = codes[ct_id]
        number = rules.certificate_number(year, contest_code, ct_id, seq, key)
        _issue_one(job_id, ct_id, contest_id, number, seq, batch[contest_id], wanted, current)
        issued += 1
        pending += 1
        if pending == COMMIT_EVERY:
            add_progress(job_id, pending)
            checkpoint()
            pending = 0
    add_progress(job_id, pending)
    checkpoint()
    return issued


def _issue_one(job_id, ct_id, contest_id, number, seq, batch, facts, current) -> Certificate:
    """Render and store one certificate, record it, and revoke the one it replaces."""
    renderer, issued_on = batch
    write_file(
        relative := f"{contest_id}/{ct_id}/{number}.pdf",
        renderer.render(facts, number, issued_on),
    )
    if current:
        services.revoke(current)
    certificate = Certificate(
        number=number,
        assessment_id=ct_id,
        seq=seq,
        kind=facts.kind,
        subject=facts.subject,
        live_subject=facts.subject,
        subject_id=_entry_of(facts.subject),
        delegation_id=_delegation_of(facts.subject),
        name=facts.name,
        unit=facts.unit,
        id_masked=facts.id_masked,
        contest=facts.contest,
        tier=facts.tier,
        trade=facts.trade,
        award=facts.award,
        rank=facts.rank,
        team=facts.team,
        issued_on=issued_on,
        fingerprint=rules.fingerprint(facts),
        file_path=relative,
        job_id=job_id,
    )
    # Written with the others at the checkpoint: the rows, their audit rows and the contest
    # looked up for them in a few statements, not three round trips a certificate.
    db.session.add(certificate)
    if current:
        current.replaced_by = certificate
    return certificate


def _entry_of(subject: str) -> int | None:
    kind, _, rest = subject.partition(":")
    return int(rest.split(":")[0]) if kind in ("entry", "honour", "member") else None


def _delegation_of(subject: str) -> int | None:
    kind, _, rest = subject.partition(":")
    return int(rest) if kind == "team" else None


def attach_outputs(job: Job, ct_ids: list[int]) -> dict:
    """Attach the ZIP of the valid certificates' PDFs and the register of all of them to the
    job; returns the counts for the job's result."""
    certificates = services.certificates_of(ct_ids)
    valid = [c for c in certificates if c.state == "valid"]
    for role in ("zip", "register"):
        if job.file(role):
            db.session.delete(job.file(role))
    db.session.flush()
    db.session.add_all(
        [
            JobFile(
                job_id=job.id,
                role="zip",
                filename=f"certificates-{job.contest_id}.zip",
                content_type="application/zip",
                # Thousands of PDFs make tens of MB: the ZIP stays in the storage folder and
                # the job keeps where it is.
                data=write_zip(f"batches/{job.id}.zip", valid).encode(),
            ),
            JobFile(
                job_id=job.id,
                role="register",
                filename=f"certificates-{job.contest_id}.xlsx",
                content_type=XLSX_TYPE,
                data=register(certificates),
            ),
        ]
    )
    return {"valid": len(valid), "revoked_total": len(certificates) - len(valid)}


def write_zip(relative: str, certificates: list[Certificate]) -> str:
    """Write the ZIP of the PDFs (one folder per trade, named by number and name; PDFs are
    compressed already: stored as they are) under the storage folder; returns its path there."""
    root = storage_dir()
    with _stored(relative) as partial, zipfile.ZipFile(partial, "w", zipfile.ZIP_STORED) as zf:
        for c in certificates:
            folder, name = rules.file_name_part(c.trade), rules.file_name_part(c.name)
            zf.write(root / c.file_path, f"{folder}/{c.number}-{name}.pdf")
    return relative


REGISTER_COLUMNS = (
    N_("Number"),
    N_("Name"),
    N_("Unit"),
    N_("Trade"),
    N_("Kind"),
    N_("Award"),
    N_("Rank"),
    N_("State"),
    N_("Issued on"),
    N_("Replaced by"),
)
KIND_LABELS = {
    "individual": N_("Individual"),
    "team": N_("Team"),
    "member": N_("Team member"),
    "honour": N_("Honour"),
}
STATE_LABELS = {"valid": N_("valid"), "revoked": N_("revoked")}


def register(certificates: list[Certificate]) -> bytes:
    """The register (.xlsx) of certificates: number, name, unit, trade, award, state…, in
    Chinese like the certificates themselves."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet("证书")
    numbers = {c.id: c.number for c in certificates}
    with force_locale("zh_Hans_CN"):
        sheet.append([_(h) for h in REGISTER_COLUMNS])
        for c in certificates:
            row = [
                c.number,
                c.name,
                c.unit,
                c.trade,
                _(KIND_LABELS[c.kind]),
                rules.AWARD_ZH.get(c.award, c.award),
                c.rank,
                _(STATE_LABELS[c.state]),
                c.issued_on,
                numbers.get(c.replaced_by_id, ""),
            ]
            sheet.append([neutralise_cell(v) for v in row])
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

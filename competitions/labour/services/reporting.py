"""Reporting and verifying figures: a reporter's figures with evidence files or an .xlsx import
(all or nothing, with an error report), and the organiser's accept, return and correct
(flush, never commit)."""

import io
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation

from openpyxl import load_workbook
from sqlalchemy import select

from competitions.core import sheets as core_sheets
from competitions.core.db import db, utcnow
from competitions.core.jobs import Job, JobFile, create_job, finish_job
from competitions.core.sheet_rules import XLSX_TYPE
from competitions.core.words import N_, Reason
from competitions.labour import rules
from competitions.labour.models import (
    LabourCompetition,
    LabourEvidence,
    LabourFigure,
    LabourParticipant,
    LabourPeriod,
    LabourReport,
)
from competitions.labour.services import LabourError

#: Evidence: PDF, PNG or JPEG (by their first bytes, whatever the name says), at most 5 MB.
EVIDENCE_MAX_BYTES = 5 * 1024 * 1024
MAGIC = {
    b"%PDF-": "application/pdf",
    b"\x89PNG\r\n\x1a\n": "image/png",
    b"\xff\xd8\xff": "image/jpeg",
}
IMPORT_KIND = "labour_import"
#: The columns of an import: period, participant, indicator, figure.
IMPORT_COLUMNS = ("周期", "参与单位", "指标", "数值")


def report_of(period_id: int, participant_id: int) -> LabourReport | None:
    return db.session.scalar(
        select(LabourReport).filter_by(period_id=period_id, participant_id=participant_id)
    )


def save_figures(
    period: LabourPeriod, participant: LabourParticipant, values: dict
) -> LabourReport:
    """Write the reporter's figures ({indicator id: Decimal}) on the period's report (a draft, or
    a returned one); refused when the period is closed or the report is submitted."""
    report = report_of(period.id, participant.id)
    problem = rules.reporting_problem(period.is_open, report.state if report else None)
    if problem:
        raise LabourError(problem)
    for indicator_id, value in values.items():
        problem = rules.figure_problem(value)
        if problem:
            raise LabourError(problem, str(indicator_id))
    if report is None:
        report = LabourReport(period_id=period.id, participant_id=participant.id, state="draft")
        db.session.add(report)
        db.session.flush()
    have = {f.indicator_id: f for f in report.figures}
    for indicator_id, value in values.items():
        figure = have.get(indicator_id)
        if figure is None:
            report.figures.append(LabourFigure(indicator_id=indicator_id, value=value))
        elif figure.value != value:
            figure.value, figure.correction_reason = value, ""
    db.session.flush()
    return report


def evidence_type(data: bytes) -> str | None:
    """The file's type by its first bytes (PDF, PNG, JPEG), or None."""
    return next((kind for magic, kind in MAGIC.items() if data.startswith(magic)), None)


def add_evidence(report: LabourReport, filename: str, data: bytes) -> LabourEvidence:
    """Attach an evidence file; refused unless a PDF or an image within the size limit."""
    problem = rules.reporting_problem(report.period.is_open, report.state)
    if problem:
        raise LabourError(problem, "evidence")
    if len(data) > EVIDENCE_MAX_BYTES:
        raise LabourError(Reason.of(N_("the file is larger than %(mb)s MB"), mb=5), "evidence")
    kind = evidence_type(data)
    if kind is None:
        raise LabourError(
            Reason.of(N_("evidence must be a PDF or an image (PNG, JPEG)")), "evidence"
        )
    evidence = LabourEvidence(
        report_id=report.id,
        filename=filename[:200] or "evidence",
        content_type=kind,
        size=len(data),
        data=data,
    )
    db.session.add(evidence)
    db.session.flush()
    return evidence


def submit(report: LabourReport, indicator_ids: list[int]) -> None:
    """Send the report to the organiser: every indicator needs its figure."""
    problem = rules.reporting_problem(report.period.is_open, report.state)
    if problem:
        raise LabourError(problem)
    missing = set(indicator_ids) - {f.indicator_id for f in report.figures}
    if missing:
        raise LabourError(Reason.of(N_("enter a figure for every indicator before submitting")))
    report.state, report.submitted_at = "submitted", utcnow()
    db.session.flush()


def accept(report: LabourReport, user_id: int) -> None:
    if report.state != "submitted":
        raise LabourError(Reason.of(N_("only a submitted report can be accepted or returned")))
    report.state, report.verified_by, report.verified_at = "accepted", user_id, utcnow()
    report.return_reason = ""
    db.session.flush()


def return_report(report: LabourReport, reason: str, user_id: int) -> None:
    """Send the report back to the reporter with a reason (they read it and correct)."""
    if report.state not in ("submitted", "accepted"):
        raise LabourError(Reason.of(N_("only a submitted report can be accepted or returned")))
    if len(reason.strip()) < 2:
        raise LabourError(Reason.of(N_("write why the report is returned")), "reason")
    report.state, report.return_reason = "returned", reason.strip()
    report.verified_by, report.verified_at = user_id, utcnow()
    db.session.flush()


def correct(figure: LabourFigure, value: Decimal, reason: str) -> None:
    """The organiser corrects a reported figure with a reason (the audit trail keeps both)."""
    problem = rules.figure_problem(value)
    if problem:
        raise LabourError(problem, "value")
    if len(reason.strip()) < 2:
        raise LabourError(Reason.of(N_("write why the figure is corrected")), "reason")
    figure.value, figure.correction_reason = value, reason.strip()
    db.session.flush()


@dataclass
class ImportProblem:
    row: int | None
    column: str
    value: str
    reason: Reason


def _decimal(value) -> Decimal | None:
    if value is None or value == "":
        return None
    try:
        return Decimal(str(value).strip())
    except InvalidOperation:
        return None


def import_figures(
    comp: LabourCompetition, data: bytes, allowed: set[int] | None
) -> tuple[int, list[ImportProblem]]:
    """Read figures from an .xlsx (columns 周期, 参与单位, 指标, 数值) and save them all, or
    nothing when any row has a problem. ``allowed``: the participants the user may report for
    (None: every one, for the organiser). Returns (figures saved, problems)."""
    problems: list[ImportProblem] = []
    if too_big := core_sheets.unpacked_problem(data):
        return 0, [ImportProblem(None, "", "", too_big)]
    try:
        book = load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        rows = list(book.worksheets[0].iter_rows(max_col=4, values_only=True))
        book.close()
    except Exception:
        return 0, [
            ImportProblem(None, "", "", Reason.of(N_("this file is not an .xlsx spreadsheet")))
        ]
    periods = {p.label: p for p in comp.periods if not p.is_total}
    participants = {p.name: p for p in comp.participants}
    indicators = {i.name: i for i in comp.indicators}
    seen: dict = {}
    wanted: dict = {}
    for number, row in enumerate(rows[1:], start=2):
        row = tuple(row) + (None,) * (4 - len(row))
        if all(v in (None, "") for v in row):
            continue
        label, name, ind_name, raw = (str(v).strip() if v is not None else "" for v in row)
        period, participant, ind = (
            periods.get(label),
            participants.get(name),
            indicators.get(ind_name),
        )
        if period is None:
            problems.append(ImportProblem(number, "周期", label, Reason.of(N_("no such period"))))
            continue
        if participant is None or (allowed is not None and participant.id not in allowed):
            problems.append(
                ImportProblem(
                    number,
                    "参与单位",
                    name,
                    Reason.of(N_("you do not report for this participant")),
                )
            )
            continue
        if ind is None:
            problems.append(
                ImportProblem(number, "指标", ind_name, Reason.of(N_("no such indicator")))
            )
            continue
        value = _decimal(raw)
        problem = (
            rules.figure_problem(value)
            if value is not None or not raw
            else Reason.of(N_("not a number"))
        )
        if problem:
            problems.append(ImportProblem(number, "数值", raw, problem))
            continue
        key = (period.id, participant.id, ind.id)
        if key in seen:
            problems.append(
                ImportProblem(
                    number,
                    "指标",
                    ind_name,
                    Reason.of(
                        N_("this figure is reported twice for the period (row %(row)s)"),
                        row=seen[key],
                    ),
                )
            )
            continue
        seen[key] = number
        report = report_of(period.id, participant.id)
        problem = rules.reporting_problem(period.is_open, report.state if report else None)
        if problem:
            problems.append(ImportProblem(number, "周期", label, problem))
            continue
        wanted.setdefault((period, participant), {})[ind.id] = value
    if not seen and not problems:
        problems.append(ImportProblem(None, "", "", Reason.of(N_("the file is empty"))))
    if problems:
        return 0, problems
    for (period, participant), values in wanted.items():
        save_figures(period, participant, values)
    return len(seen), []


def refused_import(comp: LabourCompetition, problems: list[ImportProblem], user_id: int) -> Job:
    """A failed job holding the downloadable error report of a refused import."""
    job = create_job(IMPORT_KIND, user_id, comp.contest_id)
    finish_job(
        job,
        "failed",
        N_("Nothing was saved: the file has problems."),
        {"error_count": len(problems)},
    )
    errors = [
        {
            "row": p.row,
            "column": p.column,
            "value": p.value,
            "msgid": p.reason.msgid,
            "params": dict(p.reason.params),
        }
        for p in problems
    ]
    db.session.add(
        JobFile(
            job_id=job.id,
            role="errors",
            filename="labour-import-errors.xlsx",
            content_type=XLSX_TYPE,
            data=core_sheets.error_report(errors),
        )
    )
    db.session.flush()
    return job

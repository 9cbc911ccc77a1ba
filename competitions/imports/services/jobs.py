"""The import's job rows: create one with the upload, record its outcome, list and read them."""

from sqlalchemy import select
from sqlalchemy.orm import lazyload

from competitions.accounts.models import User
from competitions.core import sheets
from competitions.core.db import db
from competitions.core.jobs import Job, JobFile, create_job, finish_job
from competitions.core.sheet_rules import XLSX_TYPE
from competitions.core.words import N_
from competitions.imports.services import Outcome

#: How many errors the job keeps for its page; the report file has them all.
ERRORS_KEPT = 500
KIND = "import_entries"
#: Marks imports: theory marks by ID number, practical marks by anonymous code.
MARKS_KINDS = {"theory": "import_theory", "practical": "import_practical"}
KINDS = (KIND, *MARKS_KINDS.values())


def create_import_job(
    contest_id: int,
    user_id: int,
    filename: str,
    content_type: str,
    data: bytes,
    kind: str = KIND,
    ct_id: int | None = None,
) -> Job:
    """A pending import job holding the uploaded file (the caller commits, then queues); a
    marks import keeps its contest-trade in the job's result until it ends."""
    job = create_job(kind, user_id, contest_id)
    if ct_id is not None:
        job.result = {"contest_trade_id": ct_id}
    db.session.add(
        JobFile(
            job_id=job.id,
            role="input",
            filename=filename[-255:],
            content_type=(content_type or "")[:100],
            data=data,
        )
    )
    db.session.flush()
    return job


def record_outcome(job: Job, outcome: Outcome) -> None:
    """Mark the job: succeeded with the counts, or failed with its errors and their report."""
    job.total = outcome.rows
    kept = {k: v for k, v in (job.result or {}).items() if k == "contest_trade_id"}
    if outcome.ok:
        finish_job(job, "succeeded", N_("Import finished."), {**kept, **outcome.counts()})
        return
    db.session.add(
        JobFile(
            job_id=job.id,
            role="errors",
            filename="import-errors.xlsx",
            content_type=XLSX_TYPE,
            data=sheets.error_report(outcome.errors),
        )
    )
    finish_job(
        job,
        "failed",
        N_("Nothing was saved: the file has problems."),
        {
            **kept,
            "rows": outcome.rows,
            "error_count": len(outcome.errors),
            "errors": outcome.errors[:ERRORS_KEPT],
        },
    )


def recent_jobs(contest_id: int, limit: int = 20, kind: str = KIND) -> list:
    """The contest's latest imports of a kind: id, state, when, who, file name (no contents)."""
    return db.session.execute(
        select(Job.id, Job.state, Job.created_at, User.display_name, JobFile.filename, Job.result)
        .outerjoin(User, User.id == Job.user_id)
        .outerjoin(JobFile, (JobFile.job_id == Job.id) & (JobFile.role == "input"))
        .where(Job.contest_id == contest_id, Job.kind == kind)
        .order_by(Job.created_at.desc())
        .limit(limit)
    ).all()


def recent_marks_jobs(contest_id: int, kind: str, ct_id: int) -> list:
    """The contest-trade's latest marks imports of a kind (theory or practical)."""
    rows = recent_jobs(contest_id, 50, kind)
    return [r for r in rows if (r.result or {}).get("contest_trade_id") == ct_id][:20]


def import_job(contest_id: int, job_id: str) -> Job | None:
    """The contest's import job (of any kind) with this id, without loading its files."""
    return db.session.scalar(
        select(Job)
        .where(Job.id == job_id, Job.contest_id == contest_id, Job.kind.in_(KINDS))
        .options(lazyload(Job.files))
    )

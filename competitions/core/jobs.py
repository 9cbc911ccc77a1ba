"""The status of background jobs: one row per job, written by the worker, read by the UI.

Every long job (imports now; recomputes and certificate batches later) creates a :class:`Job`
before it is queued, and the task moves it pending → running (with progress) → succeeded or
failed. The UI polls this row instead of peeking into Celery.
"""

import uuid
from datetime import datetime

from sqlalchemy import (
    JSON,
    CheckConstraint,
    ForeignKey,
    String,
    Text,
    and_,
    case,
    select,
    update,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.core.audit import acting_as
from competitions.core.crypto import EncryptedBytes
from competitions.core.db import db, utcnow

STATES = ("pending", "running", "succeeded", "failed")


class Job(db.Model):
    """One background job and how far it has got."""

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=lambda: str(uuid.uuid4()))
    #: What kind of job this is, e.g. "import_entries".
    kind: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(10), default="pending")
    #: Work done out of total (rows, entries, certificates…); total 0 until known.
    done: Mapped[int] = mapped_column(default=0)
    total: Mapped[int] = mapped_column(default=0)
    #: A short human message for the current step or the failure.
    message: Mapped[str] = mapped_column(Text, default="")
    #: The outcome, kind-specific (counts, error lists).
    result: Mapped[dict | None] = mapped_column(JSON)
    user_id: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL"), index=True
    )
    contest_id: Mapped[int | None] = mapped_column(
        ForeignKey("contest.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    finished_at: Mapped[datetime | None] = mapped_column()

    files: Mapped[list["JobFile"]] = relationship(
        back_populates="job", cascade="all, delete-orphan", lazy="selectin"
    )

    __table_args__ = (CheckConstraint(f"state IN {STATES}", name="state"),)

    def __repr__(self) -> str:
        return f"<Job {self.kind} {self.id} {self.state} {self.done}/{self.total}>"

    @property
    def percent(self) -> int:
        """Progress as a whole percentage (100 once succeeded)."""
        if self.state == "succeeded":
            return 100
        return min(100, int(self.done * 100 / self.total)) if self.total else 0

    def file(self, role: str) -> "JobFile | None":
        """The job's file with this role ("input", "errors"…), if any."""
        return next((f for f in self.files if f.role == role), None)

    def as_dict(self) -> dict:
        """The JSON the progress bar polls."""
        return {
            "id": self.id,
            "kind": self.kind,
            "state": self.state,
            "done": self.done,
            "total": self.total,
            "percent": self.percent,
            "message": self.message,
        }


class JobFile(db.Model):
    """A file a job reads or writes, kept in the database so every worker machine can reach it."""

    id: Mapped[int] = mapped_column(primary_key=True)
    job_id: Mapped[str] = mapped_column(ForeignKey("job.id", ondelete="CASCADE"), index=True)
    #: "input" (the upload) or "errors" (the downloadable error report).
    role: Mapped[str] = mapped_column(String(20))
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    #: Deferred: listing a job's files (every progress poll) must not read the bytes. Kept
    #: encrypted: uploads and error reports hold ID numbers and phones.
    data: Mapped[bytes] = mapped_column(EncryptedBytes, deferred=True)

    job: Mapped[Job] = relationship(back_populates="files")

    def __repr__(self) -> str:
        return f"<JobFile {self.role} {self.filename}>"


def create_job(kind: str, user_id: int | None, contest_id: int | None = None) -> Job:
    """Add a pending job to the session (the caller commits, then queues the task)."""
    job = Job(kind=kind, user_id=user_id, contest_id=contest_id, state="pending")
    db.session.add(job)
    db.session.flush()
    return job


def report_progress(job_id: str, done: int, total: int, message: str = "") -> None:
    """Record progress on its own connection, visible at once whatever the job's transaction."""
    with db.engine.begin() as conn:
        conn.execute(
            update(Job)
            .where(Job.id == job_id)
            .values(state="running", done=done, total=total, message=message)
        )


def add_progress(job_id: str, done: int) -> None:
    """Count ``done`` more units of a job's work, atomically (chunks finish in any order).

    A job that has ended stays ended (a chunk delivered again, or finishing after another
    chunk failed, does not reopen it), and the count never passes the total.
    """
    if done:
        counted = Job.done + done
        db.session.execute(
            update(Job)
            .where(Job.id == job_id, Job.state.in_(("pending", "running")))
            .values(
                state="running",
                done=case((and_(Job.total > 0, counted > Job.total), Job.total), else_=counted),
            )
        )


def finish_job(job: Job, state: str, message: str = "", result: dict | None = None) -> None:
    """Mark the job succeeded or failed in the current session (the caller commits)."""
    job.state = state
    job.message = message
    job.result = result
    job.finished_at = utcnow()
    if state == "succeeded":
        job.done = job.total


def job_file_info(job_id: str) -> dict[str, str]:
    """{role: file name} of a job's files, without their contents."""
    rows = db.session.execute(
        select(JobFile.role, JobFile.filename).where(JobFile.job_id == job_id)
    )
    return {role: name for role, name in rows}


def job_file(job_id: str, role: str) -> JobFile | None:
    """One file of a job, with its contents."""
    return db.session.scalar(select(JobFile).where(JobFile.job_id == job_id, JobFile.role == role))


def as_job_owner(job: Job | None):
    """The audit log names who started the job (and its contest) for what its tasks change."""
    return acting_as(job.user_id, job.contest_id) if job else acting_as(None)


def fail_job(job_id: str, message: str) -> None:
    """A task of the job failed: what it did is rolled back, the job ends failed with
    ``message`` (what was committed before stays), and that is committed."""
    db.session.rollback()
    finish_job(db.session.get(Job, job_id), "failed", message)
    db.session.commit()

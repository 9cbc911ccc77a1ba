"""Appeals (申诉) against results under public notice, and their decisions."""

from datetime import datetime

from sqlalchemy import JSON, CheckConstraint, ForeignKey, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.core.crypto import Encrypted
from competitions.core.db import db, utcnow
from competitions.core.identity_rules import mask_phone


class Appeal(db.Model):
    """A written, signed appeal about one subject's result (an entry's), decided by the
    arbitrator."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )
    subject_id: Mapped[int] = mapped_column(
        ForeignKey("subject.id", ondelete="CASCADE"), index=True
    )
    #: The real name it is signed with, and how to reach the appellant (a phone: kept
    #: encrypted, masked in the audit log).
    real_name: Mapped[str] = mapped_column(String(100))
    contact: Mapped[str] = mapped_column(Encrypted(255, mask=mask_phone), default="")
    reason: Mapped[str] = mapped_column(Text)
    #: Filed at the venue within the on-site window, rather than during the notice period.
    onsite: Mapped[bool] = mapped_column(default=False)
    filed_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: pending → upheld | rejected (the decision is final).
    state: Mapped[str] = mapped_column(String(10), default="pending")
    decided_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    decided_at: Mapped[datetime | None] = mapped_column()
    decision: Mapped[str] = mapped_column(Text, default="")
    #: The entry's result when the appeal was upheld (total, rank, award), to show what changed.
    result_before: Mapped[dict | None] = mapped_column(JSON)

    __table_args__ = (CheckConstraint("state IN ('pending', 'upheld', 'rejected')", name="state"),)

    subject = relationship("Subject")

    def __repr__(self) -> str:
        return f"<Appeal {self.id} subject={self.subject_id} {self.state}>"

"""The proof attached to an entry (a photo, proof of employment)."""

from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from competitions.core.crypto import EncryptedBytes
from competitions.core.db import db, utcnow
from competitions.enrolment.rules import ATTACHMENT_KINDS


class EntryAttachment(db.Model):
    """One file of proof of an entry, one per kind: a new upload replaces the old one. The
    file is kept encrypted (a photo and an employer's letter are personal data); its type was
    read from its content, not its name."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    entry_id: Mapped[int] = mapped_column(ForeignKey("entry.id", ondelete="CASCADE"), index=True)
    #: "photo" or "employment" (proof of employment).
    kind: Mapped[str] = mapped_column(String(20))
    #: The name the file had on the uploader's computer (shown, never used as a path).
    filename: Mapped[str] = mapped_column(String(200))
    #: The type its first bytes say (image/jpeg, image/png, application/pdf).
    content_type: Mapped[str] = mapped_column(String(50))
    size: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    #: The file, encrypted; loaded only when asked for.
    data: Mapped[bytes] = mapped_column(EncryptedBytes, deferred=True, info={"audited": False})
    uploaded_by: Mapped[int | None] = mapped_column(
        ForeignKey("user_account.id", ondelete="SET NULL")
    )
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)

    __table_args__ = (
        UniqueConstraint("entry_id", "kind"),
        CheckConstraint(
            "kind IN (" + ", ".join(f"'{k}'" for k in ATTACHMENT_KINDS) + ")", name="kind"
        ),
        CheckConstraint("size >= 0", name="size"),
    )

    def __repr__(self) -> str:
        return f"<EntryAttachment {self.kind} of entry {self.entry_id}>"

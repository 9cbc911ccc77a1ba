"""The unit tree."""

from sqlalchemy import ForeignKey, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from competitions.core.db import db


class Unit(db.Model):
    """An employer or organisation (单位); units form a tree."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    #: Unique, so an import can name a unit by its name.
    name: Mapped[str] = mapped_column(String(150), unique=True)
    #: enterprise, union (工会), government, school, other.
    kind: Mapped[str] = mapped_column(String(20), default="enterprise")
    parent_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="RESTRICT"), index=True
    )

    parent: Mapped["Unit | None"] = relationship(remote_side=[id], back_populates="children")
    children: Mapped[list["Unit"]] = relationship(back_populates="parent", order_by="Unit.name")

    def __repr__(self) -> str:
        return f"<Unit {self.id} {self.name}>"

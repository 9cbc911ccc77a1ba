"""The two supertables every kind of judged thing shares: ``assessment`` and ``subject``.

Judging (schemes, panels with recusal, anonymous codes, marks, double entry, disagreements, the
lock) keys its rows by ``assessment.id`` and ``subject.id`` and reads nothing else of a kind but
the interface below. A kind is a pair of models using joined-table inheritance, sharing the
supertables' ids: a contest-trade *is* an assessment and an entry *is* a subject
(``registry.models``); a 工匠 candidate or an innovation achievement is another pair.

The interface a kind fills in:

- ``Assessment`` subclass: the columns ``contest_id`` (the contest or selection it is held in;
  the roles in it govern who may do what) and a ``contest`` relationship; ``title`` (its name
  in the reader's language), ``short_code``, ``part_weights`` (percent per scheme part kind),
  ``delegation_choices`` (the groups a judge may come with), ``resembles`` (offered first
  when copying a scheme), ``notice_working_days`` and ``appeal_window_hours`` (publication),
  ``printed_title`` (certificates) and ``subject_class`` (its ``Subject``
  subclass).
- ``Subject`` subclass: ``facts()``, one SELECT giving, per subject, the facts judging needs:
  who it is (for recusal and the organiser's lists) and whether it is marked at all.

See docs/ARCHITECTURE.md, section 8.
"""

from decimal import Decimal
from typing import ClassVar

from sqlalchemy import (
    ForeignKey,
    ForeignKeyConstraint,
    Select,
    String,
    UniqueConstraint,
    union_all,
)
from sqlalchemy.orm import Mapped, column_property, mapped_column

from competitions.core.db import db

#: The columns of ``Subject.facts()``, by label.
FACT_COLUMNS = (
    "subject_id",
    "assessment_id",
    # The subject's person, if it is one person, and their keyed ID number hash (declared
    # relations match it); their name, unit, and the delegation that sent them.
    "person_id",
    "id_number_hash",
    "name",
    "unit_id",
    "unit_name",
    "delegation_id",
    "delegation_name",
    "delegation_unit_id",
    # False for subjects that are not marked (withdrawn, absent, not admitted…).
    "marked",
)


class Assessment(db.Model):
    """One round of judging: the subjects one panel marks on one scheme, held in a contest."""

    id: Mapped[int] = mapped_column(primary_key=True)
    #: Which kind of assessment (the subclass's table): "contest_trade", …
    kind: Mapped[str] = mapped_column(String(30))
    #: The contest (or selection) it is held in: the roles in it govern who may do what.
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contest.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (UniqueConstraint("id", "contest_id"),)
    __mapper_args__ = {"polymorphic_on": "kind"}

    #: The kind's Subject subclass (set by the kind).
    subject_class: ClassVar[type["Subject"]]

    @property
    def title(self) -> str:
        """Its name in the reader's language (a trade's name, a selection's title)."""
        raise NotImplementedError

    @property
    def printed_title(self) -> str:
        """Its name as certificates print it (Chinese, whatever the reader's language)."""
        raise NotImplementedError

    @property
    def short_code(self) -> str:
        """A short code printed beside the title (a trade's code)."""
        raise NotImplementedError

    # Publication reads ``notice_working_days`` (the public notice's length in working days)
    # and ``appeal_window_hours`` (the on-site appeal window): the kind's columns or values.

    @property
    def part_weights(self) -> dict[str, Decimal]:
        """The weight in percent of each scheme part kind (theory, practical) in the total."""
        raise NotImplementedError

    def delegation_choices(self) -> list[tuple[int, str]]:
        """(id, name) of the groups a judge may come with (delegations, nominating bodies):
        a judge recuses from the subjects their group sent."""
        raise NotImplementedError

    def seat_group(self, member, group_id: int | None) -> None:
        """Record the group a panel member comes with (a delegation by default; a kind whose
        groups are its own rows, e.g. a selection's nominating bodies, keeps them itself)."""
        member.delegation_id = group_id

    def judge_affiliation(self, member) -> tuple[int | None, int | None]:
        """A panel member's unit and group for recusal: their account's unit and delegation."""
        return member.user.unit_id, member.delegation_id

    def resembles(self, other: "Assessment") -> bool:
        """Whether ``other`` (of the same kind) is alike, to offer its scheme first for a copy."""
        raise NotImplementedError

    def __repr__(self) -> str:
        return f"<Assessment {self.id} {self.kind}>"


class Subject(db.Model):
    """One thing assessed in an assessment: an entry, a candidate, an achievement."""

    id: Mapped[int] = mapped_column(primary_key=True)
    kind: Mapped[str] = mapped_column(String(30))
    assessment_id: Mapped[int] = mapped_column(
        ForeignKey("assessment.id", ondelete="CASCADE"), index=True
    )

    __table_args__ = (UniqueConstraint("id", "assessment_id"),)
    __mapper_args__ = {"polymorphic_on": "kind"}

    @classmethod
    def facts(cls) -> Select:
        """One row per subject of this kind with the columns ``FACT_COLUMNS`` (labelled so)."""
        raise NotImplementedError

    @classmethod
    def members(cls, subject_ids: list[int]) -> dict[int, list[tuple[int, str, str]]]:
        """The people a subject stands for when it is a team (an innovation achievement's
        members), {subject id: [(person id, name, unit name)…]}: certificates give each of
        them a certificate of their own. A subject left out (the default: every one) is one
        person or one group, with one certificate."""
        return {}

    def __repr__(self) -> str:
        return f"<Subject {self.id} {self.kind}>"


def kept_in_both(name: str, references: str, supertable_column):
    """A column a kind keeps in its own table as well as in the supertable, mapped as one
    attribute (a contest-trade's ``contest_id``, an entry's ``contest_trade_id``): the kind's
    own unique constraints can name it. ``same_as_supertable`` keeps the two equal."""
    return column_property(
        mapped_column(name, ForeignKey(references, ondelete="CASCADE"), index=True, nullable=False),
        supertable_column,
    )


def same_as_supertable(name: str, supertable_column) -> ForeignKeyConstraint:
    """The composite foreign key (id, ``name``) → the supertable's (id, its column): the copy
    kept by ``kept_in_both`` can never differ from the supertable's."""
    table = supertable_column.table.name
    return ForeignKeyConstraint(
        ["id", name],
        [f"{table}.id", f"{table}.{supertable_column.name}"],
        ondelete="CASCADE",
        onupdate="CASCADE",
    )


def facts_of(assessment_id: int, marked_only: bool = False):
    """The facts of one assessment's subjects (only those marked, if asked), as a subquery to
    join (columns FACT_COLUMNS); the assessment's kind says which ``facts()`` to read."""
    facts = db.session.get_one(Assessment, assessment_id).subject_class.facts()
    where = [facts.selected_columns.assessment_id == assessment_id]
    if marked_only:
        where.append(facts.selected_columns.marked)
    return facts.where(*where).subquery("facts")


def every_kinds_facts():
    """The facts of every subject of every kind, as one subquery (columns FACT_COLUMNS)."""
    kinds = [m.class_ for m in Subject.__mapper__.self_and_descendants if m.class_ is not Subject]
    return union_all(*(kind.facts() for kind in kinds)).subquery("facts")

"""How the audit log names assessments and subjects of any kind (``audit_words`` namers)."""

from sqlalchemy import select

from competitions.assessment.models import Assessment, every_kinds_facts
from competitions.core import audit_words
from competitions.core.db import db


@audit_words.names_records("assessment")
def assessment_names(ids: set[int]) -> dict[int, str]:
    """An assessment by its short code and printed title (a contest-trade: the trade's code and
    Chinese name)."""
    found = db.session.scalars(select(Assessment).where(Assessment.id.in_(ids)))
    return {a.id: f"{a.short_code} {a.printed_title}" for a in found}


@audit_words.names_records("subject")
def subject_names(ids: set[int]) -> dict[int, str]:
    """A subject by its name (an entry: the contestant's name)."""
    facts = every_kinds_facts()
    rows = db.session.execute(
        select(facts.c.subject_id, facts.c.name).where(facts.c.subject_id.in_(ids))
    )
    return {subject_id: name or "" for subject_id, name in rows}

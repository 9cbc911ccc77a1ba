"""Personal information's life cycle: what Jingsai holds about one person, gathered from every
area, as a workbook an organiser hands to the person who asked (a subject access request under
the PIPL; every cell through ``core.sheet_rules.neutralise_row``); and the anonymising of
people whose contests' retention has run out."""

import io
from datetime import date

from flask_babel import gettext as _
from openpyxl import Workbook
from sqlalchemy import or_, select, update

from competitions.assessment.models import Subject
from competitions.certificates.models import Certificate
from competitions.core import audit_words
from competitions.core.audit import AuditLog, record_event
from competitions.core.crypto import id_number_hash
from competitions.core.db import db
from competitions.core.i18n import local_day, trade_name, utc_moment
from competitions.core.labels import (
    AWARD_LABELS,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    SKILL_LABELS,
    STATUS_LABELS,
)
from competitions.core.sheet_rules import neutralise_row
from competitions.privacy import rules
from competitions.publication.models import Appeal
from competitions.registry.models import Contest, ContestTrade, Entry, Person
from competitions.results.models import PUBLISHED, Honour, Result, ResultSet


def _label(labels: dict, value) -> str:
    return str(labels.get(value, value)) if value not in (None, "") else ""


def _sheet(book: Workbook, title: str, headers: list[str], rows: list[list]) -> None:
    sheet = book.create_sheet(title[:31])
    sheet.append(neutralise_row(headers))
    for row in rows:
        sheet.append(neutralise_row(row))


def personal_data_workbook(person: Person, contest_ids: set[int] | None) -> bytes:
    """What is held about ``person``, one sheet each: their record, and their entries, published
    results, certificates, appeals and the changes to their record and entries, in the contests
    ``contest_ids`` (the requester's; None: every contest, for a registrar). Draft results are
    left out: they are not the person's yet."""
    book = Workbook(write_only=True)
    _sheet(
        book,
        _("Record"),
        [_("Field"), _("Value")],
        [
            [_("Name"), person.name],
            [_("ID type"), _label(ID_TYPE_LABELS, person.id_type)],
            [_("ID number"), person.id_number],
            [_("Gender"), _label(GENDER_LABELS, person.gender)],
            [_("Birth date"), local_day(person.birth_date)],
            [_("Unit"), person.unit.name if person.unit else ""],
            [_("Skill level"), _label(SKILL_LABELS, person.skill_level)],
            [_("Phone"), person.phone],
            [_("Created at"), utc_moment(person.created_at)],
        ],
    )
    entries = [
        e
        for e in person.entries
        if contest_ids is None or e.contest_trade.contest_id in contest_ids
    ]
    _sheet(
        book,
        _("Entries"),
        [_("Contest"), _("Trade"), _("Status"), _("Delegation")],
        [
            [
                e.contest_trade.contest.name,
                trade_name(e.contest_trade.trade),
                _label(STATUS_LABELS, e.status),
                e.delegation.name if e.delegation else "",
            ]
            for e in entries
        ],
    )
    by_entry = {e.id: e for e in entries}
    ids = list(by_entry)
    results = db.session.scalars(
        select(Result)
        .join(ResultSet, ResultSet.assessment_id == Result.assessment_id)
        .where(Result.subject_id.in_(ids), ResultSet.state.in_(PUBLISHED))
    ).all()
    _sheet(
        book,
        _("Results"),
        [_("Contest"), _("Trade"), _("Theory"), _("Practical"), _("Total"), _("Rank"), _("Award")],
        [
            [
                by_entry[r.subject_id].contest_trade.contest.name,
                trade_name(by_entry[r.subject_id].contest_trade.trade),
                r.theory,
                r.practical,
                r.total,
                r.rank,
                _label(AWARD_LABELS, r.award),
            ]
            for r in results
        ],
    )
    certificates = db.session.scalars(
        select(Certificate).where(Certificate.subject_id.in_(ids)).order_by(Certificate.issued_at)
    ).all()
    _sheet(
        book,
        _("Certificates"),
        [_("Number"), _("Name"), _("Award"), _("State"), _("Issued at")],
        [[c.number, c.name, c.award, c.state, utc_moment(c.issued_at)] for c in certificates],
    )
    appeals = db.session.scalars(
        select(Appeal).where(Appeal.subject_id.in_(ids)).order_by(Appeal.filed_at)
    ).all()
    _sheet(
        book,
        _("Appeals"),
        [_("Filed at"), _("Reason"), _("State"), _("Decision")],
        [[utc_moment(a.filed_at), a.reason, a.state, a.decision] for a in appeals],
    )
    history = db.session.scalars(
        select(AuditLog)
        .where(
            or_(
                (AuditLog.entity == "person") & (AuditLog.entity_id == person.id),
                (AuditLog.entity == "entry") & AuditLog.entity_id.in_(ids),
            )
        )
        .order_by(AuditLog.at)
    ).all()
    names = audit_words.referenced_names(history)
    _sheet(
        book,
        _("Changes"),
        [_("When"), _("Changes")],
        [[utc_moment(h.at), "\n".join(audit_words.describe(h, names))] for h in history],
    )
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


#: What an anonymised person's name becomes (their ID number becomes ANON and their id).
ANONYMOUS = "已匿名"
#: The kind of job each run of the retention rule is kept as.
RETENTION_JOB = "retention"


def _takings(default_years: int) -> dict[int, list[rules.Taking]]:
    """Every person still named, with their entries as retention looks at them."""
    honoured = select(Honour.entry_id).where(Honour.state != "withdrawn")
    rows = db.session.execute(
        select(
            Entry.person_id,
            ResultSet.state,
            ResultSet.finalised_at,
            Result.award,
            Entry.id.in_(honoured),
            Contest.retention_years,
        )
        .join(Person, Person.id == Entry.person_id)
        .join(ContestTrade, ContestTrade.id == Entry.contest_trade_id)
        .join(Contest, Contest.id == ContestTrade.contest_id)
        .outerjoin(ResultSet, ResultSet.assessment_id == Entry.contest_trade_id)
        .outerjoin(Result, Result.subject_id == Entry.id)
        .where(Person.anonymised_at.is_(None))
    )
    out: dict[int, list[rules.Taking]] = {}
    for person_id, state, finalised_at, award, honour, years in rows:
        final_on = finalised_at.date() if state == "final" and finalised_at else None
        taking = rules.Taking(final_on, bool(award) or bool(honour), years or default_years)
        out.setdefault(person_id, []).append(taking)
    return out


def anonymise(person_id: int, now) -> None:
    """Replace a person's name, ID number, phone and birth date, and the name and contact their
    appeals and final results hold; the audit log keeps that it was done, not what was there
    (the update goes around the ORM's change log on purpose)."""
    number = f"ANON{person_id}"
    db.session.execute(
        update(Person)
        .where(Person.id == person_id)
        .values(
            name=ANONYMOUS,
            id_number=number,
            id_number_hash=id_number_hash(number),
            phone="",
            birth_date=date(1900, 1, 1),
            anonymised_at=now,
        )
        # Nothing to bring up to date in the session (and an encrypted column cannot be
        # evaluated there).
        .execution_options(synchronize_session=False)
    )
    entries = select(Entry.id).where(Entry.person_id == person_id)
    db.session.execute(
        update(Appeal).where(Appeal.subject_id.in_(entries)).values(real_name=ANONYMOUS, contact="")
    )
    db.session.execute(
        update(Result)
        .where(Result.subject_id.in_(entries), Result.final_name.is_not(None))
        .values(final_name=ANONYMOUS)
    )
    record_event("person", "anonymise", person_id, {"reason": "retention"}, user_id=None)


def clear_objectors(today: date, keep_days: int) -> int:
    """Clear the name and contact of every public objector due (``rules.objector_due``): the
    appeals with a contact about anything but a contest entry (a contestant's own appeal goes
    with their retention, a labour competition's reporter leaves no contact). The audit log
    keeps that it was done, not what was there. How many; flushes, the task commits."""
    candidates = db.session.scalars(
        select(Appeal)
        .join(Subject, Subject.id == Appeal.subject_id)
        .where(
            Subject.kind != "entry", Appeal.decided_at.is_not(None), Appeal.real_name != ANONYMOUS
        )
    )
    due = [
        a.id
        for a in candidates
        if a.contact and rules.objector_due(a.decided_at.date(), today, keep_days)
    ]
    if due:
        db.session.execute(
            update(Appeal)
            .where(Appeal.id.in_(due))
            .values(real_name=ANONYMOUS, contact="")
            .execution_options(synchronize_session=False)
        )
    for appeal_id in due:
        record_event("appeal", "anonymise", appeal_id, {}, user_id=None)
    db.session.flush()
    return len(due)


def apply_retention(today: date, default_years: int, now) -> int:
    """Anonymise everyone whose contests' retention has run out today
    (``rules.due_for_anonymising``); how many. Flushes; the task commits."""
    due = [
        person_id
        for person_id, takings in _takings(default_years).items()
        if rules.due_for_anonymising(takings, today)
    ]
    for person_id in due:
        anonymise(person_id, now)
    db.session.flush()
    return len(due)

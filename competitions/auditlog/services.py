"""A contest's audit trail as its organisers read it: the rows, newest first, and as .xlsx.

Every cell of the spreadsheet goes through ``core.sheet_rules.neutralise_cell``: names, reasons and
values typed by users never run as formulas.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import pgettext, to_user_timezone, to_utc
from openpyxl import Workbook
from sqlalchemy import Select, and_, func, or_, select

from competitions.accounts.models import User
from competitions.core import audit_words
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.sheet_rules import neutralise_row
from competitions.registry.models import (
    Contest,
    ContestTrade,
    Entry,
)

PAGE_SIZE = 50

ACTION_LABELS = {
    "create": _l("Created"),
    "update": _l("Changed"),
    "delete": _l("Deleted"),
    # Steps of two-step log-in (competitions.accounts.services.second_factor).
    "enable": _l("Turned on two-step log-in"),
    "login": _l("Logged in with the authenticator app's code"),
    "fail": _l("Typed a wrong code at the second step of log-in"),
    "recovery": _l("Logged in with a recovery code"),
    "renew": _l("Made new recovery codes"),
    "reset": _l("Turned off someone's two-step log-in"),
    # Events that change no record (core.audit.record_event).
    "signin": _l("Logged in"),
    "signfail": _l("Failed to log in"),
    "signout": _l("Logged out"),
    "export": _l("Downloaded"),
    "anonymise": _l("Anonymised (retention ran out)"),
}
#: What the audited tables hold, in the user's language (others show their table name).
ENTITY_LABELS = {
    "contest": _l("Contest"),
    "contest_trade": _l("Contest trade"),
    "delegation": _l("Delegation"),
    "entry": _l("Entry"),
    "entry_attachment": _l("Proof of an entry"),
    "person": _l("Contestant"),
    "contest_role": _l("Role"),
    "panel_member": _l("Panel member"),
    "scheme_item": _l("Marking scheme item"),
    "score_sheet": _l("Score sheet"),
    "flag_resolution": _l("Disagreement decision"),
    "mark_change": _l("Mark correction"),
    "lock_event": _l("Lock or unlock"),
    "relation_declaration": _l("Declared relation"),
    "code_reveal": _l("Code list viewed"),
    "id_reveal": _l("Whole ID numbers shown"),
    "result_set": _l("Results"),
    "appeal": _l("Appeal"),
    "certificate_design": _l("Certificate design"),
    "certificate": _l("Certificate"),
    "exam_session": _l("Session"),
    "seat_draw": _l("Draw of lots"),
    "seat": _l("Seat and admission ticket"),
    "check_in": _l("Check-in"),
    "trade": _l("Trade"),
    "user_account": _l("User account"),
    "login": _l("Log-in"),
    "download": _l("Download"),
    "unit": _l("Unit"),
    "second_factor": _l("Two-step log-in"),
    "honour": _l("Honour"),
    "promotion": _l("Skill level promotion"),
}


@dataclass(frozen=True)
class TrailLine:
    """One audit row as shown: when, who, what was done to which record, and the changes."""

    at: datetime
    who: str
    action: str
    record: str
    entity_id: int
    changes: list[str]


@dataclass(frozen=True)
class TrailFilter:
    """Which rows to show: by whom, what kind of record, from and until which local day."""

    who: int | None = None
    what: str | None = None
    since: date | None = None
    until: date | None = None

    def conditions(self) -> list:
        """The SQL conditions of the filter (times are kept in UTC, days are local)."""
        out = []
        if self.who:
            out.append(AuditLog.user_id == self.who)
        if self.what:
            out.append(AuditLog.entity == self.what)
        if self.since:
            out.append(AuditLog.at >= to_utc(datetime.combine(self.since, time())))
        if self.until:
            end = datetime.combine(self.until + timedelta(days=1), time())
            out.append(AuditLog.at < to_utc(end))
        return out


def people_in_trail(contest_id: int | None) -> list[tuple[int, str]]:
    """(user id, name) of everyone who changed something in the contest, by name."""
    query = trail_query(contest_id).subquery()
    ids = select(query.c.user_id).where(query.c.user_id.is_not(None)).distinct()
    rows = db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(ids)).order_by(User.display_name)
    )
    return [tuple(r) for r in rows]


def trail_query(contest_id: int | None, filters: TrailFilter | None = None) -> Select:
    """The contest's audit rows, newest first: its own, and the changes of its contestants'
    records (a contestant's record is shared by their contests); only those the filters keep.
    With no contest: every row (the audit administrator's whole trail)."""
    query = select(AuditLog, User.display_name).outerjoin(User, User.id == AuditLog.user_id)
    if contest_id is not None:
        persons = (
            select(Entry.person_id)
            .join(ContestTrade, ContestTrade.id == Entry.contest_trade_id)
            .where(ContestTrade.contest_id == contest_id)
        )
        query = query.where(
            or_(
                AuditLog.contest_id == contest_id,
                and_(AuditLog.entity == "person", AuditLog.entity_id.in_(persons)),
            )
        )
    return query.where(*(filters.conditions() if filters else [])).order_by(
        AuditLog.at.desc(), AuditLog.id.desc()
    )


def trail_page(
    contest_id: int | None, page: int, filters: TrailFilter | None = None
) -> tuple[list[TrailLine], int]:
    """One page of the contest's trail (what the filters keep) and the number of pages."""
    query = trail_query(contest_id, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    names = audit_words.referenced_names(log for log, _ in rows)
    return [_line(log, who, names) for log, who in rows], max(1, -(-total // PAGE_SIZE))


def _line(log: AuditLog, name: str | None, names: dict) -> TrailLine:
    return TrailLine(
        at=log.at,
        who=name or _("System or public"),
        action=str(ACTION_LABELS.get(log.action, log.action)),
        record=str(ENTITY_LABELS.get(log.entity, log.entity)),
        entity_id=log.entity_id,
        changes=audit_words.describe(log, names),
    )


def trail_workbook(contest: Contest | None, filters: "TrailFilter | None" = None) -> bytes:
    """The contest's audit trail (all of it, or what the filters keep) as a spreadsheet, newest
    first, every cell neutralised."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audit log")[:31])
    title = _("Audit log of %(contest)s", contest=contest.name) if contest else _("Whole audit log")
    sheet.append(neutralise_row([title]))
    headers = [
        _("When"),
        _("Who"),
        _("Action"),
        pgettext("audit", "Record"),
        _("Record id"),
        _("Changes"),
    ]
    sheet.append(neutralise_row(headers))
    query = trail_query(contest.id if contest else None, filters).execution_options(yield_per=1000)
    for batch in db.session.execute(query).partitions():
        names = audit_words.referenced_names(log for log, _ in batch)
        for log, who in batch:
            line = _line(log, who, names)
            local = to_user_timezone(line.at).replace(tzinfo=None)
            changes = "\n".join(line.changes)
            cells = [local, line.who, line.action, line.record, line.entity_id, changes]
            sheet.append(neutralise_row(cells))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

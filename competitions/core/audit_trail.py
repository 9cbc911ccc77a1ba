"""A contest's audit trail as its organisers read it: the rows, newest first, and as .xlsx.

Every cell of the spreadsheet goes through ``export_rules.neutralise_cell``: names, reasons and
values typed by users never run as formulas.
"""

import io
from dataclasses import dataclass
from datetime import date, datetime, time, timedelta

from flask_babel import gettext as _
from flask_babel import to_user_timezone, to_utc
from openpyxl import Workbook
from sqlalchemy import Select, and_, func, or_, select

from competitions.accounts.models import User
from competitions.core import audit_words
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.judging.models import SchemeItem
from competitions.registry.models import (
    Contest,
    ContestTrade,
    Delegation,
    Entry,
    Person,
    Trade,
    Unit,
)
from competitions.results.export_rules import neutralise_row

PAGE_SIZE = 50

ACTION_LABELS = {"create": _l("Created"), "update": _l("Changed"), "delete": _l("Deleted")}
#: What the audited tables hold, in the user's language (others show their table name).
ENTITY_LABELS = {
    "contest": _l("Contest"),
    "contest_trade": _l("Contest trade"),
    "delegation": _l("Delegation"),
    "entry": _l("Entry"),
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
    "trade": _l("Trade"),
    "unit": _l("Unit"),
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


def people_in_trail(contest_id: int) -> list[tuple[int, str]]:
    """(user id, name) of everyone who changed something in the contest, by name."""
    query = trail_query(contest_id).subquery()
    ids = select(query.c.user_id).where(query.c.user_id.is_not(None)).distinct()
    rows = db.session.execute(
        select(User.id, User.display_name).where(User.id.in_(ids)).order_by(User.display_name)
    )
    return [tuple(r) for r in rows]


def trail_query(contest_id: int, filters: TrailFilter | None = None) -> Select:
    """The contest's audit rows, newest first: its own, and the changes of its contestants'
    records (a contestant's record is shared by their contests); only those the filters keep."""
    persons = (
        select(Entry.person_id)
        .join(ContestTrade, ContestTrade.id == Entry.contest_trade_id)
        .where(ContestTrade.contest_id == contest_id)
    )
    return (
        select(AuditLog, User.display_name)
        .outerjoin(User, User.id == AuditLog.user_id)
        .where(
            or_(
                AuditLog.contest_id == contest_id,
                and_(AuditLog.entity == "person", AuditLog.entity_id.in_(persons)),
            )
        )
        .where(*(filters.conditions() if filters else []))
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )


def trail_page(
    contest_id: int, page: int, filters: TrailFilter | None = None
) -> tuple[list[TrailLine], int]:
    """One page of the contest's trail (what the filters keep) and the number of pages."""
    query = trail_query(contest_id, filters)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    names = referenced_names(log for log, _ in rows)
    return [_line(log, who, names) for log, who in rows], max(1, -(-total // PAGE_SIZE))


#: Columns left out of what people read: the record's own id (shown as the record).
HIDDEN = {"id"}
#: The name shown for a referenced record, per table: (model, the column(s) that name it).
NAMED = {
    "user": (User, (User.display_name,)),
    "unit": (Unit, (Unit.name,)),
    "trade": (Trade, (Trade.code, Trade.name_zh)),
    "delegation": (Delegation, (Delegation.name,)),
    "contest": (Contest, (Contest.name,)),
    "contest_trade": (ContestTrade, (Trade.code, Trade.name_zh)),
    "person": (Person, (Person.name,)),
    "entry": (Entry, (Person.name,)),
    "item": (SchemeItem, (SchemeItem.code, SchemeItem.criterion)),
}


def referenced_names(logs) -> dict[tuple[str, int], str]:
    """{(table, id): name} of the records the logs' changes refer to (one query per table)."""
    wanted: dict[str, set[int]] = {}
    for log in logs:
        for column, pair in (log.changes or {}).items():
            table = audit_words.REFERENCES.get(column)
            values = pair if isinstance(pair, list) else [pair]
            if table:
                wanted.setdefault(table, set()).update(v for v in values if isinstance(v, int))
    names = {}
    for table, ids in wanted.items():
        model, columns = NAMED[table]
        query = select(model.id, *columns).where(model.id.in_(ids))
        if model is ContestTrade:
            query = query.join(Trade, Trade.id == ContestTrade.trade_id)
        if model is Entry:
            query = query.join(Person, Person.id == Entry.person_id)
        for row in db.session.execute(query):
            names[(table, row[0])] = " ".join(str(part) for part in row[1:])
    return names


def describe(log: AuditLog, names: dict) -> list[str]:
    """ "Field: old → new" for each changed column, in people's words."""
    return [
        audit_words.change_text(log.entity, log.action, column, pair, names)
        for column, pair in sorted((log.changes or {}).items())
        if column not in HIDDEN
    ]


def _line(log: AuditLog, name: str | None, names: dict) -> TrailLine:
    return TrailLine(
        at=log.at,
        who=name or _("System or public"),
        action=str(ACTION_LABELS.get(log.action, log.action)),
        record=str(ENTITY_LABELS.get(log.entity, log.entity)),
        entity_id=log.entity_id,
        changes=describe(log, names),
    )


def trail_workbook(contest: Contest, filters: "TrailFilter | None" = None) -> bytes:
    """The contest's audit trail (all of it, or what the filters keep) as a spreadsheet, newest
    first, every cell neutralised."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audit log")[:31])
    sheet.append(neutralise_row([_("Audit log of %(contest)s", contest=contest.name)]))
    headers = [_("When"), _("Who"), _("Action"), _("Record"), _("Record id"), _("Changes")]
    sheet.append(neutralise_row(headers))
    query = trail_query(contest.id, filters).execution_options(yield_per=1000)
    for batch in db.session.execute(query).partitions():
        names = referenced_names(log for log, _ in batch)
        for log, who in batch:
            line = _line(log, who, names)
            local = to_user_timezone(line.at).replace(tzinfo=None)
            changes = "\n".join(line.changes)
            cells = [local, line.who, line.action, line.record, line.entity_id, changes]
            sheet.append(neutralise_row(cells))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

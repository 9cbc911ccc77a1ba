"""A contest's audit trail as its organisers read it: the rows, newest first, and as .xlsx.

Every cell of the spreadsheet goes through ``export_rules.neutralise_cell``: names, reasons and
values typed by users never run as formulas.
"""

import io
import json
from dataclasses import dataclass
from datetime import datetime

from flask_babel import gettext as _
from flask_babel import to_user_timezone
from openpyxl import Workbook
from sqlalchemy import Select, and_, func, or_, select

from competitions.accounts.models import User
from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.registry.models import Contest, ContestTrade, Entry
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


def trail_query(contest_id: int) -> Select:
    """The contest's audit rows, newest first: its own, and the changes of its contestants'
    records (a contestant's record is shared by their contests)."""
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
        .order_by(AuditLog.at.desc(), AuditLog.id.desc())
    )


def trail_page(contest_id: int, page: int) -> tuple[list[TrailLine], int]:
    """One page of the contest's trail and the number of pages."""
    query = trail_query(contest_id)
    total = db.session.scalar(select(func.count()).select_from(query.subquery()))
    rows = db.session.execute(query.limit(PAGE_SIZE).offset((page - 1) * PAGE_SIZE)).all()
    return [_line(log, name) for log, name in rows], max(1, -(-total // PAGE_SIZE))


def _value(value) -> str:
    """A logged value as text (lists and mappings as compact JSON)."""
    if value is None:
        return "—"
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    return str(value)


def _changes(log: AuditLog) -> list[str]:
    """``column: old → new`` for each changed column (only the value for creations)."""
    out = []
    for column, pair in sorted((log.changes or {}).items()):
        old, new = pair if isinstance(pair, list) and len(pair) == 2 else (None, pair)
        if log.action == "create":
            out.append(f"{column}: {_value(new)}")
        elif log.action == "delete":
            out.append(f"{column}: {_value(old)}")
        else:
            out.append(f"{column}: {_value(old)} → {_value(new)}")
    return out


def _line(log: AuditLog, name: str | None) -> TrailLine:
    return TrailLine(
        at=log.at,
        who=name or _("System or public"),
        action=str(ACTION_LABELS.get(log.action, log.action)),
        record=str(ENTITY_LABELS.get(log.entity, log.entity)),
        entity_id=log.entity_id,
        changes=_changes(log),
    )


def trail_workbook(contest: Contest) -> bytes:
    """The contest's whole audit trail as a spreadsheet, newest first, every cell neutralised."""
    book = Workbook(write_only=True)
    sheet = book.create_sheet(_("Audit log")[:31])
    sheet.append(neutralise_row([_("Audit log of %(contest)s", contest=contest.name)]))
    headers = [_("When"), _("Who"), _("Action"), _("Record"), _("Record id"), _("Changes")]
    sheet.append(neutralise_row(headers))
    rows = db.session.execute(trail_query(contest.id).execution_options(yield_per=1000))
    for log, name in rows:
        line = _line(log, name)
        local = to_user_timezone(line.at).replace(tzinfo=None)
        cells = [local, line.who, line.action, line.record, line.entity_id, "\n".join(line.changes)]
        sheet.append(neutralise_row(cells))
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()

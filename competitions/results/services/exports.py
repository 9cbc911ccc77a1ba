"""The organiser's exports of a contest-trade: the results and the score sheets as .xlsx.

Every cell goes through ``export_rules.neutralise_cell``, so no text from users runs as a formula.
Item marks come from the marking rules (``judging.rules.item_mark``) and part scores from the
results rules (``results.rules.part_score``); nothing here re-implements a rule.
"""

import io
import logging
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import format_datetime
from flask_babel import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Font
from openpyxl.utils import get_column_letter
from sqlalchemy import func, select

from competitions.accounts.models import User
from competitions.core.db import db
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import trade_name
from competitions.core.identity_rules import mask_id_number
from competitions.core.labels import (
    GENDER_LABELS,
    award_label,
    honour_label,
    honour_state,
)
from competitions.core.sheet_rules import neutralise_row
from competitions.judging import rules as judging_rules
from competitions.judging.models import (
    PART_KINDS,
    CodeReveal,
    Mark,
    PanelMember,
    SchemeItem,
    SchemePart,
    SubjectCode,
)
from competitions.registry.models import ContestTrade, Delegation, Entry, Person
from competitions.results import rules as results_rules
from competitions.results.models import Honour, Result, ResultSet, TeamResult
from competitions.results.services.labels import in_place_of_rank
from competitions.units.models import Unit

logger = logging.getLogger(__name__)

STATE_LABELS = {"draft": _l("Draft"), "notice": _l("Under public notice"), "final": _l("Final")}
PART_LABELS = {"theory": _l("Theory"), "practical": _l("Practical")}


@dataclass(frozen=True)
class RankedLine:
    """One entry's result with the facts an organiser reads next to it (none of them, only the
    code, for a panel that marks blind)."""

    result: Result
    entry: Entry
    person: Person | None
    unit: str
    delegation: str
    #: The name as published: frozen once the results are final (the register's before).
    name: str = ""
    code: str = ""

    @property
    def who(self) -> str:
        """The name as published, or the entry's anonymous code when the reader marks blind."""
        return self.name if self.person is not None else self.code


@dataclass
class TradeReport:
    """Everything the results exports and the printed report show of one contest-trade."""

    ct: ContestTrade
    result_set: ResultSet | None
    lines: list[RankedLine]
    teams: list[tuple[TeamResult, str]]
    honours: list[tuple[Honour, RankedLine]]
    chief_judge: str = ""
    names: dict[int, str] = field(default_factory=dict)
    blind: bool = False  #: entries by code only: no names, units, delegations or teams

    def members(self, team: TeamResult) -> str:
        """The names of the entries whose totals made a team's score."""
        return "、".join(self.names.get(entry_id, str(entry_id)) for entry_id in team.members)


def trade_report(ct: ContestTrade, blind: bool = False) -> TradeReport:
    """A contest-trade's results, ranked first then unranked, with its teams and honours.

    ``blind`` (a panel before the results are final, ``judging.rules.sees_who``): entries by
    their anonymous code only, ties in code order, and no team results (they name delegations).
    Final results show the facts frozen when they became final, as the public reads them.
    """
    name = func.coalesce(Result.final_name, Person.name)
    rows = db.session.execute(
        select(
            Result,
            Entry,
            Person,
            func.coalesce(Result.final_unit, Unit.name),
            func.coalesce(Result.final_delegation, Delegation.name),
            name,
            SubjectCode.code,
        )
        .join(Entry, Entry.id == Result.subject_id)
        .join(Person, Person.id == Entry.person_id)
        .outerjoin(Unit, Unit.id == Person.unit_id)
        .outerjoin(Delegation, Delegation.id == Entry.delegation_id)
        .outerjoin(SubjectCode, SubjectCode.subject_id == Entry.id)
        .where(Result.assessment_id == ct.id)
        .order_by(*Result.ranked_order())
        .order_by(SubjectCode.code if blind else name, Entry.id)
    ).all()
    if blind:
        lines = [RankedLine(r, e, None, "", "", "", code or "") for r, e, *_, code in rows]
    else:
        lines = [RankedLine(r, e, p, u or "", d or "", n, c or "") for r, e, p, u, d, n, c in rows]
    by_entry = {line.entry.id: line for line in lines}
    teams = db.session.execute(
        select(TeamResult, Delegation.name)
        .join(Delegation, Delegation.id == TeamResult.delegation_id)
        .where(TeamResult.contest_trade_id == ct.id)
        .order_by(TeamResult.rank, Delegation.name)
    ).all()
    honours = db.session.scalars(
        select(Honour)
        .where(Honour.contest_trade_id == ct.id, Honour.state != "withdrawn")
        .order_by(Honour.honour, Honour.id)
    ).all()
    chief = db.session.scalar(
        select(User.display_name)
        .join(PanelMember, PanelMember.user_id == User.id)
        .where(PanelMember.assessment_id == ct.id, PanelMember.role == "chief_judge")
    )
    return TradeReport(
        ct=ct,
        result_set=db.session.get(ResultSet, ct.id),
        lines=lines,
        teams=[] if blind else [tuple(t) for t in teams],
        honours=[(h, by_entry[h.entry_id]) for h in honours if h.entry_id in by_entry],
        chief_judge=chief or "",
        names={entry_id: line.who for entry_id, line in by_entry.items()},
        blind=blind,
    )


def _trade_name(ct: ContestTrade) -> str:
    return f"{ct.trade.code} {trade_name(ct.trade)}"


def _new_book() -> Workbook:
    book = Workbook()
    book.remove(book.active)
    return book


def _sheet(book: Workbook, title: str, heading: str, headers: list, rows, widths: list[int]):
    """A sheet: a bold title row, a bold header row (frozen), then the rows, all neutralised."""
    sheet = book.create_sheet(title[:31])
    sheet.append(neutralise_row([heading]))
    sheet.cell(1, 1).font = Font(bold=True, size=13)
    sheet.append(neutralise_row(headers))
    for cell in sheet[2]:
        cell.font = Font(bold=True)
    for row in rows:
        sheet.append(neutralise_row(row))
        for cell in sheet[sheet.max_row]:  # a score read by people shows its 2 places (255.00)
            if isinstance(cell.value, Decimal) and cell.value.as_tuple().exponent == -2:
                cell.number_format = "0.00"
    sheet.freeze_panes = "A3"
    for index, width in enumerate(widths, start=1):
        sheet.column_dimensions[get_column_letter(index)].width = width
    return sheet


def _saved(book: Workbook) -> bytes:
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def results_title(report: TradeReport) -> str:
    """The title row: contest, trade, the results' state and when they were computed."""
    rs = report.result_set
    return _(
        "%(contest)s · %(trade)s · %(state)s · computed %(when)s",
        contest=report.ct.contest.name,
        trade=_trade_name(report.ct),
        state=STATE_LABELS[rs.state],
        when=format_datetime(rs.computed_at),
    )


def _result_row(line: RankedLine, full_ids: bool, feeds: bool) -> list:
    """A results row; scores as people read them, none for withdrawn, disqualified and absent
    entries; whether it advances only when the contest feeds a higher one."""
    r, e, p = line.result, line.entry, line.person
    earned = results_rules.earned_scores(e.status)
    rank = r.rank if r.rank is not None else in_place_of_rank(e.status, e.out_of_competition)
    scores = [results_rules.readable(v) if earned else None for v in (r.theory, r.practical)]
    scores += [results_rules.readable(r.total) if earned else None]
    scores += [award_label(r.award) if r.award else ""]
    scores += [_("Yes") if r.advances else ""] if feeds else []
    scores += [judging_rules.format_time_used(e.time_used_s) if earned else ""]
    if p is None:
        return [rank, line.code, *scores]
    return [
        rank,
        line.name,
        str(GENDER_LABELS.get(p.gender, p.gender)),
        p.id_number if full_ids else mask_id_number(p.id_number),
        line.unit,
        line.delegation,
        *scores,
    ]


def results_workbook(report: TradeReport, full_ids: bool) -> bytes:
    """The results as .xlsx: ranked entries, team results and honours, one sheet each.

    ``full_ids`` shows whole ID numbers (the contest's organisers); others see them masked.
    A blind report (a panel before the results are final) has codes only, and no team sheet.
    """
    book = _new_book()
    title = results_title(report)
    feeds = report.ct.contest.parent_id is not None
    scores = [_("Theory"), _("Practical"), _("Total"), _("Award")]
    scores += ([_("Advances")] if feeds else []) + [_("Time used")]
    rows = [_result_row(line, full_ids, feeds) for line in report.lines]
    if report.blind:
        widths = [10] * 6 + [14, 10]
        _sheet(book, _("Results"), title, [_("Rank"), _("Code"), *scores], rows, widths)
        honours = [
            [honour_label(h.honour), line.code, honour_state(h.state)] for h, line in report.honours
        ]
        headers = [_("Honour"), _("Code"), _("State")]
        _sheet(book, _("Honours recommended"), title, headers, honours, [22, 10, 12])
        return _saved(book)
    headers = [_("Rank"), _("Full name"), _("Gender"), _("ID number"), _("Unit"), _("Delegation")]
    widths = [10, 14, 8, 22, 24, 18, 10, 10, 10, 14, 10, 10]
    _sheet(book, _("Results"), title, [*headers, *scores], rows, widths)
    tied = Counter(t.score for t, _name in report.teams)
    teams = [
        [
            t.rank,
            name,
            results_rules.readable(t.score),
            award_label(t.award) if t.award else "",
            report.members(t),
            judging_rules.format_time_used(t.time_sum) if tied[t.score] > 1 else "",
        ]
        for t, name in report.teams
    ]
    headers = [_("Rank"), _("Delegation"), _("Score"), _("Award"), _("Members")]
    headers.append(_("Time sum (tie-break)"))
    _sheet(book, _("Team results"), title, headers, teams, [8, 24, 10, 14, 40, 12])
    honours = [
        [
            honour_label(h.honour),
            line.name,
            line.person.id_number if full_ids else mask_id_number(line.person.id_number),
            line.unit,
            honour_state(h.state),
        ]
        for h, line in report.honours
    ]
    headers = [_("Honour"), _("Full name"), _("ID number"), _("Unit"), _("State")]
    _sheet(book, _("Honours recommended"), title, headers, honours, [22, 14, 22, 24, 12])
    return _saved(book)


@dataclass
class SheetEntry:
    """An entry on the score sheets: its anonymous code; name and unit only when revealed."""

    entry_id: int
    code: str
    name: str = ""
    unit: str = ""


def sheet_entries(ct_id: int, with_names: bool) -> list[SheetEntry]:
    """The coded entries of a contest-trade by code; names and units only ``with_names``."""
    columns = [Entry.id, SubjectCode.code]
    if with_names:
        columns += [Person.name, Unit.name]
    query = (
        select(*columns)
        .join(SubjectCode, SubjectCode.subject_id == Entry.id)
        .where(Entry.contest_trade_id == ct_id)
        .order_by(SubjectCode.code, Entry.id)
    )
    if with_names:
        query = query.join(Person, Person.id == Entry.person_id).outerjoin(
            Unit, Unit.id == Person.unit_id
        )
    return [SheetEntry(*(value or "" for value in row)) for row in db.session.execute(query)]


def log_reveal(ct_id: int, user_id: int) -> None:
    """Record that the names behind the codes left in an export (as the code list does)."""
    db.session.add(CodeReveal(assessment_id=ct_id, user_id=user_id, what="export"))
    db.session.flush()
    logger.info("user %s exported the score sheets of contest-trade %s with names", user_id, ct_id)


def _scheme(ct_id: int) -> list[SchemePart]:
    parts = db.session.scalars(select(SchemePart).filter_by(assessment_id=ct_id)).all()
    return sorted(parts, key=lambda part: PART_KINDS.index(part.kind))


def _marks(ct_id: int) -> dict[tuple[int, int], dict[int, Decimal]]:
    """{(entry, item): {judge: score}} of the contest-trade."""
    rows = db.session.execute(
        select(Mark.subject_id, Mark.item_id, Mark.judge_id, Mark.value)
        .join(SchemeItem, SchemeItem.id == Mark.item_id)
        .join(SchemePart)
        .where(SchemePart.assessment_id == ct_id)
    )
    out: dict[tuple[int, int], dict[int, Decimal]] = defaultdict(dict)
    for entry_id, item_id, judge_id, value in rows:
        out[(entry_id, item_id)][judge_id] = value
    return out


def _judges(ct_id: int, marks) -> list[User]:
    """The panel's judges and anyone else who gave a mark, by name."""
    ids = set(
        db.session.scalars(select(PanelMember.user_id).filter_by(assessment_id=ct_id, role="judge"))
    )
    ids |= {judge for scores in marks.values() for judge in scores}
    users = db.session.scalars(select(User).where(User.id.in_(ids)))
    return sorted(users, key=lambda u: (u.display_name, u.username))


def _entry_lines(entry_id: int, known: list, parts: list[SchemePart], marks, judges: list[User]):
    """One entry's item rows (each judge's score, the item mark) and its part sums and scores."""
    rows, sums = [], list(known)
    for part in parts:
        item_marks = []
        for item in part.items:
            scores = marks.get((entry_id, item.id), {})
            mark = judging_rules.item_mark(list(scores.values()), item.rule) if scores else None
            item_marks += [mark] if mark is not None else []
            line = [str(PART_LABELS[part.kind]), item.code, item.criterion, item.max_mark]
            rows.append([*known, *line, *(scores.get(u.id) for u in judges), mark])
        if not item_marks:
            sums += [None, None]
            continue
        part_max = sum((item.max_mark for item in part.items), Decimal(0))
        score = results_rules.part_score(item_marks, part_max, part.scale_to_100)
        sums += [sum(item_marks, Decimal(0)), score]
    return rows, sums


def score_sheets_workbook(
    ct: ContestTrade, entries: list[SheetEntry], with_names: bool, note: str
) -> bytes:
    """Every item's marks by each judge, the item mark, and each part's sum and score, as .xlsx.

    Entries appear by their anonymous code, with name and unit columns only ``with_names``.
    ``note`` says on the title row whether the marks are locked and what is shown.
    """
    parts, marks = _scheme(ct.id), _marks(ct.id)
    judges = _judges(ct.id, marks)
    who = [_("Code"), _("Full name"), _("Unit")] if with_names else [_("Code")]
    headers = [*who, _("Part"), _("Item"), _("Criterion"), _("Max mark")]
    headers += [f"{u.display_name} ({u.username})" for u in judges] + [_("Item mark")]
    sums_headers = list(who)
    for part in parts:
        label = PART_LABELS[part.kind]
        sums_headers += [_("%(part)s: sum of items", part=label)]
        sums_headers += [_("%(part)s: part score", part=label)]
    item_rows, sum_rows = [], []
    for entry in entries:
        known = [entry.code, entry.name, entry.unit] if with_names else [entry.code]
        rows, sums = _entry_lines(entry.entry_id, known, parts, marks, judges)
        item_rows += rows
        sum_rows.append(sums)
    book = _new_book()
    title = f"{ct.contest.name} · {_trade_name(ct)} · {note}"
    widths = [10] * len(who) + [10, 10, 24, 10] + [14] * len(judges) + [12]
    _sheet(book, _("Marks by judge"), title, headers, item_rows, widths)
    _sheet(book, _("Part sums"), title, sums_headers, sum_rows, [12] * len(sums_headers))
    return _saved(book)

"""Writing a contest-trade's marking scheme: items, import, copy, download. Flush, never commit.

Scheme records are not ``__audited__`` (the models are fixed), so every change here writes its
own AuditLog rows, attributed to the ``user_id`` the caller passes.
"""

import logging
from dataclasses import dataclass
from decimal import Decimal

from sqlalchemy import case, func, select

from competitions.accounts.models import ContestRole
from competitions.assessment.models import Assessment
from competitions.core import audit_words
from competitions.core import sheets as core_sheets
from competitions.core.audit import AuditLog
from competitions.core.db import db, utcnow
from competitions.core.jobs import Job, JobFile, create_job, finish_job, job_file
from competitions.core.sheet_rules import XLSX_TYPE
from competitions.core.words import N_, Reason
from competitions.judging.models import Mark, SchemeItem, SchemePart
from competitions.judging.services import scheme_import as sheets
from competitions.judging.services.marks import is_locked
from competitions.judging.services.scheme_import import ItemSpec

logger = logging.getLogger(__name__)

#: The SchemeItem columns an ItemSpec carries (all but the part).
ITEM_FIELDS = (
    "code",
    "criterion",
    "description",
    "kind",
    "max_mark",
    "scale",
    "step",
    "judges",
    "aggregation",
    "tolerance",
)
_PART_ORDER = case((SchemePart.kind == "theory", 0), else_=1)


@dataclass(frozen=True)
class PartSummary:
    """A part as the scheme page shows it: its items, their max marks, whether it is needed."""

    kind: str
    part: SchemePart | None
    count: int
    total: Decimal
    needed: bool

    @property
    def missing(self) -> bool:
        """A part the weights need that has no items yet."""
        return self.needed and self.count == 0


def scheme_items(ct_id: int) -> list[SchemeItem]:
    """The contest-trade's items, theory first, each part in its order."""
    return db.session.scalars(
        select(SchemeItem)
        .join(SchemePart)
        .where(SchemePart.assessment_id == ct_id)
        .order_by(_PART_ORDER, SchemeItem.position, SchemeItem.id)
    ).all()


def part_summaries(ct: Assessment, items: list[SchemeItem]) -> list[PartSummary]:
    """Theory and practical: item count, sum of max marks, and whether the weights need it."""
    parts = {
        p.kind: p for p in db.session.scalars(select(SchemePart).filter_by(assessment_id=ct.id))
    }
    weights = ct.part_weights
    out = []
    for kind in sheets.PART_KINDS:
        own = [i for i in items if i.part.kind == kind]
        total = sum((i.max_mark for i in own), Decimal(0))
        out.append(PartSummary(kind, parts.get(kind), len(own), total, weights[kind] > 0))
    return out


def change_refused(ct_id: int, for_update: bool = False) -> Reason | None:
    """Why the scheme may not change now, or None: the marks are locked, or marks exist.

    Before a change, ``for_update`` holds the lock row (PostgreSQL) so no lock is taken meanwhile.
    """
    if is_locked(ct_id, for_update=for_update):
        return Reason.of(N_("the marks are locked by the chief judge"))
    marked = db.session.scalar(
        select(Mark.id)
        .join(SchemeItem, Mark.item_id == SchemeItem.id)
        .join(SchemePart)
        .where(SchemePart.assessment_id == ct_id)
        .limit(1)
    )
    if marked is not None:
        return Reason.of(N_("the scheme is in use: marks have been entered"))
    return None


def taken_codes(ct_id: int, except_item_id: int | None = None) -> set[tuple[str, str]]:
    """The (part kind, code) pairs used in the contest-trade, but for one item."""
    rows = db.session.execute(
        select(SchemePart.kind, SchemeItem.code, SchemeItem.id)
        .join(SchemeItem.part)
        .where(SchemePart.assessment_id == ct_id)
    )
    return {(kind, code) for kind, code, item_id in rows if item_id != except_item_id}


def spec_of(item: SchemeItem) -> ItemSpec:
    """An item as plain data."""
    return ItemSpec(part=item.part.kind, **{f: getattr(item, f) for f in ITEM_FIELDS})


def _values(item: SchemeItem) -> dict:
    """An item's audited values, JSON-safe."""
    values = {"part": item.part.kind, **{f: getattr(item, f) for f in ITEM_FIELDS}}
    return {k: sheets.plain(v) if isinstance(v, Decimal) else v for k, v in values.items()}


def _audit(user_id: int | None, action: str, items: list[tuple[int, dict, dict]]) -> None:
    """Audit rows for scheme items: (id, old values, new values) each."""
    now = utcnow()
    for item_id, old, new in items:
        changes = {
            k: [old.get(k), new.get(k)] for k in old.keys() | new.keys() if old.get(k) != new.get(k)
        }
        if not changes:
            continue
        db.session.add(
            AuditLog(
                at=now,
                user_id=user_id,
                action=action,
                entity="scheme_item",
                entity_id=item_id,
                changes=changes,
            )
        )


def _part(ct_id: int, kind: str) -> SchemePart:
    """The contest-trade's part of this kind, created on first use."""
    part = db.session.scalar(select(SchemePart).filter_by(assessment_id=ct_id, kind=kind))
    if part is None:
        part = SchemePart(assessment_id=ct_id, kind=kind)
        db.session.add(part)
        db.session.flush()
    return part


def _next_position(part: SchemePart) -> int:
    last = db.session.scalar(select(func.max(SchemeItem.position)).filter_by(part_id=part.id))
    return (last or 0) + 1


def add_item(ct_id: int, spec: ItemSpec, user_id: int | None) -> SchemeItem:
    """Append an item to its part (creating the part if needed)."""
    part = _part(ct_id, spec.part)
    values = {f: getattr(spec, f) for f in ITEM_FIELDS}
    item = SchemeItem(part=part, position=_next_position(part), **values)
    db.session.add(item)
    db.session.flush()
    _audit(user_id, "create", [(item.id, {}, _values(item))])
    return item


def update_item(item: SchemeItem, spec: ItemSpec, user_id: int | None) -> None:
    """Change an item's settings; a change of part moves it to the end of the other part."""
    old = _values(item)
    if spec.part != item.part.kind:
        item.part = _part(item.part.assessment_id, spec.part)
        item.position = _next_position(item.part)
    for name in ITEM_FIELDS:
        setattr(item, name, getattr(spec, name))
    db.session.flush()
    _audit(user_id, "update", [(item.id, old, _values(item))])


def delete_item(item: SchemeItem, user_id: int | None) -> None:
    """Remove an item (its part stays, perhaps empty)."""
    _audit(user_id, "delete", [(item.id, _values(item), {})])
    db.session.delete(item)
    db.session.flush()


def replace_scheme(
    ct_id: int, specs: list[ItemSpec], user_id: int | None, parts: dict | None = None
) -> int:
    """Replace the whole scheme by ``specs`` (in order); ``parts`` gives a part's own settings.

    ``parts`` maps a part kind to {"name": …, "scale_to_100": …} (a copy keeps them).
    Returns the number of items written. The caller checks :func:`change_refused` first.
    """
    old_items = scheme_items(ct_id)
    _audit(user_id, "delete", [(i.id, _values(i), {}) for i in old_items])
    for part in db.session.scalars(select(SchemePart).filter_by(assessment_id=ct_id)):
        db.session.delete(part)
    db.session.flush()
    new_items = []
    for kind in sheets.PART_KINDS:
        own = [s for s in specs if s.part == kind]
        if not own:
            continue
        part = SchemePart(assessment_id=ct_id, kind=kind, **(parts or {}).get(kind, {}))
        db.session.add(part)
        for position, spec in enumerate(own, start=1):
            values = {f: getattr(spec, f) for f in ITEM_FIELDS}
            new_items.append(SchemeItem(part=part, position=position, **values))
    db.session.add_all(new_items)
    db.session.flush()
    _audit(user_id, "create", [(i.id, {}, _values(i)) for i in new_items])
    logger.info("scheme of ct %s replaced: %s items by user %s", ct_id, len(new_items), user_id)
    return len(new_items)


def copy_scheme(source_id: int, target_id: int, user_id: int | None) -> int:
    """Replace the target's scheme by a copy of the source's parts and items."""
    parts = {
        p.kind: {"name": p.name, "scale_to_100": p.scale_to_100}
        for p in db.session.scalars(select(SchemePart).filter_by(assessment_id=source_id))
    }
    specs = [spec_of(item) for item in scheme_items(source_id)]
    return replace_scheme(target_id, specs, user_id, parts)


def copy_sources(user_id: int, target: Assessment) -> list[tuple[int, str, int]]:
    """(id, name, item count) of the assessments of the target's kind with a scheme, in contests
    the user organises.

    Those that resemble the target come first (the same trade), then newer contests.
    """
    kind = type(target)
    organised = select(ContestRole.contest_id).filter_by(user_id=user_id, role="organiser")
    counts = (
        select(SchemePart.assessment_id, func.count(SchemeItem.id).label("n"))
        .join(SchemeItem)
        .group_by(SchemePart.assessment_id)
        .subquery()
    )
    rows = db.session.execute(
        select(kind, counts.c.n)
        .join(counts, counts.c.assessment_id == kind.id)
        .where(kind.contest_id.in_(organised), kind.id != target.id)
    ).all()
    rows.sort(
        key=lambda r: (not target.resembles(r[0]), -r[0].contest.year, r[0].contest.name, r[0].id)
    )
    return [(a.id, f"{a.contest.year} {a.contest.name} · {a.title}", n) for a, n in rows]


def scheme_xlsx(ct_id: int) -> bytes:
    """The scheme as .xlsx in the generic layout (the one the import reads)."""
    return sheets.scheme_workbook([spec_of(item) for item in scheme_items(ct_id)])


#: The job kind of a refused scheme import: it keeps the error report for download.
REFUSED_IMPORT = "scheme_import"


def record_refused_import(ct: Assessment, problems: list, user_id: int) -> Job:
    """A failed job holding the error report of a refused scheme import, the same report as
    the entries import's (flushes; the caller commits)."""
    job = create_job(REFUSED_IMPORT, user_id, ct.contest_id)
    result = {"contest_trade_id": ct.id, "error_count": len(problems)}
    finish_job(job, "failed", N_("Nothing was saved: the file has problems."), result)
    errors = [
        {
            "row": p.row,
            "column": p.column,
            "value": "",
            "msgid": p.reason.msgid,
            "params": dict(p.reason.params),
        }
        for p in problems
    ]
    db.session.add(
        JobFile(
            job_id=job.id,
            role="errors",
            filename="scheme-import-errors.xlsx",
            content_type=XLSX_TYPE,
            data=core_sheets.error_report(errors),
        )
    )
    db.session.flush()
    return job


def refused_import_report(ct_id: int, job_id: str) -> JobFile | None:
    """The error report of a refused import of this contest-trade's scheme, or None."""
    job = db.session.get(Job, job_id) if len(job_id) <= 36 else None
    if job is None or job.kind != REFUSED_IMPORT:
        return None
    if (job.result or {}).get("contest_trade_id") != ct_id:
        return None
    return job_file(job.id, "errors")


@audit_words.names_records("item")
def item_names(ids: set[int]) -> dict[int, str]:
    """The audit log names a scheme item by its code and criterion."""
    query = select(SchemeItem.id, SchemeItem.code, SchemeItem.criterion)
    return {
        key: f"{code} {criterion}"
        for key, code, criterion in db.session.execute(query.where(SchemeItem.id.in_(ids)))
    }

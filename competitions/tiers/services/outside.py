"""Contests held outside Jingsai: register one, import a trade's final result list (all or
nothing), rank and award it with the results' own rules, and compare what the list gave."""

import logging
from dataclasses import dataclass
from decimal import Decimal
from functools import partial

from sqlalchemy import delete, select

from competitions.core import audit_words, sheets
from competitions.core.db import db, utcnow
from competitions.core.jobs import Job, JobFile, create_job, finish_job
from competitions.core.sheet_rules import XLSX_TYPE
from competitions.core.words import N_, Reason
from competitions.imports import services as imports
from competitions.imports.rules import ImportRow, RowError
from competitions.imports.services import Outcome, error_data, parsing
from competitions.imports.services.parsing import Column, Layout
from competitions.judging.models import MarkingLock
from competitions.registry.models import Contest, ContestTrade, Entry, Person
from competitions.registry.services import eligibility_of
from competitions.results.models import Result, ResultSet
from competitions.results.services import advance
from competitions.results.services import compute as results_compute
from competitions.results.services import inputs as results_inputs
from competitions.tiers import rules
from competitions.tiers.models import DirectRecommendation, OutsideContest, OutsideScore
from competitions.units.models import Unit

logger = logging.getLogger(__name__)

KIND = "import_outside"
HUNDRED = Decimal(100)
#: The columns of an outside contest's final result list.
COLUMNS = (
    Column("id_number", "证件号码", "id_number", required=True),
    Column("name", "姓名", "name", required=True),
    Column("id_type", "证件类型", "id_type"),
    Column("gender", "性别", "gender"),
    Column("birth_date", "出生日期", "birth_date"),
    Column("unit", "工作单位", "unit"),
    Column("theory", "理论知识成绩", "theory"),
    Column("practical", "技能操作成绩", "practical"),
    Column("total", "总成绩", "total"),
    Column("time_used", "用时", "time_used"),
    Column("rank", "名次", "rank"),
    Column("award", "奖项", "award"),
)
LAYOUT = Layout(
    COLUMNS,
    {
        "身份证号": "id_number",
        "身份证号码": "id_number",
        "单位": "unit",
        "理论成绩": "theory",
        "实操成绩": "practical",
        "技能成绩": "practical",
        "总分": "total",
        "排名": "rank",
        "获奖等次": "award",
    },
)
_ORDER = {c.key: i for i, c in enumerate(COLUMNS)}


def outside_ids(contest_ids) -> set[int]:
    """Which of these contests are held outside Jingsai."""
    return set(
        db.session.scalars(
            select(OutsideContest.contest_id).where(OutsideContest.contest_id.in_(contest_ids))
        )
    )


def is_outside(contest_id: int) -> bool:
    """Whether the contest is held outside Jingsai."""
    return bool(outside_ids([contest_id]))


def register_outside(contest_id: int, user_id: int) -> None:
    """Mark a contest as held outside Jingsai (once)."""
    if not is_outside(contest_id):
        db.session.add(OutsideContest(contest_id=contest_id, registered_by=user_id))
        db.session.flush()


def fill_scores(inputs: dict[int, results_inputs.TradeInputs]) -> None:
    """Give results the imported scores of outside contest-trades: parts out of 100 as they
    stand, and a total where the list gave one."""
    rows = db.session.execute(
        select(
            OutsideScore.contest_trade_id,
            OutsideScore.entry_id,
            OutsideScore.theory,
            OutsideScore.practical,
            OutsideScore.given_total,
        ).where(OutsideScore.contest_trade_id.in_(list(inputs)))
    ).all()
    for ct_id, entry_id, theory, practical, total in rows:
        data = inputs[ct_id]
        data.parts = {"theory": (HUNDRED, False), "practical": (HUNDRED, False)}
        row = data.entries.get(entry_id)
        if row is None:
            continue
        row.part_sums = {
            kind: value
            for kind, value in (("theory", theory), ("practical", practical))
            if value is not None
        }
        row.given_total = total


results_inputs.SCORE_SOURCES.append(fill_scores)


def _entry_namer(table: str, key) -> None:
    """The audit log names a record keyed by an entry by the entry's person."""

    @audit_words.names_records(table)
    def names(ids: set[int]) -> dict[int, str]:
        rows = db.session.execute(
            select(key, Person.name)
            .join(Entry, Entry.id == key)
            .join(Person, Person.id == Entry.person_id)
            .where(key.in_(ids))
        )
        return {entry_id: name for entry_id, name in rows}


_entry_namer("outside_score", OutsideScore.entry_id)
_entry_namer("direct_recommendation", DirectRecommendation.entry_id)


@audit_words.names_records("outside_contest")
def _outside_contest_names(ids: set[int]) -> dict[int, str]:
    rows = db.session.execute(select(Contest.id, Contest.name).where(Contest.id.in_(ids)))
    return {contest_id: name for contest_id, name in rows}


def lookups_of(ct: ContestTrade) -> rules.OutsideLookups:
    """Units, the weights, and the age rules of this contest-trade and of the parent's."""
    units = {name: uid for name, uid in db.session.execute(select(Unit.name, Unit.id))}
    ages = [eligibility_of(ct)]
    if parent := advance.parent_contest_trade(ct):
        ages.append(eligibility_of(parent))
    return rules.OutsideLookups(units, (ct.theory_weight, ct.practical_weight), tuple(ages))


@dataclass
class ImportOutcome(Outcome):
    """An outside list's import: what ``imports.Outcome`` says, and the results refused."""

    removed: int = 0


def import_list(ct: ContestTrade, filename: str, data: bytes, user_id: int) -> ImportOutcome:
    """Check every line of a result list and, only if all are sound, save the people, their
    entries and scores (replacing an earlier list of this trade), lock and compute the
    results with the results' own rules (flush only: the caller commits or rolls back)."""
    try:
        sheet = parsing.read_upload(filename, data, LAYOUT)
    except parsing.FileProblem as problem:
        return ImportOutcome(0, [error_data(0, "", "", problem.reason)])
    state = db.session.scalar(select(ResultSet.state).where(ResultSet.assessment_id == ct.id))
    if state in ("notice", "final"):
        reason = Reason.of(N_("the results are published: withdraw the public notice first"))
        return ImportOutcome(len(sheet.rows), [error_data(0, "", "", reason)])
    lookups = lookups_of(ct)
    check = partial(rules.check_outside_row, lookups=lookups)
    good, errors = imports.check_rows(sheet, check, imports._no_progress)
    known = imports.known_persons({r.person_key for r in good})
    errors += rules.check_outside_together(
        good,
        {k: (p.name, p.birth_date) for k, p in known.items()},
        lookups.weights,
        lookups.eligibility,
    )
    if not errors:
        errors += _kept_entries_problems(ct, good, known)
    if errors:
        return ImportOutcome(len(sheet.rows), _as_data(errors, sheet.headers))
    removed = _save(ct, good, known, user_id)
    refused = results_compute.recompute([ct.id]).get(ct.id)
    if refused:
        return ImportOutcome(
            len(good), [error_data(0, "", "", Reason.of(msgid)) for msgid in refused]
        )
    return ImportOutcome(len(good), [], len(good), removed=removed)


def _as_data(errors: list[RowError], headers: dict[str, str]) -> list[dict]:
    errors.sort(key=lambda e: (e.row, _ORDER.get(e.column, 99)))
    return [error_data(e.row, headers.get(e.column, e.column), e.value, e.reason) for e in errors]


def _entries_of(ct_id: int) -> dict[int, int]:
    """{person id: entry id} of the contest-trade."""
    rows = db.session.execute(
        select(Entry.person_id, Entry.id).where(Entry.contest_trade_id == ct_id)
    )
    return {person_id: entry_id for person_id, entry_id in rows}


def _kept_entries_problems(ct: ContestTrade, rows, known) -> list[RowError]:
    """A new list may not leave out someone already recommended up from this trade."""
    listed = {known[r.person_key].id for r in rows if r.person_key in known}
    gone = [e for p, e in _entries_of(ct.id).items() if p not in listed]
    if not gone:
        return []
    sent = db.session.execute(
        select(Person.name)
        .join(Entry, Entry.person_id == Person.id)
        .where(Entry.source_entry_id.in_(gone))
    ).scalars()
    return [
        RowError(
            0,
            "name",
            name,
            Reason.of(N_("%(name)s was already recommended up: keep them in the list"), name=name),
        )
        for name in sent
    ]


def _save(ct: ContestTrade, rows: list[rules.OutsideRow], known, user_id: int) -> int:
    """Persons and entries as needed, the scores, the lock; returns the entries removed."""
    as_import = [
        ImportRow(r.row, r.person, r.unit_id, None, "", ct.id, None, "registered") for r in rows
    ]
    person_ids, _created = imports.save_persons(as_import, known)
    db.session.execute(delete(OutsideScore).where(OutsideScore.contest_trade_id == ct.id))
    present = _entries_of(ct.id)
    listed = {person_ids[r.person_key] for r in rows}
    removed = [e for p, e in present.items() if p not in listed]
    for entry in db.session.scalars(select(Entry).where(Entry.id.in_(removed))):
        db.session.delete(entry)
    db.session.flush()
    new = [r for r in as_import if person_ids[r.person_key] not in present]
    if new:
        imports.save_entries(new, person_ids)
    entry_ids = _entries_of(ct.id)
    by_entry = {entry_ids[person_ids[r.person_key]]: r for r in rows}
    for entry in db.session.scalars(select(Entry).where(Entry.id.in_(list(by_entry)))):
        r = by_entry[entry.id]
        entry.time_used_s = r.time_used
        entry.status = "registered"
    db.session.add_all(
        OutsideScore(
            entry_id=entry_id,
            contest_trade_id=ct.id,
            theory=r.theory,
            practical=r.practical,
            given_total=r.given_total,
            given_rank=r.given_rank,
            given_award=r.given_award,
            source_row=r.row,
        )
        for entry_id, r in by_entry.items()
    )
    db.session.merge(
        MarkingLock(assessment_id=ct.id, locked=True, locked_by=user_id, locked_at=utcnow())
    )
    db.session.flush()
    logger.info("outside list of ct %s: %s lines, %s removed", ct.id, len(rows), len(removed))
    return len(removed)


def record_job(ct: ContestTrade, user_id: int, filename: str, content_type: str, data: bytes):
    """A job row holding the uploaded list (the import runs in the request: lists are short)."""
    job = create_job(KIND, user_id, ct.contest_id)
    job.result = {"contest_trade_id": ct.id}
    db.session.add(
        JobFile(
            job_id=job.id,
            role="input",
            filename=filename[-255:],
            content_type=(content_type or "")[:100],
            data=data,
        )
    )
    db.session.flush()
    return job


def finish_import_job(job: Job, outcome: ImportOutcome) -> None:
    """Succeeded with the counts, or failed with the errors and their downloadable report."""
    job.total = outcome.rows
    ct_id = (job.result or {}).get("contest_trade_id")
    if outcome.ok:
        counts = {"rows": outcome.rows, "removed": outcome.removed}
        finish_job(job, "succeeded", N_("Import finished."), {"contest_trade_id": ct_id, **counts})
        return
    db.session.add(
        JobFile(
            job_id=job.id,
            role="errors",
            filename="outside-list-errors.xlsx",
            content_type=XLSX_TYPE,
            data=sheets.error_report(outcome.errors),
        )
    )
    finish_job(
        job,
        "failed",
        N_("Nothing was saved: the file has problems."),
        {
            "contest_trade_id": ct_id,
            "rows": outcome.rows,
            "error_count": len(outcome.errors),
            "errors": outcome.errors[:500],
        },
    )


def latest_job(ct: ContestTrade) -> Job | None:
    """The contest-trade's latest list import."""
    jobs = db.session.scalars(
        select(Job)
        .where(Job.contest_id == ct.contest_id, Job.kind == KIND)
        .order_by(Job.created_at.desc())
        .limit(50)
    )
    return next((j for j in jobs if (j.result or {}).get("contest_trade_id") == ct.id), None)


@dataclass(frozen=True)
class DifferenceLine:
    """A difference between the list and the computed results, with the person's name."""

    name: str
    row: int
    difference: rules.Difference


def differences(ct_id: int) -> list[DifferenceLine]:
    """Every line whose given rank or award differs from the computed one."""
    rows = db.session.execute(
        select(
            OutsideScore.entry_id,
            OutsideScore.given_rank,
            OutsideScore.given_award,
            OutsideScore.source_row,
            Person.name,
            Result.rank,
            Result.award,
        )
        .join(Entry, Entry.id == OutsideScore.entry_id)
        .join(Person, Person.id == Entry.person_id)
        .outerjoin(Result, Result.subject_id == OutsideScore.entry_id)
        .where(OutsideScore.contest_trade_id == ct_id)
    ).all()
    given = {r.entry_id: (r.given_rank, r.given_award) for r in rows}
    computed = {r.entry_id: (r.rank, r.award) for r in rows}
    facts = {r.entry_id: (r.name, r.source_row) for r in rows}
    return [DifferenceLine(*facts[d.entry_id], d) for d in rules.rank_differences(given, computed)]


def scores_count(ct_id: int) -> int:
    """How many lines of a list the contest-trade holds."""
    return len(
        db.session.scalars(
            select(OutsideScore.entry_id).where(OutsideScore.contest_trade_id == ct_id)
        ).all()
    )

"""Reading what results are computed from, set-based: one query per kind, never a row per entry.

Item marks are aggregated across judges in SQL on PostgreSQL (exact ``numeric``, the same
rounding as ``judging.rules``) and in Python on SQLite (which has no exact decimals).
``tests/results/test_compute.py`` checks both against the pure rules on random contests.
"""

from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass, field
from decimal import Decimal

from sqlalchemy import select, text

from competitions.core.db import db
from competitions.judging import rules as judging_rules
from competitions.judging.models import Mark, SchemeItem, SchemePart
from competitions.registry.models import ContestTrade, Entry, Person
from competitions.results import rules


@dataclass
class EntryRow:
    """An entry as results need it."""

    entry_id: int
    status: str
    unit_id: int | None
    delegation_id: int | None
    time_used: int | None
    #: 不计名次: marked and shown, not ranked.
    out_of_competition: bool = False
    #: part kind → the sum of its item marks (exact; no marks, no key)
    part_sums: dict[str, Decimal] = field(default_factory=dict)
    #: A total given as it stands (a result list of a contest held outside Jingsai that has
    #: totals only); None: the total is weighed from the part scores.
    given_total: Decimal | None = None


@dataclass
class TradeInputs:
    """A contest-trade's settings, scheme and entries."""

    ct: ContestTrade
    #: part kind → (sum of the items' max marks, scale to 100)
    parts: dict[str, tuple[Decimal, bool]]
    entries: dict[int, EntryRow]


#: Entries not (yet) in the contest: a liaison's draft, one awaiting review or returned, one
#: recommended from a lower tier and not yet accepted. They are neither ranked nor counted.
PENDING_STATUSES = ("draft", "submitted", "returned", "recommended")

#: Areas above that hold scores of their own fill them in here (``fill(inputs_by_ct)``): the
#: tiers' result lists of contests held outside Jingsai. The same rules then rank them.
SCORE_SOURCES: list[Callable[[dict[int, "TradeInputs"]], None]] = []


def load(ct_ids: list[int]) -> dict[int, TradeInputs]:
    """Everything needed to compute the results of these contest-trades."""
    cts = db.session.scalars(select(ContestTrade).where(ContestTrade.id.in_(ct_ids))).all()
    out = {ct.id: TradeInputs(ct, {}, {}) for ct in cts}
    parts = db.session.execute(
        select(
            SchemePart.assessment_id,
            SchemePart.kind,
            SchemePart.scale_to_100,
            SchemeItem.max_mark,
        )
        .join(SchemeItem, SchemeItem.part_id == SchemePart.id)
        .where(SchemePart.assessment_id.in_(ct_ids))
    )
    sums: dict[tuple[int, str], list] = {}
    for ct_id, kind, scale, max_mark in parts:
        entry = sums.setdefault((ct_id, kind), [Decimal(0), scale])
        entry[0] += max_mark
    for (ct_id, kind), (total, scale) in sums.items():
        out[ct_id].parts[kind] = (total, scale)
    # The entry's own table: every column needed is there, and the ORM's entity would join
    # the subject supertable too (100,000 rows in a national recompute).
    entry = Entry.__table__.c
    rows = db.session.execute(
        select(
            entry.id,
            entry.contest_trade_id,
            entry.status,
            Person.unit_id,
            entry.delegation_id,
            entry.time_used_s,
            entry.out_of_competition,
        )
        .join(Person, Person.id == entry.person_id)
        .where(entry.contest_trade_id.in_(ct_ids), entry.status.not_in(PENDING_STATUSES))
    ).all()
    for entry_id, ct_id, status, unit_id, delegation_id, time_used, apart in rows:
        out[ct_id].entries[entry_id] = EntryRow(
            entry_id, status, unit_id, delegation_id, time_used, apart
        )
    fill = _part_sums_sql if db.session.get_bind().dialect.name == "postgresql" else _part_sums_py
    for ct_id, entry_id, kind, total in fill(ct_ids):
        row = out[ct_id].entries.get(entry_id)
        if row is not None:
            row.part_sums[kind] = total
    for fill_scores in SCORE_SOURCES:
        fill_scores(out)
    return out


def _part_sums_py(ct_ids: list[int]):
    """(ct, entry, part kind, sum of its item marks), item marks by the pure rules."""
    items = {
        item.id: (item, part.assessment_id, part.kind)
        for item, part in db.session.execute(
            select(SchemeItem, SchemePart)
            .join(SchemePart)
            .where(SchemePart.assessment_id.in_(ct_ids))
        ).tuples()
    }
    scores: dict[tuple[int, int], list[Decimal]] = defaultdict(list)
    for entry_id, item_id, value in db.session.execute(
        select(Mark.subject_id, Mark.item_id, Mark.value).where(Mark.item_id.in_(list(items)))
    ):
        scores[(entry_id, item_id)].append(value)
    sums: dict[tuple[int, int, str], Decimal] = defaultdict(Decimal)
    for (entry_id, item_id), values in scores.items():
        item, ct_id, kind = items[item_id]
        sums[(ct_id, entry_id, kind)] += judging_rules.item_mark(values, item.rule)
    for (ct_id, entry_id, kind), total in sums.items():
        yield ct_id, entry_id, kind, total


#: Per (entry, item): the judges' scores sorted, then the aggregate by the item's method, to 4
#: places half up (PostgreSQL's round of a positive numeric), converted from 0-3 where used; then
#: per (entry, part) the exact sum of those item marks (a third of the rows to send and convert).
_SQL = text("""
WITH s AS (
  SELECT p.assessment_id AS ct, p.kind, m.subject_id AS entry_id, i.id AS item_id,
         i.max_mark, i.scale, i.aggregation, count(*) AS n, sum(m.value) AS total,
         min(m.value) AS lo, max(m.value) AS hi, avg(m.value) AS mean,
         array_agg(m.value ORDER BY m.value) AS v
  FROM mark m
  JOIN scheme_item i ON i.id = m.item_id
  JOIN scheme_part p ON p.id = i.part_id
  WHERE p.assessment_id = ANY(:ct_ids)
  GROUP BY p.assessment_id, p.kind, m.subject_id, i.id
), a AS (
  SELECT ct, kind, entry_id, item_id, max_mark, scale, round(CASE
    WHEN aggregation = 'mean' OR (aggregation = 'trimmed_mean' AND n < 3) THEN mean
    WHEN aggregation = 'trimmed_mean' THEN (total - lo - hi) / (n - 2)
    WHEN aggregation = 'closest_pair' AND n = 3 THEN CASE
      WHEN v[2] - v[1] < v[3] - v[2] THEN (v[1] + v[2]) / 2
      WHEN v[3] - v[2] < v[2] - v[1] THEN (v[2] + v[3]) / 2
      ELSE v[2] END
    WHEN n % 2 = 1 THEN v[n / 2 + 1]
    ELSE (v[n / 2] + v[n / 2 + 1]) / 2
  END, 4) AS agg
  FROM s
)
SELECT ct, entry_id, kind,
       sum(CASE WHEN scale = 'ws3' THEN round(max_mark * agg / 3, 4) ELSE agg END) AS total
FROM a
GROUP BY ct, entry_id, kind
""")


def _part_sums_sql(ct_ids: list[int]):
    """(ct, entry, part kind, sum of its item marks) computed by PostgreSQL in one statement."""
    return db.session.execute(_SQL, {"ct_ids": list(ct_ids)}).all()


def advancement_rule(ct: ContestTrade) -> rules.AdvancementRule:
    """The contest-trade's advancement settings as plain data."""
    return rules.AdvancementRule(
        ct.advancement_mode, ct.advancement_quota, ct.advancement_per_unit, ct.advancement_tie
    )

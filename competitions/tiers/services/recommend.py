"""Recommendation up the tiers (逐级推荐): the entries that arrive at a contest from each
source (a lower contest, or a unit recommending directly), counted against the quota of the
source (名额); accepting, returning with a reason, recommending directly.

Set-based: the summary is one grouped query and the list one page of rows, whatever the
number of sources (``bench/recommendations.py``: 500 sources, 20,000 entries)."""

from collections import defaultdict
from dataclasses import dataclass, field

from sqlalchemy import and_, func, or_, select
from sqlalchemy.orm import aliased

from competitions.core.db import db
from competitions.core.identity_rules import mask_id_number
from competitions.core.words import N_, Reason
from competitions.enrolment import rules as enrolment_rules
from competitions.registry import rules as registry_rules
from competitions.registry.models import Contest, ContestTrade, Entry, Person, Trade
from competitions.registry.services import register_entry
from competitions.results.models import Result
from competitions.tiers import rules
from competitions.tiers.models import DirectRecommendation
from competitions.units.models import Unit

PENDING = "recommended"
RETURNED = "returned"
#: Rows of the list on one page.
PAGE_SIZE = 100
QUOTA_REFUSED = N_(
    "%(source)s, %(trade)s: the quota of this source is %(quota)s and %(accepted)s are "
    "already accepted: at most %(room)s more"
)

_up = Entry.__table__.alias("up")
_src = Entry.__table__.alias("src")
_src_ct = ContestTrade.__table__.alias("src_ct")
_direct = DirectRecommendation.__table__


def _sent_up(contest_id: int):
    """The FROM and WHERE shared by the summary and the list: the contest's entries that came
    from a source, with the source as (lower contest id, recommending unit id)."""
    cts = select(ContestTrade.id).where(ContestTrade.contest_id == contest_id)
    joined = (
        _up.outerjoin(_src, _src.c.id == _up.c.source_entry_id)
        .outerjoin(_src_ct, _src_ct.c.id == _src.c.contest_trade_id)
        .outerjoin(_direct, _direct.c.entry_id == _up.c.id)
    )
    where = and_(
        _up.c.contest_trade_id.in_(cts),
        or_(_up.c.source_entry_id.is_not(None), _direct.c.entry_id.is_not(None)),
    )
    return joined, where


def source_key(lower_contest_id: int | None, unit_id: int | None) -> str:
    """A source as a short key: "c12" (a lower contest) or "u7" (a unit)."""
    return f"u{unit_id}" if unit_id is not None else f"c{lower_contest_id}"


@dataclass
class SourceRow:
    """One source in one trade of the upper contest: its counts and quota."""

    ct_id: int
    key: str
    name: str
    recommended: int = 0
    accepted: int = 0
    returned: int = 0
    quota: int | None = None
    #: Accepted entries taking a place of the quota (not withdrawn, not out of competition).
    in_quota: int = 0


@dataclass
class Summary:
    """The counts per (trade, source), and the names they need."""

    rows: list[SourceRow] = field(default_factory=list)
    trades: dict[int, str] = field(default_factory=dict)

    @property
    def pending(self) -> int:
        """Recommended entries awaiting a decision, all sources together."""
        return sum(r.recommended for r in self.rows)


def summary(contest_id: int) -> Summary:
    """Per trade and source: recommended, accepted and returned, beside the quota."""
    joined, where = _sent_up(contest_id)
    grouped = db.session.execute(
        select(
            _up.c.contest_trade_id,
            _src_ct.c.contest_id,
            _direct.c.unit_id,
            _up.c.status,
            _up.c.out_of_competition,
            func.count(),
        )
        .select_from(joined)
        .where(where)
        .group_by(
            _up.c.contest_trade_id,
            _src_ct.c.contest_id,
            _direct.c.unit_id,
            _up.c.status,
            _up.c.out_of_competition,
        )
    ).all()
    cts = db.session.execute(
        select(ContestTrade.id, Trade.name_zh, ContestTrade.recommend_per_source)
        .join(Trade, Trade.id == ContestTrade.trade_id)
        .where(ContestTrade.contest_id == contest_id)
    ).all()
    quotas = {ct_id: quota for ct_id, _name, quota in cts}
    names = _source_names(
        {c for _, c, u, *_ in grouped if u is None}, {u for _, _, u, *_ in grouped}
    )
    rows: dict[tuple[int, str], SourceRow] = {}
    for ct_id, lower, unit, status, out_of_competition, n in grouped:
        key = source_key(lower, unit)
        row = rows.setdefault(
            (ct_id, key), SourceRow(ct_id, key, names.get(key, key), quota=quotas.get(ct_id))
        )
        if status == PENDING:
            row.recommended += n
        elif status == RETURNED:
            row.returned += n
        else:
            row.accepted += n
            if enrolment_rules.counts_against_quota(status, out_of_competition):
                row.in_quota += n
    ordered = sorted(rows.values(), key=lambda r: (r.ct_id, r.name))
    return Summary(ordered, {ct_id: name for ct_id, name, _q in cts})


def _source_names(contest_ids: set, unit_ids: set) -> dict[str, str]:
    names = {}
    if contest_ids:
        for cid, name in db.session.execute(
            select(Contest.id, Contest.name).where(Contest.id.in_(contest_ids - {None}))
        ):
            names[f"c{cid}"] = name
    unit_ids = unit_ids - {None}
    if unit_ids:
        for uid, name in db.session.execute(
            select(Unit.id, Unit.name).where(Unit.id.in_(unit_ids))
        ):
            names[f"u{uid}"] = name
    return names


def _source_filter(key: str | None):
    """The WHERE of one source key, or None for every source."""
    if not key or len(key) < 2 or not key[1:].isdigit() or key[0] not in "cu":
        return None
    number = int(key[1:])
    if key[0] == "u":
        return _direct.c.unit_id == number
    return and_(_src_ct.c.contest_id == number, _direct.c.entry_id.is_(None))


@dataclass(frozen=True)
class ListedEntry:
    """A row of the list: the upper entry, its person, its source's result."""

    entry_id: int
    name: str
    id_masked: str
    unit: str
    trade: str
    ct_id: int
    status: str
    note: str
    source: str
    source_rank: int | None
    source_total: object


def listing(
    contest_id: int, key: str | None, status: str | None, page: int = 1
) -> tuple[list[ListedEntry], int]:
    """One page of the entries sent up (of a source, of a state), and how many there are."""
    joined, where = _sent_up(contest_id)
    if (source := _source_filter(key)) is not None:
        where = and_(where, source)
    if status:
        where = and_(where, _up.c.status == status)
    total = db.session.scalar(select(func.count()).select_from(joined).where(where))
    unit = aliased(Unit)
    rows = db.session.execute(
        select(
            _up.c.id,
            Person.name,
            Person.id_number,
            unit.name,
            Trade.name_zh,
            _up.c.contest_trade_id,
            _up.c.status,
            _up.c.review_note,
            _src_ct.c.contest_id,
            _direct.c.unit_id,
            Result.rank,
            Result.total,
        )
        .select_from(joined)
        .join(Person, Person.id == _up.c.person_id)
        .outerjoin(unit, unit.id == Person.unit_id)
        .join(ContestTrade, ContestTrade.id == _up.c.contest_trade_id)
        .join(Trade, Trade.id == ContestTrade.trade_id)
        .outerjoin(Result, Result.subject_id == _src.c.id)
        .where(where)
        .order_by(
            _up.c.contest_trade_id,
            _src_ct.c.contest_id,
            _direct.c.unit_id,
            Result.rank.is_(None),
            Result.rank,
            _up.c.id,
        )
        .limit(PAGE_SIZE)
        .offset(max(page - 1, 0) * PAGE_SIZE)
    ).all()
    names = _source_names({r[8] for r in rows if r[9] is None}, {r[9] for r in rows})
    return [
        ListedEntry(
            r[0],
            r[1],
            mask_id_number(r[2]),
            r[3] or "",
            r[4],
            r[5],
            r[6],
            r[7] or "",
            names.get(source_key(r[8], r[9]), ""),
            r[10],
            r[11],
        )
        for r in rows
    ], total


class Refused(Exception):
    """A decision the rules refuse; ``reason`` says why (nothing was changed)."""

    def __init__(self, reason: Reason):
        super().__init__(str(reason))
        self.reason = reason


def _chosen(contest_id: int, entry_ids: list[int]) -> list[tuple[Entry, str]]:
    """The chosen entries of the contest that came from a source, with their source keys."""
    joined, where = _sent_up(contest_id)
    rows = db.session.execute(
        select(_up.c.id, _src_ct.c.contest_id, _direct.c.unit_id)
        .select_from(joined)
        .where(where, _up.c.id.in_(entry_ids))
    ).all()
    keys = {eid: source_key(lower, unit) for eid, lower, unit in rows}
    entries = db.session.scalars(select(Entry).where(Entry.id.in_(list(keys)))).all()
    return [(e, keys[e.id]) for e in entries]


def accept(contest_id: int, entry_ids: list[int]) -> int:
    """Accept recommended entries (→ registered), all or none: refused when any source's
    accepted entries would pass its quota in that trade (one withdrawn or out of competition
    takes no place, as in the registration quotas)."""
    chosen = [(e, k) for e, k in _chosen(contest_id, entry_ids) if e.status == PENDING]
    if not chosen:
        raise Refused(Reason.of(N_("choose recommended entries first")))
    accepting: dict[tuple[int, str], int] = defaultdict(int)
    for entry, key in chosen:
        accepting[(entry.contest_trade_id, key)] += 1
    # Two organisers accepting at once count one after the other (the trades' rows locked).
    db.session.execute(
        select(ContestTrade.id)
        .where(ContestTrade.id.in_({ct for ct, _key in accepting}))
        .with_for_update()
    ).all()
    counts = {(r.ct_id, r.key): r for r in summary(contest_id).rows}
    for (ct_id, key), n in sorted(accepting.items()):
        row = counts[(ct_id, key)]
        if problem := rules.quota_refusal(row.in_quota, n, row.quota):
            params = {**dict(problem.params), "source": row.name, "trade": trade_name(ct_id)}
            raise Refused(Reason(QUOTA_REFUSED, tuple(sorted(params.items()))))
    for entry, _key in chosen:
        entry.status = "registered"
        entry.review_note = ""
    db.session.flush()
    return len(chosen)


def trade_name(ct_id: int) -> str:
    """A contest-trade's trade name (Chinese)."""
    return db.session.scalar(
        select(Trade.name_zh)
        .join(ContestTrade, ContestTrade.trade_id == Trade.id)
        .where(ContestTrade.id == ct_id)
    )


def return_entries(contest_id: int, entry_ids: list[int], reason: str) -> int:
    """Return recommended entries to their source with a reason (→ returned)."""
    if not reason.strip():
        raise Refused(Reason.of(N_("a reason is required to return an entry")))
    chosen = [e for e, _k in _chosen(contest_id, entry_ids) if e.status == PENDING]
    if not chosen:
        raise Refused(Reason.of(N_("choose recommended entries first")))
    for entry in chosen:
        entry.status = RETURNED
        entry.review_note = reason.strip()[:300]
    db.session.flush()
    return len(chosen)


def may_recommend_to(contest_id: int, organised: set[int]) -> bool:
    """Whether an organiser of ``organised`` contests may recommend into ``contest_id``: as
    its organiser, or as the organiser of a contest that feeds it."""
    if contest_id in organised:
        return True
    children = set(db.session.scalars(select(Contest.id).where(Contest.parent_id == contest_id)))
    return bool(children & organised)


def recommend_directly(
    ct: ContestTrade,
    unit_id: int,
    facts: registry_rules.PersonFacts,
    person_fields: dict,
    user_id: int,
) -> Entry:
    """A unit recommends a person directly: the registry's checks (ID number, age rule, one
    entry per person), then a recommended entry with the unit as its source."""
    entry = register_entry(ct, facts, person_fields, None, status=PENDING).entry
    db.session.add(DirectRecommendation(entry_id=entry.id, unit_id=unit_id, recommended_by=user_id))
    db.session.flush()
    return entry


@dataclass(frozen=True)
class SentUp:
    """An entry a lower contest (or a user's direct recommendation) sent up, as it stands."""

    name: str
    trade: str
    status: str
    note: str


def sent_up(contest_id: int, user_id: int) -> list[SentUp]:
    """What this contest sent up to its parent (and this user recommended directly there):
    each entry's state and the reason of a return."""
    contest = db.session.get(Contest, contest_id)
    upper = aliased(Entry.__table__)
    src = Entry.__table__
    rows = db.session.execute(
        select(Person.name, Trade.name_zh, upper.c.status, upper.c.review_note)
        .select_from(upper)
        .join(src, src.c.id == upper.c.source_entry_id)
        .join(ContestTrade, ContestTrade.id == src.c.contest_trade_id)
        .join(Trade, Trade.id == ContestTrade.trade_id)
        .join(Person, Person.id == upper.c.person_id)
        .where(ContestTrade.contest_id == contest_id)
        .order_by(Trade.name_zh, Person.name)
    ).all()
    direct = []
    if contest.parent_id:
        direct = db.session.execute(
            select(Person.name, Trade.name_zh, Entry.status, Entry.review_note)
            .join(DirectRecommendation, DirectRecommendation.entry_id == Entry.id)
            .join(Person, Person.id == Entry.person_id)
            .join(ContestTrade, ContestTrade.id == Entry.contest_trade_id)
            .join(Trade, Trade.id == ContestTrade.trade_id)
            .where(
                ContestTrade.contest_id == contest.parent_id,
                DirectRecommendation.recommended_by == user_id,
            )
            .order_by(Trade.name_zh, Person.name)
        ).all()
    return [SentUp(*r) for r in [*rows, *direct]]

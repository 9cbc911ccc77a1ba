"""Demo judging: a marking scheme, a panel (recusal applied), codes; one trade marked and computed.

Everything goes through the same services the pages use, with seeded random numbers, so the
demo is the same every run.
"""

import random
from decimal import Decimal

from sqlalchemy import select
from sqlalchemy.orm import Session

from competitions.judging.models import JudgeItem, SchemeItem, SchemePart
from competitions.judging.services import codes, panel, review
from competitions.judging.services.marks import save_score
from competitions.judging.services.scheme import replace_scheme
from competitions.judging.services.scheme_import import ItemSpec
from competitions.registry.models import Contest, ContestTrade, Entry, Trade
from competitions.results.services import compute
from seeds.files import read_json


def _spec(row: dict) -> ItemSpec:
    return ItemSpec(
        part=row["part"],
        code=row["code"],
        criterion=row["criterion"],
        description=row["description"],
        kind=row["kind"],
        max_mark=Decimal(row["max_mark"]),
        step=Decimal(row["step"]),
        judges=row["judges"],
        aggregation=row.get("aggregation", "mean"),
    )


def _contest_trade(session: Session, contest_code: str, trade_code: str) -> ContestTrade:
    return session.scalar(
        select(ContestTrade)
        .join(Contest)
        .join(Trade)
        .where(Contest.code == contest_code, Trade.code == trade_code)
    )


def load_judging(session: Session, data_dir=None) -> dict[str, int]:
    """Schemes, panels and codes for the demo contest-trades; marks and results where asked."""
    spec = read_json("judging.json", data_dir) if data_dir else read_json("judging.json")
    items = [_spec(row) for row in spec["scheme"]]
    counts = {"schemes": 0, "marked": 0}
    for row in spec["contest_trades"]:
        ct = _contest_trade(session, row["contest"], row["trade"])
        replace_scheme(ct.id, items, None)
        _seat_panel(session, ct, row["chief"], row["judges"])
        codes.draw_entry_codes(ct.id, True, random.Random(row["code_seed"]))
        counts["schemes"] += 1
        if row["marked"]:
            _mark_and_compute(session, ct, random.Random(row["mark_seed"]))
            counts["marked"] += 1
    return counts


def _seat_panel(session: Session, ct: ContestTrade, chief: str, judges: list[str]) -> None:
    item_ids = set(
        session.scalars(
            select(SchemeItem.id).join(SchemePart).where(SchemePart.assessment_id == ct.id)
        )
    )
    panel.add_member(ct, chief, "chief_judge", None)
    for username in judges:
        member = panel.add_member(ct, username, "judge", None)
        session.flush()
        panel.set_items(member, item_ids)
        panel.assign_all_entries(member)
    session.flush()


def _mark_and_compute(session: Session, ct: ContestTrade, rnd: random.Random) -> None:
    """Every assigned judge scores every entry close to the entry's level; lock; compute."""
    members = panel.members_of(ct.id)
    assigned = panel.assigned_entries([m.id for m in members])
    items = {
        i.id: i
        for i in session.scalars(
            select(SchemeItem).join(SchemePart).where(SchemePart.assessment_id == ct.id)
        )
    }
    by_item = {}
    for member in members:
        for item_id in session.scalars(select(JudgeItem.item_id).filter_by(member_id=member.id)):
            by_item.setdefault(item_id, []).append(member)
    entries = session.scalars(select(Entry).filter_by(contest_trade_id=ct.id).order_by(Entry.id))
    for entry in entries:
        if entry.status not in ("registered", "approved"):
            continue
        level = Decimal(rnd.randint(62, 96)) / 100
        entry.time_used_s = rnd.randint(150, 180) * 20
        for item_id, item in items.items():
            markers = [m for m in by_item.get(item_id, []) if entry.id in assigned.get(m.id, ())]
            base = (item.max_mark * level / item.step).to_integral_value() * item.step
            for member in markers:  # every judge assigned to the entry scores it
                jitter = item.step * rnd.choice([0, 0, 1])  # judges agree within a step
                value = min(max(base + jitter, Decimal(0)), item.max_mark)
                save_score(
                    ct.id,
                    entry.id,
                    item_id,
                    member.user_id,
                    value,
                    member.user_id,
                    reason="演示数据",
                )
    chief = next(m for m in members if m.role == "chief_judge")
    problems = review.lock(ct.id, chief.user_id)
    if problems:
        raise RuntimeError(f"demo marks of ct {ct.id} cannot be locked: {problems}")
    compute.recompute([ct.id])  # with teams, advancement and honours
    session.flush()

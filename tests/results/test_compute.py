"""The set-based path (SQL aggregation on PostgreSQL) equals the pure rules on random contests."""

import random
from collections import defaultdict
from datetime import date
from decimal import Decimal

import pytest
from sqlalchemy import select

from competitions.core.db import db
from competitions.judging import rules as jr
from competitions.judging.models import Mark, MarkingLock, SchemeItem, SchemePart
from competitions.registry.models import Entry, Person
from competitions.results import rules
from competitions.results.models import Result, ResultSet
from competitions.results.services import compute
from tests import factories as f

AGGREGATIONS = ["mean", "trimmed_mean", "median", "closest_pair"]


def random_trade(rnd: random.Random, contest, trade, n_entries: int):
    """A contest-trade with a random scheme, random entries and random marks, locked."""
    ct = f.contest_trade(
        contest,
        trade,
        tie_breaks=rnd.choice(["practical,time,theory", "theory"]),
        award_mode="proportion",
        award_numbers="10,20,30",
        award_rounding=rnd.choice(["half_up", "floor", "ceil"]),
        no_shared_medal_ranks=rnd.random() < 0.3,
    )
    items = []
    for kind in ("theory", "practical"):
        part = SchemePart(assessment_id=ct.id, kind=kind, scale_to_100=rnd.random() < 0.7)
        db.session.add(part)
        db.session.flush()
        for n in range(rnd.randint(1, 4)):
            scale = rnd.choice(["marks", "ws3"])
            judges = rnd.choice([1, 2, 3, 4, 5])
            aggregation = rnd.choice(AGGREGATIONS)
            item = SchemeItem(
                part_id=part.id,
                position=n,
                code=f"{kind[0]}{n}",
                kind="judgement",
                max_mark=Decimal(rnd.choice(["0.25", "1", "2.5", "10", "7.3333"])),
                scale=scale,
                step=Decimal(1) if scale == "ws3" else Decimal("0.0001"),
                judges=judges,
                aggregation=aggregation,
            )
            db.session.add(item)
            items.append(item)
    db.session.flush()
    judges = [f.user(f"j{ct.id}_{n}") for n in range(5)]
    unit = f.unit(f"单位{ct.id}")
    marks = []
    for n in range(n_entries):
        birth = date(1980 + n % 20, 1 + n % 12, 1 + n % 28)
        person = Person(
            name=f"P{ct.id}-{n}",
            gender="M",
            birth_date=birth,
            id_type="passport",
            id_number=f"X{ct.id}-{n}",
            unit_id=unit.id,
        )
        db.session.add(person)
        db.session.flush()
        status = rnd.choice(["approved"] * 9 + ["absent"])
        entry = Entry(
            person_id=person.id,
            contest_trade_id=ct.id,
            status=status,
            time_used_s=rnd.choice([None, 300, 301, 302]),
        )
        db.session.add(entry)
        db.session.flush()
        for item in items:
            top = 3 if item.scale == "ws3" else int(item.max_mark)
            for judge in judges[: item.judges]:
                if item.scale == "ws3":
                    value = Decimal(rnd.randint(0, 3))
                else:
                    value = Decimal(rnd.randint(0, top * 4)) / 4
                    value = min(value, item.max_mark)
                marks.append(
                    {
                        "subject_id": entry.id,
                        "item_id": item.id,
                        "judge_id": judge.id,
                        "value": value,
                    }
                )
    db.session.execute(Mark.__table__.insert(), marks)
    db.session.add(MarkingLock(assessment_id=ct.id, locked=True))
    db.session.flush()
    return ct


def pure_results(ct) -> dict[int, tuple]:
    """The results straight from the pure rules, reading raw marks one by one."""
    items = db.session.scalars(
        select(SchemeItem).join(SchemePart).where(SchemePart.assessment_id == ct.id)
    ).all()
    parts = {
        p.kind: p for p in db.session.scalars(select(SchemePart).filter_by(assessment_id=ct.id))
    }
    scores = defaultdict(list)
    for m in db.session.scalars(select(Mark).where(Mark.item_id.in_([i.id for i in items]))):
        scores[(m.subject_id, m.item_id)].append(m.value)
    entries = db.session.scalars(select(Entry).filter_by(contest_trade_id=ct.id)).all()
    standings, part_scores = [], {}
    for e in entries:
        per_kind = {}
        for kind, part in parts.items():
            part_items = [i for i in items if i.part_id == part.id]
            marks = [
                jr.item_mark(scores[(e.id, i.id)], i.rule)
                for i in part_items
                if scores[(e.id, i.id)]
            ]
            per_kind[kind] = rules.part_score(
                marks, sum(i.max_mark for i in part_items), part.scale_to_100
            )
        total = rules.weighted_total(
            per_kind.get("theory"), per_kind.get("practical"), ct.theory_weight, ct.practical_weight
        )
        part_scores[e.id] = (per_kind.get("theory"), per_kind.get("practical"), total)
        standings.append(
            rules.Standing(
                e.id,
                total,
                per_kind.get("practical") or 0,
                per_kind.get("theory") or 0,
                e.time_used_s,
                e.status,
            )
        )
    chain = tuple(k for k in ct.tie_breaks.split(",") if k)
    ranking = rules.rank(standings, chain, 3 if ct.no_shared_medal_ranks else 0)
    awards = rules.allocate_awards(
        ranking, {e: t for e, (_, _, t) in part_scores.items()}, compute.award_rule(ct)
    )
    return {e: (*part_scores[e], ranking.ranks.get(e), awards.get(e)) for e in part_scores}


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_set_based_results_equal_the_pure_rules(app, seed):
    rnd = random.Random(seed)
    contest = f.contest(f"R{seed}", tier="province")
    cts = [
        random_trade(
            rnd, contest, f.trade(f"T{seed}-{n}", f"工种{n}", f"Trade {n}"), rnd.randint(5, 40)
        )
        for n in range(3)
    ]
    db.session.commit()
    refused = compute.recompute([ct.id for ct in cts])
    db.session.commit()
    assert refused == {}
    for ct in cts:
        stored = {
            r.subject_id: (r.theory, r.practical, r.total, r.rank, r.award)
            for r in db.session.scalars(select(Result).filter_by(assessment_id=ct.id))
        }
        assert stored == pure_results(ct)


def test_recompute_replaces_and_a_refused_recompute_keeps_the_previous_results(app):
    rnd = random.Random(9)
    contest = f.contest("R9", tier="province")
    ct = random_trade(rnd, contest, f.trade(), 12)
    db.session.commit()
    compute.recompute([ct.id])
    db.session.commit()
    first = db.session.scalars(select(Result).filter_by(assessment_id=ct.id)).all()
    compute.recompute([ct.id])  # again: the same rows, not twice as many
    db.session.commit()
    assert len(db.session.scalars(select(Result)).all()) == len(first) == 12
    assert db.session.get(ResultSet, ct.id).version == 2
    db.session.merge(MarkingLock(assessment_id=ct.id, locked=False))
    db.session.commit()
    refused = compute.recompute([ct.id])
    db.session.commit()
    assert refused == {ct.id: ["the marks are not locked by the chief judge"]}
    assert len(db.session.scalars(select(Result)).all()) == 12
    assert db.session.get(ResultSet, ct.id).version == 2

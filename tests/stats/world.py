"""A small union tree with contests in two years, for the figures' tests.

山东省总工会 (province union)
├── 济南市总工会 (city union)
│   └── 济南第二机床厂 (enterprise)
└── 青岛市总工会 (city union)

2026: the provincial contest (organised by the province union): 钳工 with 3 entries (one
withdrawn), published with a first and a second prize; a promotion granted (五级 → 四级); the
Jinan city contest (organised by the Jinan union): 焊工 with 2 entries, one of them a person
also in the provincial contest. 2025: the Qingdao city contest: 1 entry.
"""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from competitions.core.db import db
from competitions.labour import services as labour
from competitions.registry.models import Entry, Person
from competitions.results.models import Honour, Promotion, Result, ResultSet
from competitions.units.models import Unit
from tests import factories as f


@dataclass
class Tree:
    province: Unit
    jinan: Unit
    factory: Unit
    qingdao: Unit


def _person(name: str, serial: int, unit: Unit) -> Person:
    birth = date(1990, 1, serial)
    person = Person(
        name=name,
        gender="M",
        birth_date=birth,
        id_number=f.resident_id(birth, serial),
        unit_id=unit.id,
    )
    db.session.add(person)
    db.session.flush()
    return person


def build() -> Tree:
    province = Unit(name="山东省总工会", kind="union")
    db.session.add(province)
    db.session.flush()
    jinan = Unit(name="济南市总工会", kind="union", parent_id=province.id)
    qingdao = Unit(name="青岛市总工会", kind="union", parent_id=province.id)
    db.session.add_all([jinan, qingdao])
    db.session.flush()
    factory = f.unit("济南第二机床厂", jinan)
    fitter = f.trade("6-20-01", "钳工", "Fitter")
    welder = f.trade("6-20-02", "焊工", "Welder")
    welder.industry = "制造"

    prov = f.contest("SD-2026", tier="province", year=2026)
    prov.organising_unit_id = province.id
    ct = f.contest_trade(prov, fitter)
    a, b, c = (_person(n, i + 1, factory) for i, n in enumerate(("张伟", "李娜", "王强")))
    entries = [
        Entry(person_id=p.id, contest_trade_id=ct.id, status=s)
        for p, s in ((a, "approved"), (b, "approved"), (c, "withdrawn"))
    ]
    db.session.add_all(entries)
    db.session.flush()
    db.session.add(ResultSet(assessment_id=ct.id, state="final"))
    db.session.add_all(
        [
            Result(
                subject_id=entries[0].id,
                assessment_id=ct.id,
                total=Decimal("91.5"),
                rank=1,
                award="first",
            ),
            Result(
                subject_id=entries[1].id,
                assessment_id=ct.id,
                total=Decimal("88"),
                rank=2,
                award="second",
            ),
        ]
    )
    honour = Honour(
        contest_trade_id=ct.id, entry_id=entries[0].id, honour="promotion", state="granted"
    )
    db.session.add(honour)
    db.session.flush()
    db.session.add(
        Promotion(
            honour_id=honour.id,
            person_id=a.id,
            contest_trade_id=ct.id,
            from_level=5,
            to_level=4,
            award="first",
            granted_on=date(2026, 11, 1),
        )
    )

    city = f.contest("JN-2026", tier="city", year=2026)
    city.organising_unit_id = jinan.id
    ct2 = f.contest_trade(city, welder)
    d = _person("赵敏", 4, qingdao)
    db.session.add_all(
        [
            Entry(person_id=a.id, contest_trade_id=ct2.id),
            Entry(person_id=d.id, contest_trade_id=ct2.id),
        ]
    )
    labour.create_competition(city.id, "班组劳动竞赛", "quarter", 2026, 1, "labour_model")
    # Draft results are nobody's awards yet.
    db.session.add(ResultSet(assessment_id=ct2.id, state="draft"))

    old = f.contest("QD-2025", tier="city", year=2025)
    old.organising_unit_id = qingdao.id
    ct3 = f.contest_trade(old, fitter)
    db.session.add(Entry(person_id=d.id, contest_trade_id=ct3.id))
    db.session.commit()
    return Tree(province, jinan, factory, qingdao)

"""A county contest held outside Jingsai feeding a city contest, and its result list."""

import io
from dataclasses import dataclass
from datetime import date

from openpyxl import load_workbook

from competitions.core.db import db
from competitions.registry.models import Contest, ContestTrade
from competitions.units.models import Unit
from tests import factories as f

UNIT = "某县机械厂"
HEADER = "证件号码,姓名,工作单位,理论知识成绩,技能操作成绩,用时,名次,奖项"
PEOPLE = [
    # (name, birth, theory, practical, time, rank given, award given): 乙 and 丙 tie on 79.00;
    # the rules put 丙 first (more practical), the county's list put 乙 first.
    ("甲", date(1990, 1, 1), "90", "95", "50:00", "1", "一等奖"),
    ("乙", date(1991, 2, 2), "100", "70", "51:00", "2", "二等奖"),
    ("丙", date(1992, 3, 3), "30", "100", "52:00", "3", "三等奖"),
    ("丁", date(1993, 4, 4), "60", "60", "53:00", "4", ""),
    ("戊", date(1994, 5, 5), "50", "55", "54:00", "5", ""),
]


def id_of(n: int) -> str:
    return f.resident_id(PEOPLE[n][1], serial=n + 1, male=n % 2 == 0)


def list_csv(people=PEOPLE, extra: str = "") -> bytes:
    """The county's final result list as CSV."""
    lines = [HEADER]
    for n, (name, _birth, theory, practical, time, rank, award) in enumerate(people):
        lines.append(f"{id_of(n)},{name},{UNIT},{theory},{practical},{time},{rank},{award}")
    return ("\n".join(lines) + extra + "\n").encode()


@dataclass
class World:
    county: Contest
    city: Contest
    county_ct: ContestTrade
    city_ct: ContestTrade
    unit: Unit


def build(city_quota: int | None = 2) -> World:
    """The county (organiser ``org``, fixed awards 1/1/1, top 2 advance) feeding the city
    (organiser ``city_org``, at most ``city_quota`` accepted per source)."""
    city = f.contest("JN-2019", tier="city")
    county = f.contest("XC-2019", tier="county", parent=city)
    trade = f.trade()
    county_ct = f.contest_trade(
        county,
        trade,
        award_mode="fixed",
        award_numbers="1,1,1",
        award_min_total=None,
        advancement_quota=2,
    )
    city_ct = f.contest_trade(city, trade, recommend_per_source=city_quota)
    unit = f.unit(UNIT)
    org = f.user("org", registrar=True)
    f.grant(org, county, "organiser")
    city_org = f.user("city_org")
    f.grant(city_org, city, "organiser")
    db.session.commit()
    return World(county, city, county_ct, city_ct, unit)


def sheet_rows(data: bytes) -> list[tuple]:
    """The rows of a downloaded workbook's first sheet."""
    return list(load_workbook(io.BytesIO(data)).worksheets[0].iter_rows(values_only=True))

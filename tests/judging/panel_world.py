"""The world the panel and code tests share (builders only; no tests in this module)."""

from dataclasses import dataclass
from datetime import date
from decimal import Decimal

from competitions.core.db import db
from competitions.judging.models import MarkingLock, PanelMember, SchemeItem, SchemePart
from competitions.registry.models import Contest, ContestTrade, Entry, Person
from competitions.units.models import Unit
from tests import factories as f


def unit(name: str, kind: str = "enterprise", parent: Unit | None = None) -> Unit:
    """A unit of a given kind."""
    u = Unit(name=name, kind=kind, parent_id=parent.id if parent else None)
    db.session.add(u)
    db.session.flush()
    return u


def entry(ct: ContestTrade, name: str, serial: int, unit=None, team=None, status="registered"):
    """A contestant entered in the contest-trade."""
    birth = date(1990, 1, 1)
    person = Person(
        name=name,
        gender="M",
        birth_date=birth,
        id_type="resident",
        id_number=f.resident_id(birth, serial=serial),
        unit_id=unit.id if unit else None,
    )
    db.session.add(person)
    db.session.flush()
    e = Entry(
        person_id=person.id,
        contest_trade_id=ct.id,
        delegation_id=team.id if team else None,
        status=status,
    )
    db.session.add(e)
    db.session.flush()
    return e


def seat(ct: ContestTrade, user, role: str = "judge", team=None) -> PanelMember:
    """Put a user on the panel directly (the web form is tested on its own)."""
    m = PanelMember(
        assessment_id=ct.id, user_id=user.id, role=role, delegation_id=team.id if team else None
    )
    db.session.add(m)
    db.session.flush()
    return m


def scheme(ct: ContestTrade) -> dict[str, SchemeItem]:
    """A theory part (T1, T2) and a practical part (P1 by 3 judges, P2)."""
    items = {}
    for kind, codes in (("theory", ("T1", "T2")), ("practical", ("P1", "P2"))):
        part = SchemePart(assessment_id=ct.id, kind=kind, name="")
        db.session.add(part)
        db.session.flush()
        for position, code in enumerate(codes):
            item = SchemeItem(
                part_id=part.id,
                position=position,
                code=code,
                max_mark=Decimal(10),
                judges=3 if code == "P1" else 1,
            )
            db.session.add(item)
            items[code] = item
    db.session.flush()
    return items


def lock(ct: ContestTrade) -> None:
    """Lock the marks as the chief judge would (the row may exist already)."""
    row = db.session.get(MarkingLock, ct.id) or MarkingLock(assessment_id=ct.id)
    row.locked = True
    db.session.add(row)
    db.session.commit()


@dataclass
class World:
    """A provincial contest's fitter trade with units, delegations, staff and six entries."""

    contest: Contest
    ct: ContestTrade
    units: dict
    teams: dict
    users: dict
    entries: dict


def world() -> World:
    """Build the world and commit it."""
    acftu = unit("中华全国总工会", "union")
    shandong = unit("山东省总工会", "union", acftu)
    jinan = unit("济南市总工会", "union", shandong)
    qingdao = unit("青岛市总工会", "union", shandong)
    units = {
        "jigang": unit("山钢集团济南钢铁有限公司", parent=jinan),
        "bureau": unit("山东省人力资源和社会保障厅", "government"),
        "jinan": jinan,
        "qingdao": qingdao,
    }
    units["steelmaking"] = unit("济钢炼钢厂", parent=units["jigang"])
    units["haiwan"] = unit("青岛海湾重工机械有限公司", parent=qingdao)
    units["luzhong"] = unit("淄博鲁中机床有限公司", parent=shandong)
    units["quancheng"] = unit("济南泉城重工装备有限公司", parent=jinan)
    contest = f.contest("SD-2018", tier="province", year=2018)
    other = f.contest("QG-2018", tier="national", year=2018)
    ct = f.contest_trade(contest, f.trade())
    teams = {
        "jinan": f.delegation(contest, "济南代表队", jinan),
        "qingdao": f.delegation(contest, "青岛代表队", qingdao),
    }
    users = {}
    for name, unit_key, role in (
        ("organiser", "bureau", "organiser"),
        ("judge1", "jigang", "judge"),
        ("judge2", "haiwan", "judge"),
        ("judge3", "luzhong", "judge"),
        ("chief", "bureau", "chief_judge"),
        ("chief2", "bureau", "chief_judge"),
        ("clerk1", "bureau", "clerk"),
    ):
        users[name] = f.user(name)
        users[name].unit_id = units[unit_key].id
        f.grant(users[name], contest, role)
    users["organiser2"] = f.user("organiser2")
    f.grant(users["organiser2"], other, "organiser")
    entries = {
        "steel": entry(ct, "张炼钢", 1, units["steelmaking"], teams["jinan"]),
        "haiwan": entry(ct, "李海湾", 2, units["haiwan"], teams["qingdao"]),
        "luzhong": entry(ct, "王鲁中", 3, units["luzhong"]),
        "nounit": entry(ct, "赵无单位", 4, None, teams["qingdao"]),
        "quancheng": entry(ct, "钱泉城", 5, units["quancheng"], teams["jinan"]),
        "withdrawn": entry(ct, "孙退赛", 6, units["haiwan"], status="withdrawn"),
    }
    db.session.commit()
    return World(contest, ct, units, teams, users, entries)


def login_en(client, login, username: str):
    """Log in and switch the interface to English, so tests read the English messages."""
    login(username)
    client.get("/lang/en")
    return client

"""A contest open for registration, with a liaison, another unit's liaison, a team leader and the
organiser (builders only; no tests here)."""

import io
from dataclasses import dataclass
from datetime import date, datetime

from competitions.accounts.models import ContestRole
from competitions.core.db import db
from tests import factories as f

OPEN = (datetime(2000, 1, 1, 9, 0), datetime(2100, 1, 1, 17, 0))
CLOSED = (datetime(2000, 1, 1, 9, 0), datetime(2001, 1, 1, 17, 0))
JPEG = b"\xff\xd8\xff\xe0\x00\x10JFIF" + b"\x00" * 64
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64
PDF = b"%PDF-1.7\n" + b"x" * 64
EXE = b"MZ\x90\x00\x03" + b"\x00" * 64


@dataclass
class World:
    contest: object
    ct: object
    steel: object  #: the liaison's unit
    workshop: object  #: a sub-unit of it
    other: object  #: another unit
    delegation: object
    liaison: ContestRole
    other_liaison: ContestRole
    leader: ContestRole


def role(username: str, contest, name: str, **scope) -> ContestRole:
    row = ContestRole(user_id=f.user(username).id, contest_id=contest.id, role=name, **scope)
    db.session.add(row)
    db.session.flush()
    return row


def build(window=OPEN, **settings) -> World:
    """The contest with one trade (``settings`` on it), committed."""
    org = f.user("org", registrar=True)
    contest = f.contest("JN-2019")
    contest.registration_opens, contest.registration_closes = window
    f.grant(org, contest, "organiser")
    ct = f.contest_trade(contest, f.trade(), **settings)
    steel = f.unit("济南钢铁")
    workshop = f.unit("济钢第一车间", steel)
    other = f.unit("青岛海湾重工")
    delegation = f.delegation(contest, "济南代表队", steel)
    world = World(
        contest,
        ct,
        steel,
        workshop,
        other,
        delegation,
        role("liaison", contest, "liaison", unit_id=steel.id),
        role("liaison2", contest, "liaison", unit_id=other.id),
        role("leader", contest, "team_leader", delegation_id=delegation.id),
    )
    db.session.commit()
    return world


def person_form(name: str, serial: int, unit, **extra) -> dict:
    """The registration form of a person born in 1990 (a valid resident ID)."""
    return {
        "name": name,
        "id_type": "resident",
        "id_number": f.resident_id(date(1990, 3, 7), serial),
        "gender": "",
        "birth_date": "",
        "unit_id": unit.id if unit else "",
        "skill_level": "",
        "phone": "",
        **extra,
    }


def upload(data: bytes, name: str):
    """A file as the test client posts it."""
    return (io.BytesIO(data), name)

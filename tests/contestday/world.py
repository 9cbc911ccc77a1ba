"""A contest-trade ready for its contest day (builders only; no tests here): an organiser
(org), a check-in staff member (desk), entries registered or approved, and sessions."""

from dataclasses import dataclass
from datetime import date, time

from competitions.contestday.models import ExamSession
from competitions.core.db import db
from competitions.core.i18n import local_now
from competitions.registry.models import ContestTrade, Entry, Person
from tests import factories as f


@dataclass
class World:
    ct: ContestTrade
    other_ct: ContestTrade
    entries: list[Entry]
    sessions: list[ExamSession]


def add_session(ct, name: str, workstations: int, day: date, starts=time(0, 0), ends=time(23, 59)):
    """A session of ``ct`` (all day long by default: check-in open whenever the test runs)."""
    session = ExamSession(
        contest_trade_id=ct.id,
        name=name,
        day=day,
        starts_at=starts,
        ends_at=ends,
        place="济南技师学院实训楼",
        workstations=workstations,
    )
    db.session.add(session)
    db.session.flush()
    return session


def build(n_entries: int = 5, capacities=(3, 3), day: date | None = None) -> World:
    """The contest SD-2018 with trade 钳工 (``n_entries`` entries, one withdrawn besides) and
    sessions of ``capacities`` workstations on ``day``; trade 焊工 with a session of its own."""
    contest = f.contest("SD-2018", tier="province")
    ct = f.contest_trade(contest, f.trade())
    other_ct = f.contest_trade(contest, f.trade("6-20-02", "焊工", "Welder"))
    unit = f.unit("济钢")
    entries = []
    for n in range(n_entries + 1):
        person = Person(
            name=f"选手{n}号",
            gender="M",
            birth_date=date(1990, 1, n + 1),
            id_type="resident",
            id_number=f.resident_id(date(1990, 1, n + 1), n),
            unit_id=unit.id,
        )
        db.session.add(person)
        db.session.flush()
        status = "withdrawn" if n == n_entries else ("approved" if n % 2 else "registered")
        entry = Entry(person_id=person.id, contest_trade_id=ct.id, status=status)
        db.session.add(entry)
        db.session.flush()
        if status != "withdrawn":
            entries.append(entry)
    day = day or local_now().date()  # the contests' time zone, as the desk reads it
    sessions = [add_session(ct, f"第{n + 1}场", c, day) for n, c in enumerate(capacities)]
    add_session(other_ct, "焊工第1场", 5, day)
    organiser = f.user("org", registrar=True)
    f.grant(organiser, contest, "organiser")
    f.grant(f.user("desk"), contest, "check_in")
    f.grant(f.user("judge1"), contest, "judge")
    db.session.commit()
    return World(ct, other_ct, entries, sessions)

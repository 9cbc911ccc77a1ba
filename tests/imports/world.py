"""A contest to import into, the rows of a test file, and what the database holds."""

from datetime import date

from sqlalchemy import func, select

from competitions.core.audit import AuditLog
from competitions.core.db import db
from competitions.registry.models import Entry, Person
from tests import factories
from tests.imports.sheets import person_row

NEW_MAN = factories.resident_id(date(1990, 3, 15), serial=11)
NEW_WOMAN = factories.resident_id(date(1988, 7, 1), serial=12, male=False)
KNOWN = factories.resident_id(date(1980, 1, 20), serial=13)
BAD_CHECK = NEW_WOMAN[:17] + ("1" if NEW_WOMAN[17] != "1" else "2")


def setup_contest():
    """A contest with two trades, a unit, a delegation, an organiser and a person already known."""
    contest = factories.contest("JN-2019")
    fitter = factories.contest_trade(contest, factories.trade("6-20-01", "钳工", "Fitter"))
    welder = factories.contest_trade(contest, factories.trade("6-20-02", "焊工", "Welder"))
    unit = factories.unit("济南第二机床厂")
    factories.delegation(contest, "济南市代表队", unit)
    organiser = factories.user("organiser")
    factories.grant(organiser, contest, "organiser")
    known = Person(
        name="赵强",
        gender="M",
        birth_date=date(1980, 1, 20),
        id_type="resident",
        id_number=KNOWN,
        phone="",
    )
    db.session.add(known)
    db.session.commit()
    return {
        "contest": contest,
        "fitter": fitter,
        "welder": welder,
        "unit": unit,
        "organiser": organiser,
        "known": known,
    }


def rows(bad: bool):
    """Four rows: a new man in two trades, a new woman (bad check digit if ``bad``), a known man."""
    return [
        person_row(
            "张伟",
            NEW_MAN,
            "钳工",
            unit="济南第二机床厂",
            skill_level="三级/高级工",
            phone="13800001111",
            delegation="济南市代表队",
        ),
        person_row("王芳", BAD_CHECK if bad else NEW_WOMAN, "6-20-02", status="已审核"),
        person_row("张伟", NEW_MAN, "焊工"),
        person_row("赵强", KNOWN, "钳工"),
    ]


def in_english(client):
    """Switch the client's interface to English (the messages the tests read)."""
    client.get("/lang/en")
    return client


def counts() -> tuple[int, int, int]:
    """(persons, entries, audit rows) in the database."""
    db.session.expire_all()
    return tuple(
        db.session.scalar(select(func.count()).select_from(model))
        for model in (Person, Entry, AuditLog)
    )

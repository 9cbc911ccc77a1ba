"""Small builders of valid records for tests (no randomness unless asked)."""

import functools
from datetime import date, datetime
from decimal import Decimal

import pyotp
from sqlalchemy import select

from competitions.accounts.models import ContestRole, SecondFactor, User
from competitions.accounts.services import second_factor
from competitions.core.db import db
from competitions.registry.models import Contest, ContestTrade, Delegation, Trade
from competitions.registry.rules import resident_id_check_char
from competitions.units.models import Unit

PASSWORD = "secret-pass"
#: The authenticator app's secret of test accounts with a second factor.
TOTP_SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


def resident_id(birth: date, serial: int = 1, male: bool = True, region: str = "370102") -> str:
    """A valid 18-character resident ID for a birth date (the 17th digit odd for men)."""
    seq = serial * 2 + (1 if male else 0)
    first17 = f"{region}{birth:%Y%m%d}{seq % 1000:03d}"
    return first17 + resident_id_check_char(first17)


@functools.cache
def _password_hash() -> str:
    """One real hash of the test password, computed once (hashing is slow on purpose)."""
    from werkzeug.security import generate_password_hash

    return generate_password_hash(PASSWORD)


def user(username: str, registrar: bool = False) -> User:
    """A user with the test password."""
    u = User(
        username=username,
        display_name=username.title(),
        is_registrar=registrar,
        password_hash=_password_hash(),
    )
    db.session.add(u)
    db.session.flush()
    return u


def turn_on_second_factor(u: User, secret: str = TOTP_SECRET) -> None:
    """Give the user a confirmed second factor with ``secret`` (no recovery codes)."""
    row = db.session.get(SecondFactor, u.id) or SecondFactor(user_id=u.id)
    row.secret, row.confirmed_at, row.last_step = secret, datetime(2026, 1, 1), None
    db.session.add(row)
    db.session.flush()


def app_code(username: str) -> str:
    """The code the user's authenticator app shows now (its secret read from the database).
    The last step used is forgotten, so a test may log the user in again within 30 s."""
    u = db.session.scalar(select(User).where(User.username == username))
    row = db.session.get(SecondFactor, u.id)
    row.last_step = None
    db.session.commit()
    return pyotp.TOTP(row.secret).now()


def log_in(client, username: str, password: str = PASSWORD, **query):
    """Log in through the pages as a person does: the password, then the authenticator app's
    code for an account with a second factor (an account that must have one and has none is
    given one first). The last response (a redirect once logged in)."""
    u = db.session.scalar(select(User).where(User.username == username.strip()))
    if u is not None and not second_factor.is_on(u.id) and second_factor.required(u):
        turn_on_second_factor(u)
        db.session.commit()
    data = {"username": username, "password": password}
    response = client.post("/login", data=data, query_string=query)
    if response.status_code == 302 and response.location.endswith("/login/code"):
        response = client.post("/login/code", data={"code": app_code(username.strip())})
    return response


def grant(u: User, contest: Contest, role: str) -> None:
    """Give a user a role in a contest."""
    db.session.add(ContestRole(user_id=u.id, contest_id=contest.id, role=role))
    db.session.flush()


def unit(name: str, parent: Unit | None = None) -> Unit:
    """A unit."""
    u = Unit(name=name, kind="enterprise", parent_id=parent.id if parent else None)
    db.session.add(u)
    db.session.flush()
    return u


def trade(code: str = "6-20-01", name_zh: str = "钳工", name_en: str = "Fitter") -> Trade:
    """A trade."""
    t = Trade(code=code, name_zh=name_zh, name_en=name_en, industry="机械")
    db.session.add(t)
    db.session.flush()
    return t


def contest(
    code: str, tier: str = "city", parent: Contest | None = None, year: int = 2019
) -> Contest:
    """A contest in May of ``year``."""
    c = Contest(
        code=code,
        name=f"{code} 职工职业技能大赛",
        year=year,
        tier=tier,
        starts_on=date(year, 5, 10),
        ends_on=date(year, 5, 12),
        parent_id=parent.id if parent else None,
    )
    db.session.add(c)
    db.session.flush()
    return c


def contest_trade(c: Contest, t: Trade, **settings) -> ContestTrade:
    """A trade in a contest with default rule settings."""
    ct = ContestTrade(
        contest_id=c.id,
        trade_id=t.id,
        theory_weight=Decimal(30),
        practical_weight=Decimal(70),
        **settings,
    )
    db.session.add(ct)
    db.session.flush()
    return ct


def delegation(c: Contest, name: str, u: Unit | None = None) -> Delegation:
    """A delegation of a contest."""
    d = Delegation(contest_id=c.id, name=name, unit_id=u.id if u else None)
    db.session.add(d)
    db.session.flush()
    return d

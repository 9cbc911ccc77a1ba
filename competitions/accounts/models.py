"""Users and their roles in contests."""

from datetime import datetime

from flask_login import UserMixin
from sqlalchemy import CheckConstraint, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship
from werkzeug.security import check_password_hash, generate_password_hash

from competitions.core.crypto import Encrypted
from competitions.core.db import db, utcnow

ROLES = (
    "organiser",
    "chief_judge",
    "judge",
    "clerk",
    "arbitrator",
    # a unit's liaison (单位联络员) registers the unit's own people; ``ContestRole.unit_id``
    "liaison",
    # a delegation's team leader (领队) registers the delegation's people; ``delegation_id``
    "team_leader",
    # the check-in staff (检录员) of the contest day
    "check_in",
    # an encryption officer (加密裁判) draws one layer of the two-layer encryption (二次加密)
    "encryption_officer",
)
#: The roles a contest's staff form grants with nothing more than a username (the liaison and
#: the team leader also name their unit or delegation).
PLAIN_ROLES = (
    "organiser",
    "chief_judge",
    "judge",
    "clerk",
    "arbitrator",
    "check_in",
    "encryption_officer",
)
#: The three administrators of an installation (三权分立): accounts and settings, roles and
#: duties, the audit trail. Each is a dedicated account that sees no contest data by that role.
ADMIN_ROLES = ("system", "security", "audit")


class User(UserMixin, db.Model):
    """Someone who logs in: an organiser, a judge, a clerk, an arbitrator."""

    __tablename__ = "user_account"
    id: Mapped[int] = mapped_column(primary_key=True)
    username: Mapped[str] = mapped_column(String(60), unique=True)
    display_name: Mapped[str] = mapped_column(String(100))
    #: werkzeug's salted hash (scrypt); the password itself is never stored.
    password_hash: Mapped[str] = mapped_column(String(255))
    #: May keep the shared registers (trades, units) and create contests.
    is_registrar: Mapped[bool] = mapped_column(default=False)
    active: Mapped[bool] = mapped_column(default=True)
    #: The unit the user works for (recusal compares it with entries' units).
    unit_id: Mapped[int | None] = mapped_column(ForeignKey("unit.id", ondelete="SET NULL"))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: One of ``ADMIN_ROLES`` for an administrator's account, else None.
    admin_role: Mapped[str | None] = mapped_column(String(20))
    #: Set when the system administrator gives the account a password: the person changes it
    #: before anything else.
    must_change_password: Mapped[bool] = mapped_column(default=False)

    roles: Mapped[list["ContestRole"]] = relationship(
        back_populates="user", cascade="all, delete-orphan"
    )

    __table_args__ = (
        CheckConstraint("admin_role IN ('system', 'security', 'audit')", name="admin_role"),
    )

    def __repr__(self) -> str:
        return f"<User {self.username}>"

    @property
    def is_active(self) -> bool:
        """Flask-Login: inactive users cannot log in."""
        return self.active

    def set_password(self, password: str) -> None:
        """Store a salted hash of ``password``."""
        self.password_hash = generate_password_hash(password)

    def check_password(self, password: str) -> bool:
        """Whether ``password`` matches the stored hash."""
        return check_password_hash(self.password_hash, password)


class ContestRole(db.Model):
    """A user's role in one contest; every permission on a contest comes from these rows."""

    __audited__ = True
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    contest_id: Mapped[int] = mapped_column(
        ForeignKey("contest.id", ondelete="CASCADE"), index=True
    )
    role: Mapped[str] = mapped_column(String(20))
    #: A liaison's unit: they register and see only this unit's people.
    unit_id: Mapped[int | None] = mapped_column(
        ForeignKey("unit.id", ondelete="CASCADE"), index=True
    )
    #: A team leader's delegation: they register and see only its people.
    delegation_id: Mapped[int | None] = mapped_column(
        ForeignKey("delegation.id", ondelete="CASCADE"), index=True
    )

    user: Mapped[User] = relationship(back_populates="roles")

    __table_args__ = (
        UniqueConstraint("user_id", "contest_id", "role"),
        CheckConstraint("role IN (" + ", ".join(f"'{r}'" for r in ROLES) + ")", name="role"),
        CheckConstraint("(role = 'liaison') = (unit_id IS NOT NULL)", name="liaison_unit"),
        CheckConstraint(
            "(role = 'team_leader') = (delegation_id IS NOT NULL)", name="leader_delegation"
        ),
    )

    def __repr__(self) -> str:
        return f"<ContestRole {self.user_id} {self.role} of contest {self.contest_id}>"


class UserSession(db.Model):
    """One log-in of a user in one browser: the session cookie names it, and it ends when
    revoked (log-out, a password change, "log out everywhere")."""

    __tablename__ = "user_session"
    id: Mapped[int] = mapped_column(primary_key=True)
    #: The random secret the session cookie carries (the cookie is signed, the token unguessable).
    token: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When a request last used it (kept to the minute, see accounts.services.sessions.TOUCH_EVERY).
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    #: When it was ended; a revoked session lets nobody in.
    revoked_at: Mapped[datetime | None] = mapped_column()

    user: Mapped[User] = relationship()

    def __repr__(self) -> str:
        return f"<UserSession {self.id} of user {self.user_id}>"


class LoginFailure(db.Model):
    """Failed log-ins counted under one key (competitions.accounts.rules.wait_before_login):
    ``account:<name>``, ``source:<name>|<address or known device>``, ``address:<address>``.
    Keys go by the username typed, so unknown usernames are counted like known ones."""

    __tablename__ = "login_failure"
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column()
    last_at: Mapped[datetime] = mapped_column()

    def __repr__(self) -> str:
        return f"<LoginFailure {self.key}: {self.count}>"


class SecondFactor(db.Model):
    """A user's authenticator app (TOTP, RFC 6238): the shared secret, set up once a code
    from the app has confirmed it."""

    __tablename__ = "second_factor"
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), primary_key=True
    )
    #: The base32 secret the app was given, kept encrypted with the data key (like ID
    #: numbers); it is never shown again after set-up.
    secret: Mapped[str] = mapped_column(Encrypted(255))
    #: When a code confirmed it; empty while set-up is under way (the second factor is off).
    confirmed_at: Mapped[datetime | None] = mapped_column()
    #: The time step (30 s) of the last code accepted: a code is never accepted twice.
    last_step: Mapped[int | None] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)

    def __repr__(self) -> str:
        state = "on" if self.confirmed_at else "being set up"
        return f"<SecondFactor of user {self.user_id}: {state}>"


class RecoveryCode(db.Model):
    """A one-time code that stands in for the authenticator app (a lost phone); only its
    salted hash is kept, like a password's."""

    __tablename__ = "recovery_code"
    id: Mapped[int] = mapped_column(primary_key=True)
    user_id: Mapped[int] = mapped_column(
        ForeignKey("user_account.id", ondelete="CASCADE"), index=True
    )
    code_hash: Mapped[str] = mapped_column(String(255))
    #: When it was used to log in; a used code lets nobody in again.
    used_at: Mapped[datetime | None] = mapped_column()

    def __repr__(self) -> str:
        return f"<RecoveryCode {self.id} of user {self.user_id}>"

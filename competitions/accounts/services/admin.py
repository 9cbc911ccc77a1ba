"""What the three administrators do to accounts (三权分立): the system administrator keeps
accounts (create, edit, let log in or not, reset a password), the security administrator grants
duties. ORM work that flushes, never commits; every change writes its own audit row in people's
words (the account table is not audited column by column: it holds the password hash)."""

from sqlalchemy import func, select

from competitions.accounts import rules
from competitions.accounts.models import ContestRole, User
from competitions.accounts.services import sessions
from competitions.core.audit import AuditLog
from competitions.core.db import db, utcnow


class DutyRefused(Exception):
    """A change the separation of duties refuses; ``reason`` says why."""

    def __init__(self, reason):
        super().__init__(str(reason))
        self.reason = reason


def _log(actor_id: int, action: str, user: User, changes: dict) -> None:
    db.session.add(
        AuditLog(
            at=utcnow(),
            user_id=actor_id,
            action=action,
            entity="user_account",
            entity_id=user.id,
            changes=changes,
        )
    )


def accounts() -> list[User]:
    """Every account, by username."""
    return list(db.session.scalars(select(User).order_by(User.username)))


def create_user(
    actor_id: int, username: str, display_name: str, password: str, unit_id: int | None
) -> User:
    """A new account that may log in with ``password`` (checked by the form against the policy)."""
    user = User(username=username, display_name=display_name, unit_id=unit_id, active=True)
    user.set_password(password)
    user.must_change_password = True
    db.session.add(user)
    db.session.flush()
    changes = {"username": [None, username], "display_name": [None, display_name]}
    if unit_id:
        changes["unit_id"] = [None, unit_id]
    _log(actor_id, "create", user, changes)
    db.session.flush()
    return user


def edit_user(
    actor_id: int, user: User, display_name: str, unit_id: int | None, active: bool
) -> None:
    """Change an account's name, unit and whether it may log in; an account that may no
    longer log in has its sessions ended at once."""
    changes = {}
    for column, value in (("display_name", display_name), ("unit_id", unit_id), ("active", active)):
        if getattr(user, column) != value:
            changes[column] = [getattr(user, column), value]
            setattr(user, column, value)
    if not active:
        sessions.end_all(user.id, utcnow().replace(tzinfo=None))
    if changes:
        _log(actor_id, "update", user, changes)
    db.session.flush()


def reset_password(actor_id: int, user: User, password: str) -> None:
    """Give the account a new password (the user is told it and changes it); every session of
    the account ends."""
    user.set_password(password)
    user.must_change_password = True
    sessions.end_all(user.id, utcnow().replace(tzinfo=None))
    _log(actor_id, "update", user, {"password": ["—", "reset"]})
    db.session.flush()


def holder(user: User) -> rules.DutyHolder:
    """What the separation of duties looks at in ``user``."""
    has_roles = db.session.scalar(
        select(func.count()).select_from(ContestRole).where(ContestRole.user_id == user.id)
    )
    return rules.DutyHolder(user.id, user.admin_role, user.is_registrar, bool(has_roles))


def change_duty(actor: User, user: User, duty: str, grant: bool) -> None:
    """Grant or take back a duty (``rules.duty_problem`` decides); raises DutyRefused."""
    security_admins = db.session.scalar(
        select(func.count()).select_from(User).where(User.admin_role == "security")
    )
    problem = rules.duty_problem(holder(actor), holder(user), duty, grant, security_admins)
    if problem is not None:
        raise DutyRefused(problem)
    if duty == "registrar":
        changes = {"is_registrar": [user.is_registrar, grant]}
        user.is_registrar = grant
    else:
        new = duty if grant else None
        changes = {"admin_role": [user.admin_role, new]}
        user.admin_role = new
    # Whatever the account could do before, it does only with its new duties from now on.
    sessions.end_all(user.id, utcnow().replace(tzinfo=None))
    _log(actor.id, "update", user, changes)
    db.session.flush()

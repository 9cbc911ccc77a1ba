"""``flask accounts create-admin``: the first administrators of a new installation, made on the
server (nobody can grant the first security administrator's role in the app)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import select

from competitions.accounts import rules
from competitions.accounts.models import ADMIN_ROLES, User
from competitions.core.audit import AuditLog
from competitions.core.db import db, utcnow


@click.group("accounts")
def accounts_command() -> None:
    """Administrators' accounts."""


@accounts_command.command("create-admin")
@click.argument("username")
@click.option("--role", type=click.Choice(ADMIN_ROLES), default="system", show_default=True)
@click.option("--name", "display_name", default=None, help="The name shown for the account.")
@click.password_option(help="The password (asked for when not given).")
@with_appcontext
def create_admin(username: str, role: str, display_name: str | None, password: str) -> None:
    """Create the first administrator of ROLE (system, security or audit). Later ones are
    granted in the app by the security administrator."""
    if db.session.scalar(select(User.id).where(User.admin_role == role)):
        raise click.ClickException(
            f"There is already a {role} administrator: the security administrator grants more."
        )
    if db.session.scalar(select(User.id).where(User.username == username)):
        raise click.ClickException(f"The username {username} is taken.")
    problems = rules.password_problems(password, username)
    if problems:
        raise click.ClickException("; ".join(str(p) for p in problems))
    user = User(username=username, display_name=display_name or username, admin_role=role)
    user.set_password(password)
    db.session.add(user)
    db.session.flush()
    db.session.add(
        AuditLog(
            at=utcnow(),
            user_id=None,
            action="create",
            entity="user_account",
            entity_id=user.id,
            changes={"username": [None, username], "admin_role": [None, role]},
        )
    )
    db.session.commit()
    click.echo(f"Created the {role} administrator {username}.")
    if role == "system":
        click.echo(
            "Next: create the security and audit administrators "
            "(flask accounts create-admin --role security / --role audit)."
        )

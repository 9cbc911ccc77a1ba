"""``flask seed``: load the demo data (see ``seeds/loader.py``)."""

import click
from flask.cli import with_appcontext
from sqlalchemy import func, select

from competitions.accounts.models import User
from competitions.core.db import db
from seeds.loader import SeedError, load_demo


@click.command("seed")
@click.option("--if-empty", is_flag=True, help="Load only if the database has no users yet.")
@click.option("--reset", is_flag=True, help="Remove every row of every table first.")
@with_appcontext
def seed_command(if_empty: bool, reset: bool) -> None:
    """Load the demo data: trades, units, a chain of four contests, contestants, demo accounts."""
    if if_empty and reset:
        raise click.UsageError("--if-empty and --reset exclude each other.")
    if if_empty:
        users = db.session.scalar(select(func.count()).select_from(User))
        if users:
            click.echo(f"The database already has {users} users: demo data not loaded.")
            return
    try:
        counts = load_demo(db.session, reset=reset)
    except SeedError as err:
        db.session.rollback()
        raise click.ClickException(str(err)) from None
    db.session.commit()
    summary = ", ".join(f"{n} {kind.replace('_', '-')}" for kind, n in counts.items())
    click.echo(f"Loaded the demo data{' after removing every row' if reset else ''}: {summary}.")

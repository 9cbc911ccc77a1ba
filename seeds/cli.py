"""``flask seed``: load the demo data."""

import click


@click.command("seed")
def seed_command():
    """Load the demo data (placeholder)."""
    click.echo("todo")

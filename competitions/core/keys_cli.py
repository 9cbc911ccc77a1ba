"""``flask keys``: re-encrypt personal data after a new data key or index key (see
``competitions/core/key_rotation.py``)."""

import click
from flask.cli import with_appcontext

from competitions.core import key_rotation, tasks


@click.group("keys")
def keys_command() -> None:
    """Rotate the keys of personal data at rest."""


@keys_command.command("rotate-data")
@click.option("--batch", default=key_rotation.BATCH, show_default=True, help="Rows a transaction.")
@click.option(
    "--on-workers", is_flag=True, help="Queue the run for the workers instead of running it here."
)
@with_appcontext
def rotate_data_command(batch: int, on_workers: bool) -> None:
    """Re-encrypt every ID number, phone and import file with the first JINGSAI_DATA_KEY and
    make every lookup hash with JINGSAI_INDEX_KEY, in batches; then the old key can go."""
    if on_workers:
        tasks.rotate_data.delay(batch)
        click.echo("Queued: the workers re-encrypt in batches (see their log).")
        return

    def say(outcome: key_rotation.Rotated) -> None:
        click.echo(f"{outcome.table}: {outcome.checked} rows, {outcome.rewritten} rewritten.")

    key_rotation.rotate_all(batch, say)
    click.echo("Done: every value is under the first data key; older keys may be dropped.")

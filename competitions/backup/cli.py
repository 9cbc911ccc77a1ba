"""``flask backup``: export a contest or everything to an archive, restore one into an empty
database (see ``competitions/backup/services/``)."""

from pathlib import Path

import click
from flask.cli import with_appcontext

from competitions.backup import services as backup


@click.group("backup")
def backup_command() -> None:
    """Export a contest (or everything) to a ZIP archive; restore one into an empty database."""


@backup_command.command("export")
@click.option("--contest", "contest_code", metavar="CODE", help="The contest to export.")
@click.option("--all", "everything", is_flag=True, help="Export the whole database.")
@click.argument("out", type=click.Path(dir_okay=False, path_type=Path))
@with_appcontext
def export_command(contest_code: str | None, everything: bool, out: Path) -> None:
    """Export one contest with what it needs (--contest CODE), or everything (--all), to OUT."""
    if bool(contest_code) == everything:
        raise click.UsageError("Give either --contest CODE or --all.")
    try:
        manifest = backup.export_archive(out, contest_code)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from None
    what = f"contest {contest_code}" if contest_code else "the whole database"
    click.echo(f"Exported {what} to {out}: {_summary(manifest)}.")
    for column, n in sorted(manifest["cleared"].items()):
        click.echo(f"  {column}: {n} references to rows outside the contest left empty.")
    for relative in manifest["missing_files"]:
        click.echo(f"  Warning: {relative} is not in the certificate folder; not exported.")


@backup_command.command("restore")
@click.argument("archive", type=click.Path(exists=True, dir_okay=False, path_type=Path))
@with_appcontext
def restore_command(archive: Path) -> None:
    """Restore ARCHIVE into this database, which must be empty and at the archive's schema
    revision (run `flask db upgrade` first); all or nothing."""
    try:
        manifest = backup.restore_archive(archive)
    except backup.BackupError as err:
        raise click.ClickException(str(err)) from None
    click.echo(f"Restored {archive}: {_summary(manifest)}.")


def _summary(manifest: dict) -> str:
    rows = sum(manifest["tables"].values())
    tables = sum(1 for n in manifest["tables"].values() if n)
    return f"{rows} rows in {tables} tables, {len(manifest['files'])} certificate files"

"""``flask audit``: seal the audit rows written since the last seal, and verify the chain (see
``competitions/core/audit_chain.py``)."""

import click
from flask import current_app
from flask.cli import with_appcontext

from competitions.core import audit_chain
from competitions.core.db import db


def audit_key() -> bytes:
    """The key of the audit chain's seals (kept outside the database)."""
    return current_app.config["AUDIT_KEY"].encode()


@click.group("audit")
def audit_command() -> None:
    """Seal and verify the tamper-evident audit trail."""


@audit_command.command("seal")
@with_appcontext
def seal_command() -> None:
    """Seal every audit record written since the last seal (the workers do it every minute)."""
    click.echo(f"Sealed {audit_chain.seal_pending(db.session, audit_key())} audit records.")


@audit_command.command("verify")
@with_appcontext
def verify_command() -> None:
    """Walk the audit chain from its first link; exit 1 naming the first broken link."""
    verdict = audit_chain.verify(db.session, audit_key())
    if verdict.intact:
        click.echo(
            f"The audit chain holds: {verdict.checked} sealed records checked, "
            f"{verdict.unsealed} not sealed yet."
        )
        return
    seq, audit_id, what = verdict.broken
    click.echo(
        f"The audit chain is broken at link {seq} (audit record {audit_id}): {what}. "
        f"{verdict.checked} links before it hold.",
        err=True,
    )
    raise SystemExit(1)

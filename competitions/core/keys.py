"""The site's secret keys: where they come from, and refusing to start without them.

``SECRET_KEY`` signs sessions and CSRF tokens; ``CERT_KEY`` keys the check part of certificate
numbers; ``AUDIT_KEY`` keys the seals of the audit chain; ``DATA_KEY`` encrypts personal data at
rest and ``INDEX_KEY`` keys the hashes that find it (competitions/core/crypto.py). They are apart
so that a new session key (everyone logs in again) never touches issued certificates, the audit
trail's seals or the encrypted data. A
production start takes them from the environment and refuses to start without them; the
embedded setup makes each one at random on its first start and keeps it in a file of the
instance folder that only its owner can read.
"""

import os
import secrets
from pathlib import Path

#: config name → (environment variable, file in the instance folder, what it keys).
KEYS = {
    "SECRET_KEY": ("SECRET_KEY", "secret-key", "signs sessions and CSRF tokens"),
    "CERT_KEY": ("JINGSAI_CERT_KEY", "cert-key", "keys the check part of certificate numbers"),
    "AUDIT_KEY": ("JINGSAI_AUDIT_KEY", "audit-key", "keys the seals of the audit trail"),
    "DATA_KEY": (
        "JINGSAI_DATA_KEY",
        "data-key",
        "encrypts ID numbers, phones and uploaded files (a list, newest first, when rotating)",
    ),
    "INDEX_KEY": (
        "JINGSAI_INDEX_KEY",
        "index-key",
        "keys the hashes that find a contestant by ID number",
    ),
}


class MissingKey(RuntimeError):
    """A production start without one of its keys."""


def is_production(environ) -> bool:
    """Production: PostgreSQL or Redis configured, or served by gunicorn (which sets
    ``SERVER_SOFTWARE`` in its processes' environment)."""
    return bool(
        environ.get("DATABASE_URL")
        or environ.get("REDIS_URL")
        or environ.get("SERVER_SOFTWARE", "").startswith("gunicorn")
    )


def resolve_keys(config) -> None:
    """Fill the keys of ``config`` where they are empty: from their files
    in ``INSTANCE_DIR`` (made on first use), or, when ``KEYS_REQUIRED``, refuse with
    :class:`MissingKey` naming every missing variable."""
    missing = [name for name in KEYS if not config.get(name)]
    if missing and config.get("KEYS_REQUIRED"):
        raise MissingKey(_refusal(missing))
    for name in missing:
        config[name] = instance_key(Path(config["INSTANCE_DIR"]) / KEYS[name][1])


def instance_key(path: Path) -> str:
    """The key kept in ``path``; made at random on first use, readable by the owner only.

    The file appears whole or not at all (written under another name, then linked into place),
    so two processes starting together agree on one key: the second one reads the first's.
    """
    if path.exists():
        return path.read_text(encoding="ascii").strip()
    path.parent.mkdir(parents=True, exist_ok=True)
    draft = path.with_name(f".{path.name}.{os.getpid()}.{secrets.token_hex(4)}")
    fd = os.open(draft, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(fd, "w", encoding="ascii") as out:
        out.write(secrets.token_urlsafe(48) + "\n")
    try:
        os.link(draft, path)
    except FileExistsError:
        pass  # another process made it first: use theirs
    finally:
        draft.unlink()
    return path.read_text(encoding="ascii").strip()


def _refusal(missing: list[str]) -> str:
    """The message a production start without keys stops with."""
    lines = [
        "Jingsai does not start: a production start (DATABASE_URL or REDIS_URL set, or gunicorn) "
        "needs its secret keys from the environment, and these are not set:"
    ]
    lines += [f"  {KEYS[name][0]}: {KEYS[name][2]}" for name in missing]
    lines.append(
        "Set each to its own long random value, the same on every web and worker machine, e.g. "
        "the output of: python3 -c 'import secrets; print(secrets.token_urlsafe(48))'"
    )
    return "\n".join(lines)

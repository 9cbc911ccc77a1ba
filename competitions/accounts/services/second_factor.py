"""The second factor of log-in: an authenticator app (TOTP) and one-time recovery codes.

ORM work that flushes, never commits. Who must have one is ``rules.second_factor_required``;
what a typed code is, ``rules.typed_code``. Every step people take with it (set-up, a log-in
with it, a wrong code, a recovery code used, new recovery codes, a reset by a registrar) is an
audit row of the table ``second_factor`` about the user, in people's words
(``auditlog.services.ACTION_LABELS``).
"""

import hmac
import secrets
from datetime import UTC, datetime

import pyotp
import zxingcpp
from markupsafe import Markup
from sqlalchemy import delete, exists, func, select
from werkzeug.security import check_password_hash, generate_password_hash

from competitions.accounts import rules
from competitions.accounts.models import ContestRole, RecoveryCode, SecondFactor, User
from competitions.core.audit import AuditLog
from competitions.core.db import db

#: How many recovery codes a user gets at a time.
RECOVERY_CODES = 10
#: Recovery codes are random (50 bits), not chosen by people: a lighter salted hash than
#: passwords' keeps checking ten of them quick.
RECOVERY_HASH = "pbkdf2:sha256:20000"
#: Codes of the step before and after now are accepted too (a phone's clock a little off).
DRIFT_STEPS = 1
#: The name authenticator apps show above the account.
ISSUER = "Jingsai"


def is_on(user_id: int) -> bool:
    """Whether the user has a confirmed second factor."""
    return bool(
        db.session.scalar(select(SecondFactor.confirmed_at).where(SecondFactor.user_id == user_id))
    )


def required(user: User) -> bool:
    """Whether the user must have a second factor (a registrar, or an organiser anywhere)."""
    organises = db.session.scalar(
        select(exists().where(ContestRole.user_id == user.id, ContestRole.role == "organiser"))
    )
    return rules.second_factor_required(user.is_registrar, bool(organises), user.admin_role)


def setup_secret(user: User) -> str:
    """The secret to give the user's authenticator app while setting it up: the one already
    being set up (a reloaded page shows the same), else a new one. Call it only for a user
    whose second factor is off (:func:`is_on`)."""
    row = db.session.get(SecondFactor, user.id)
    if row is None:
        row = SecondFactor(user_id=user.id, secret=pyotp.random_base32())
        db.session.add(row)
        db.session.flush()
    return row.secret


def setup_uri(user: User, secret: str) -> str:
    """The otpauth:// address the QR code carries (what the app reads)."""
    return pyotp.TOTP(secret).provisioning_uri(name=user.username, issuer_name=ISSUER)


def qr_svg(text: str) -> Markup:
    """A QR code of ``text`` as inline SVG (nothing fetched from elsewhere)."""
    image = zxingcpp.create_barcode(text, zxingcpp.BarcodeFormat.QRCode, ec_level="M").to_image(
        scale=1, add_quiet_zones=False
    )
    size = image.shape[0]
    pixels = bytes(image)  # one byte per module, row by row: 0 dark, 255 light
    runs = []
    for row in range(size):
        line = pixels[row * size : (row + 1) * size] + b"\xff"
        start = None
        for col, value in enumerate(line):
            if value < 128 and start is None:
                start = col
            elif value >= 128 and start is not None:
                runs.append(f"M{start + 4} {row + 4}h{col - start}v1h-{col - start}z")
                start = None
    box = size + 8
    return Markup(
        f'<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 {box} {box}" width="{box * 5}" '
        f'height="{box * 5}" role="img" shape-rendering="crispEdges">'
        f'<rect width="{box}" height="{box}" fill="#fff"/>'
        f'<path fill="#000" d="{"".join(runs)}"/></svg>'
    )


def _step(now: datetime) -> int:
    """The 30-second time step of ``now`` (naive UTC)."""
    return int(now.replace(tzinfo=UTC).timestamp()) // 30


def _matching_step(row: SecondFactor, code: str, now: datetime) -> int | None:
    """The time step whose code ``code`` is (now, or one step off), if not used before."""
    totp, current = pyotp.TOTP(row.secret), _step(now)
    for step in range(current - DRIFT_STEPS, current + DRIFT_STEPS + 1):
        if row.last_step is not None and step <= row.last_step:
            continue
        if hmac.compare_digest(totp.generate_otp(step), code):
            return step
    return None


def confirm(user: User, typed: str, now: datetime) -> list[str] | None:
    """Turn the second factor on if ``typed`` is the app's current code; the user's new
    recovery codes (to show once), or None when the code is wrong."""
    row = db.session.get(SecondFactor, user.id)
    code = rules.typed_code(typed)
    if row is None or row.confirmed_at or code is None or code[0] != "totp":
        return None
    step = _matching_step(row, code[1], now)
    if step is None:
        return None
    row.confirmed_at, row.last_step = now, step
    codes = _new_recovery_codes(user.id)
    record(user.id, "enable", user.id, recovery_codes=len(codes))
    return codes


def check(user: User, typed: str, now: datetime) -> str | None:
    """Check a code typed at the second step of log-in: ``"totp"`` or ``"recovery"`` when it
    lets the user in (an app code or recovery code is then used up), else None."""
    row = db.session.get(SecondFactor, user.id)
    code = rules.typed_code(typed)
    if row is None or row.confirmed_at is None or code is None:
        return None
    kind, value = code
    if kind == "totp":
        step = _matching_step(row, value, now)
        if step is None:
            return None
        row.last_step = step
        return kind
    unused = db.session.scalars(
        select(RecoveryCode).where(RecoveryCode.user_id == user.id, RecoveryCode.used_at.is_(None))
    )
    for recovery in unused:
        if check_password_hash(recovery.code_hash, value):
            recovery.used_at = now
            db.session.flush()
            return kind
    return None


def codes_left(user_id: int) -> int:
    """How many of the user's recovery codes are still unused."""
    return db.session.scalar(
        select(func.count())
        .select_from(RecoveryCode)
        .where(RecoveryCode.user_id == user_id, RecoveryCode.used_at.is_(None))
    )


def _new_recovery_codes(user_id: int) -> list[str]:
    """Replace the user's recovery codes with ``RECOVERY_CODES`` new ones; them, printed
    "ABCDE-23456"."""
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user_id))
    plain = [_random_code() for _ in range(RECOVERY_CODES)]
    for code in plain:
        db.session.add(
            RecoveryCode(user_id=user_id, code_hash=generate_password_hash(code, RECOVERY_HASH))
        )
    db.session.flush()
    return [f"{code[:5]}-{code[5:]}" for code in plain]


def _random_code() -> str:
    """One recovery code, ``rules.RECOVERY_LENGTH`` random letters of its alphabet."""
    return "".join(secrets.choice(rules.RECOVERY_ALPHABET) for _ in range(rules.RECOVERY_LENGTH))


def renew_recovery_codes(user: User) -> list[str]:
    """New recovery codes for the user (the old ones stop working); them, to show once."""
    codes = _new_recovery_codes(user.id)
    record(user.id, "renew", user.id, recovery_codes=len(codes))
    return codes


def reset(user: User, by: User, reason: str) -> None:
    """A registrar turns the user's second factor off (a lost phone and no recovery code):
    the user sets it up again at the next log-in if it is required of them."""
    db.session.execute(delete(SecondFactor).where(SecondFactor.user_id == user.id))
    db.session.execute(delete(RecoveryCode).where(RecoveryCode.user_id == user.id))
    record(by.id, "reset", user.id, reason=reason)


def record(actor_id: int | None, action: str, user_id: int, **facts) -> None:
    """An audit row about the second factor of ``user_id``, done by ``actor_id``."""
    db.session.add(
        AuditLog(
            user_id=actor_id,
            action=action,
            entity="second_factor",
            entity_id=user_id,
            changes={"user_id": user_id, **facts},
        )
    )
    db.session.flush()

"""Known devices: a signed cookie that says which accounts have logged in on this browser.

An account's known device keeps its own count of failed log-ins, apart from strangers' (see
``rules.wait_before_login``), so a guesser elsewhere cannot keep the account's owner out. The
cookie only lets an attempt be checked; it never stands in for the password.
"""

import secrets

from flask import current_app, request
from itsdangerous import BadSignature, URLSafeSerializer

COOKIE = "jingsai_device"
#: Accounts one browser remembers (a shared computer in a hall), the most recent kept.
MAX_ACCOUNTS = 20
MAX_AGE = 400 * 24 * 3600


def _serializer() -> URLSafeSerializer:
    return URLSafeSerializer(current_app.secret_key, salt="known-device")


def _read() -> dict:
    """The browser's device cookie, if it is one this site signed."""
    try:
        data = _serializer().loads(request.cookies.get(COOKIE, ""))
    except BadSignature:
        return {}
    return data if isinstance(data, dict) else {}


def known_device(username: str) -> str | None:
    """The id of this browser if the account ``username`` has logged in on it, else None."""
    data = _read()
    names = data.get("u") or []
    device = data.get("d")
    if isinstance(device, str) and isinstance(names, list) and username.strip() in names:
        return device
    return None


def remember(response, username: str) -> None:
    """Set the cookie so that this browser is a known device of ``username`` from now on."""
    data = _read()
    device = data.get("d") if isinstance(data.get("d"), str) else secrets.token_urlsafe(16)
    names = [n for n in data.get("u") or [] if isinstance(n, str) and n != username]
    value = _serializer().dumps({"d": device, "u": [*names, username][-MAX_ACCOUNTS:]})
    config = current_app.config
    response.set_cookie(
        COOKIE,
        value,
        max_age=MAX_AGE,
        httponly=True,
        samesite="Lax",
        secure=config.get("SESSION_COOKIE_SECURE", False),
    )

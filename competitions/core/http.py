"""Small helpers about the request that several areas share."""

from flask import request


def referrer_or(fallback: str) -> str:
    """The page the request came from, when it is a page of this site; else ``fallback``
    (never another site: no open redirect through a forged Referer)."""
    back = request.referrer or ""
    return back if back.startswith(request.host_url) else fallback

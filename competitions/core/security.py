"""The browser-side defences every response carries: a Content-Security-Policy and its friends.

The policy allows scripts only from this site's own files (``static/js``), never inline script,
event-handler attributes or ``javascript:`` links; styles may be inline (``style=""`` attributes
draw progress bars and indents). Pages cannot be framed, forms post only to this site.
"""

from flask import Flask, request
from flask_login import current_user

CONTENT_SECURITY_POLICY = "; ".join(
    (
        "default-src 'self'",
        "script-src 'self'",
        "object-src 'none'",
        "base-uri 'self'",
        "frame-ancestors 'none'",
        "form-action 'self'",
        "img-src 'self' data:",
        "style-src 'self' 'unsafe-inline'",
    )
)

#: Sent with every response, whatever produced it (pages, files, errors, API answers).
SECURITY_HEADERS = {
    "Content-Security-Policy": CONTENT_SECURITY_POLICY,
    "X-Content-Type-Options": "nosniff",
    "Referrer-Policy": "same-origin",
    "X-Frame-Options": "DENY",
}


def add_security_headers(response):
    """Put the security headers on ``response`` (an ``after_request`` hook)."""
    for name, value in SECURITY_HEADERS.items():
        response.headers[name] = value
    return response


#: Pages of a contestant's own results (found by ID number and name, no log-in).
PERSONAL_PATHS = ("/my-result",)


def forbid_storing_personal_pages(response):
    """``Cache-Control: no-store`` on every answer to a logged-in user and on a contestant's own
    pages (an ``after_request`` hook): they can show full ID numbers, which no browser cache,
    shared computer's history or proxy may keep. Static files are left cacheable."""
    if request.endpoint == "static":
        return response
    if current_user.is_authenticated or request.path.startswith(PERSONAL_PATHS):
        response.headers["Cache-Control"] = "no-store"
    return response


def init_security(app: Flask) -> None:
    """Send the security headers with every response of ``app``; personal pages not stored."""
    app.after_request(add_security_headers)
    app.after_request(forbid_storing_personal_pages)

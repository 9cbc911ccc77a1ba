"""The browser-side defences every response carries: a Content-Security-Policy and its friends.

The policy allows scripts only from this site's own files (``static/js``), never inline script,
event-handler attributes or ``javascript:`` links; styles may be inline (``style=""`` attributes
draw progress bars and indents). Pages cannot be framed, forms post only to this site.
"""

from flask import Flask

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


def init_security(app: Flask) -> None:
    """Send the security headers with every response of ``app``."""
    app.after_request(add_security_headers)

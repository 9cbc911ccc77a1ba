"""The plumbing every page relies on: the health check, the language switch, and the template
filters for times, trade names and decimals."""

from decimal import Decimal

from flask import Blueprint, redirect, session, url_for

from competitions.core.http import referrer_or
from competitions.core.i18n import local_moment, trade_name, utc_moment

bp = Blueprint("core", __name__)
bp.add_app_template_filter(local_moment, "local_moment")
bp.add_app_template_filter(utc_moment, "utc_moment")


@bp.route("/healthz")
def health():
    """For load balancers and monitoring: the web process answers (touches nothing else)."""
    return "ok", 200, {"Content-Type": "text/plain"}


bp.add_app_template_filter(trade_name, "trade_name")


@bp.app_template_filter("decimal")
def plain_decimal(value) -> str:
    """A Decimal without trailing zeros and never in exponent form ("8.50" → "8.5")."""
    if value is None:
        return ""
    return format(Decimal(value).normalize(), "f")


@bp.route("/lang/<code>")
def set_language(code: str):
    """Switch the interface language (Chinese or English) for this browser."""
    if code in {"zh_Hans_CN", "en"}:
        session["lang"] = code
    return redirect(referrer_or(url_for("overview.index")))

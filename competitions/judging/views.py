"""The judging blueprint; its routes live in one module per task (scheme, panel, marking…)."""

from flask import Blueprint

bp = Blueprint("judging", __name__)

from competitions.judging import (  # noqa: E402, F401
    views_marking,
    views_panel,
    views_review,
    views_scheme,
    views_sheets,
    views_timing,
)

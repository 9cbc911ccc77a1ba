"""The judging blueprint; its routes live in one module per task (scheme, panel, marking…)."""

from flask import Blueprint

bp = Blueprint("judging", __name__)

from competitions.judging.views import (  # noqa: E402, F401
    encryption,
    marking,
    panel,
    relations,
    scheme,
    sheets,
)

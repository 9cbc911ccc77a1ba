"""Routes of the judging blueprint (being built)."""

from competitions.judging.views import bp  # noqa: F401

"""Judging forms, one module per task (panel, scheme, score sheets)."""

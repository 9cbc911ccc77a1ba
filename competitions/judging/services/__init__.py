"""Judging services, one module per task: schemes, panels, codes, marks, review."""

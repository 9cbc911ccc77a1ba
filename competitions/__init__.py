"""Jingsai: the domain of tiered labour and skill competitions, one sub-package per area."""

"""Judging: marking schemes, panels with recusal, anonymous codes, marks, double entry, the lock."""

"""Import of contestants and entries from .xlsx and CSV files, all-or-nothing, on the worker."""

"""Demo data: the same every run."""

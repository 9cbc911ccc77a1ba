"""Award certificates: design, issue on the workers, verify by number."""

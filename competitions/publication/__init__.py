"""Publication: public notice (公示) with appeals (申诉), then final results."""

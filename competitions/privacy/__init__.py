"""Personal information's life cycle (PIPL): what is held about a person, for them to see."""

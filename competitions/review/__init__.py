"""The chief judge's review of a contest-trade's marks: disagreements, corrections, lock."""

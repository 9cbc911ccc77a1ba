"""The contest day (赛务): sessions, the draw of lots, admission tickets, check-in, absence."""

"""Registration: trades, units, delegations, tiered contests, contest-trades, entries."""

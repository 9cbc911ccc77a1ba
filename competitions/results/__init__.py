"""Results: part scores, totals, ranks, awards, team results, advancement and honours."""

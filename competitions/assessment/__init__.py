"""Assessment: what judging marks. An assessment (one round of judging, such as a trade in a
contest) and its subjects (what is marked in it, such as the entries), whatever their kind."""

"""Innovation-achievement contests (职工创新成果 / 创新创效): submissions by a person or a team, a
format check (形式审查), an expert online review and a defence session (会评答辩) marked by
judging's panels, a combined score, awards by fixed counts per category, 公示 and certificates."""

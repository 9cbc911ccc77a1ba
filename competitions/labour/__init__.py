"""Labour competitions (劳动竞赛): participants, periods and an indicator scheme with vetoes;
reporters' figures with evidence, the organiser's verification, scores and ranks on the workers
through the assessment interface, publication (公示, objections) and commendation certificates."""

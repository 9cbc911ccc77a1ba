"""Selection of 工匠 (craftsman titles): campaigns hanging off a contest, nominating bodies with
quotas, nominations, qualification review, expert review through judging (the campaign is an
assessment, its candidates subjects), a public vote resisting 刷票, the combined ranking."""

"""Labels of the codes the database keeps, in the user's language: the words every area shares
(forms offer them as choices, pages and exports show them, the audit log speaks them)."""

from competitions.core.i18n import lazy_gettext as _l

ROLE_LABELS = {
    "organiser": _l("Organiser"),
    "chief_judge": _l("Chief judge"),
    "judge": _l("Judge"),
    "clerk": _l("Clerk"),
    "arbitrator": _l("Arbitrator"),
    "liaison": _l("Unit liaison"),
    "team_leader": _l("Team leader"),
    "check_in": _l("Check-in staff"),
    "encryption_officer": _l("Encryption officer"),
}

ADMIN_ROLE_LABELS = {
    "system": _l("System administrator"),
    "security": _l("Security administrator"),
    "audit": _l("Audit administrator"),
}
#: What the security administrator grants: the three administrators and the registrar's duty.
DUTY_LABELS = {**ADMIN_ROLE_LABELS, "registrar": _l("Registrar (registers and new contests)")}
PANEL_ROLE_LABELS = {"judge": _l("Judge"), "chief_judge": _l("Chief judge")}

PART_LABELS = {"theory": _l("Theory"), "practical": _l("Practical")}

KIND_LABELS = {"measurement": _l("Measurement"), "judgement": _l("Judgement")}

SCALE_LABELS = {
    "marks": _l("Marks (0 to the max mark)"),
    "ws3": _l("WorldSkills 0-3 (mark = max × mean / 3)"),
}

AGGREGATION_LABELS = {
    "mean": _l("Mean"),
    "trimmed_mean": _l("Trimmed mean (drop the highest and the lowest)"),
    "median": _l("Median"),
    "closest_pair": _l("Closest pair (3 judges)"),
}

TIER_LABELS = {
    "enterprise": _l("Enterprise"),
    "county": _l("County"),
    "city": _l("City"),
    "province": _l("Province"),
    "industry": _l("Industry"),
    "national": _l("National"),
}

STATUS_LABELS = {
    "draft": _l("Not yet submitted"),
    "submitted": _l("Awaiting review"),
    "returned": _l("Returned"),
    "recommended": _l("Recommended"),
    "registered": _l("Registered"),
    "approved": _l("Approved"),
    "withdrawn": _l("Withdrawn"),
    "disqualified": _l("Disqualified"),
    "absent": _l("Absent"),
}

#: What a row without a rank shows where the rank goes (results.rules.shown_in_place_of_rank).
IN_PLACE_OF_RANK_LABELS = {**STATUS_LABELS, "out_of_competition": _l("Out of competition")}

ID_TYPE_LABELS = {
    "resident": _l("Resident ID card"),
    "passport": _l("Passport"),
    "hkmo": _l("HK/Macao permit"),
    "taiwan": _l("Taiwan permit"),
    "other": _l("Other document"),
}

GENDER_LABELS = {"M": _l("Male"), "F": _l("Female")}

SKILL_LABELS = {
    5: _l("Level 5 / junior worker"),
    4: _l("Level 4 / intermediate worker"),
    3: _l("Level 3 / senior worker"),
    2: _l("Level 2 / technician"),
    1: _l("Level 1 / senior technician"),
}

UNIT_KINDS = {
    "enterprise": _l("Enterprise"),
    "union": _l("Trade union"),
    "government": _l("Government body"),
    "school": _l("School"),
    "other": _l("Other"),
}

AWARD_MODE_LABELS = {
    "proportion": _l("Proportion of ranked entries (%)"),
    "fixed": _l("Fixed counts"),
    "bands": _l("Rank bands"),
    "medals": _l("Medals (gold, silver, bronze)"),
}

ROUNDING_LABELS = {
    "half_up": _l("Round half up"),
    "floor": _l("Round down"),
    "ceil": _l("Round up"),
}

ADVANCEMENT_LABELS = {
    "top_n": _l("Top N"),
    "first_only": _l("First place only"),
    "per_unit": _l("Top N, at most M per unit"),
}

TIE_BREAK_LABELS = {
    "practical": _l("Practical score (higher first)"),
    "time": _l("Time used (less first)"),
    "theory": _l("Theory score (higher first)"),
}

TIE_LABELS = {
    "all": _l("All tied at the cut-off advance"),
    "none": _l("None of those tied at the cut-off advance"),
    "chief_judge": _l("The chief judge decides"),
}

TEAM_MODE_LABELS = {"best_n": _l("Sum of the best N totals"), "points": _l("Points per award")}

AWARD_LABELS = {
    # an innovation contest's 特等奖, above the first prize
    "special": _l("Special prize"),
    "first": _l("First prize"),
    "second": _l("Second prize"),
    "third": _l("Third prize"),
    "gold": _l("Gold medal"),
    "silver": _l("Silver medal"),
    "bronze": _l("Bronze medal"),
    "mention": _l("Honourable mention"),
    # a labour competition's commendations
    "labour_model": _l("Labour competition model"),
    "advanced_collective": _l("Advanced collective"),
    "pioneer": _l("Workers' Pioneer"),
}

HONOUR_LABELS = {
    "may_day_medal": _l("May Day Labour Medal"),
    "technical_expert": _l("Technical Expert"),
    "promotion": _l("Promotion of skill level"),
}

HONOUR_STATE_LABELS = {
    "recommended": _l("Recommended"),
    "granted": _l("Granted"),
    "withdrawn": _l("Withdrawn"),
}


def award_label(award: str) -> str:
    """An award's name in the user's language."""
    return str(AWARD_LABELS.get(award, award))


def honour_label(honour: str) -> str:
    """An honour's name in the user's language."""
    return str(HONOUR_LABELS.get(honour, honour))


def honour_state(state: str) -> str:
    """An honour's state (recommended, granted, withdrawn) in the user's language."""
    return str(HONOUR_STATE_LABELS.get(state, state))


#: The level of a craftsman title (工匠) a selection campaign names.
TITLE_LEVEL_LABELS = {
    "city": _l("City or industry (e.g. 济南工匠)"),
    "province": _l("Province (e.g. 齐鲁工匠)"),
    "chief": _l("Higher title (e.g. 齐鲁大工匠), open to holders of the title below"),
}
#: The channels a public vote comes through.
VOTE_CHANNEL_LABELS = {
    "web": _l("Web page"),
    "wechat": _l("WeChat"),
    "app": _l("App"),
    "media": _l("Media partner"),
    "offline": _l("Paper ballots (offline)"),
}
#: Who nominates candidates for a craftsman title.
BODY_KIND_LABELS = {
    "city_union": _l("City union"),
    "industry_union": _l("Industry union"),
    "enterprise": _l("Enterprise"),
}

"""The audit log in people's words: field names, labels for codes, times in local time, and
"old → new" with "—" for nothing (the audit page, its export and a contestant's history)."""

from collections.abc import Callable
from datetime import date, datetime
from decimal import Decimal, InvalidOperation

from flask_babel import gettext as _
from flask_babel import ngettext

from competitions.core.audit import AuditLog
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import local_day, local_moment, utc_moment
from competitions.core.labels import (
    ADMIN_ROLE_LABELS,
    ADVANCEMENT_LABELS,
    AGGREGATION_LABELS,
    AWARD_LABELS,
    AWARD_MODE_LABELS,
    BODY_KIND_LABELS,
    GENDER_LABELS,
    HONOUR_LABELS,
    HONOUR_STATE_LABELS,
    ID_TYPE_LABELS,
    KIND_LABELS,
    PANEL_ROLE_LABELS,
    PART_LABELS,
    ROLE_LABELS,
    ROUNDING_LABELS,
    SCALE_LABELS,
    SKILL_LABELS,
    STATUS_LABELS,
    TEAM_MODE_LABELS,
    TIE_BREAK_LABELS,
    TIE_LABELS,
    TIER_LABELS,
    TITLE_LEVEL_LABELS,
    UNIT_KINDS,
    VOTE_CHANNEL_LABELS,
)

EMPTY = "—"

#: Column → its name for people (the same column means the same thing in every table).
FIELD_LABELS = {
    "title_name": _l("Title granted"),
    "level": _l("Level of the title"),
    "titles": _l("Number of titles"),
    "vote_nominees": _l("Nominees put to the public vote"),
    "min_years_in_trade": _l("Years in the trade asked"),
    "needs_lower_title": _l("The title of the level below asked"),
    "nominations_close": _l("Nominations close"),
    "vote_opens": _l("Public vote opens"),
    "vote_closes": _l("Public vote closes"),
    "expert_weight": _l("Weight of the expert review"),
    "vote_weight": _l("Weight of the public vote"),
    "daily_votes": _l("Votes per voter per day"),
    "channel_weights": _l("Vote channels and their weights"),
    "challenge_after": _l("Votes from one address in five minutes before a check is asked"),
    "chair_order": _l("Place given by the panel chair"),
    "id_number_tail": _l("ID number (last four)"),
    "channel": _l("Vote channel"),
    "votes": _l("Votes"),
    "campaign_id": _l("Selection campaign"),
    "nominator_id": _l("Nominator"),
    "quota": _l("Quota"),
    "body_id": _l("Nominating body"),
    "deeds": _l("Deeds"),
    "achievements": _l("Achievements"),
    "years_in_trade": _l("Years in the trade"),
    "in_service": _l("In service"),
    "disciplinary_record": _l("Disciplinary record"),
    "holds_lower_title": _l("Holds the title of the level below"),
    "award_subject_id": _l("Contest award it was proposed from"),
    "return_reason": _l("Reason for returning"),
    "nominated_at": _l("Nominated at"),
    "nominee_id": _l("Nominee"),
    "source": _l("Source of the votes"),
    "voided": _l("Votes voided"),
    "name": _l("Name"),
    "code": _l("Code"),
    "year": _l("Year"),
    "tier": _l("Tier"),
    "kind": _l("Kind"),
    "parent_id": _l("Parent"),
    "organising_unit_id": _l("Organising unit"),
    "starts_on": _l("Starts on"),
    "ends_on": _l("Ends on"),
    "created_at": _l("Created at"),
    "contest_id": _l("Contest"),
    "contest_trade_id": _l("Contest trade"),
    "assessment_id": _l("Assessed in"),
    "subject_id": _l("Assessed"),
    "trade_id": _l("Trade"),
    "unit_id": _l("Unit"),
    "delegation_id": _l("Delegation"),
    "person_id": _l("Contestant"),
    "entry_id": _l("Entry"),
    "item_id": _l("Item"),
    "user_id": _l("User"),
    "judge_id": _l("Judge"),
    "changed_by": _l("Changed by"),
    "decided_by": _l("Decided by"),
    "resolved_by": _l("Decided by"),
    "role": _l("Role"),
    "criterion": _l("Criterion"),
    "description": _l("Description"),
    "part": _l("Part"),
    "scale": _l("Scale"),
    "step": _l("Step"),
    "judges": _l("Judges"),
    "tolerance": _l("Tolerance"),
    "username": _l("Username"),
    "address": _l("Network address"),
    "typed_characters": _l("Characters typed as a username that no account has"),
    "display_name": _l("Display name"),
    "active": _l("May log in"),
    "admin_role": _l("Administrator role"),
    "is_registrar": _l("Registrar"),
    "password": _l("Password"),
    "status": _l("Status"),
    "state": _l("State"),
    "action": _l("Action"),
    "reason": _l("Reason"),
    "comment": _l("Comment"),
    "at": _l("Time"),
    "what": _l("What"),
    "old_value": _l("Old score"),
    "new_value": _l("New score"),
    "time_used_s": _l("Time used (seconds)"),
    "source_entry_id": _l("Advanced from"),
    "honour": _l("Honour"),
    "note": _l("Note"),
    "decided_on": _l("Decided on"),
    "from_level": _l("Skill level held"),
    "to_level": _l("Skill level granted"),
    "granted_on": _l("Granted on"),
    "out_of_competition": _l("Out of competition (not ranked)"),
    "review_note": _l("Reason returned"),
    "registration_opens": _l("Registration opens"),
    "registration_closes": _l("Registration closes"),
    "quota_per_unit": _l("Quota per unit"),
    "quota_per_delegation": _l("Quota per delegation"),
    "min_field_size": _l("Minimum field size"),
    "requires_photo": _l("Registration asks for a photo"),
    "requires_employment_proof": _l("Registration asks for proof of employment"),
    "filename": _l("File name"),
    "content_type": _l("File type"),
    "size": _l("Size (bytes)"),
    "sha256": _l("Fingerprint of the file (SHA-256)"),
    "uploaded_by": _l("Uploaded by"),
    "uploaded_at": _l("Uploaded at"),
    "gender": _l("Gender"),
    "birth_date": _l("Date of birth"),
    "id_type": _l("ID document type"),
    "id_number": _l("ID number"),
    "skill_level": _l("Skill level"),
    "phone": _l("Phone"),
    "name_zh": _l("Chinese name"),
    "name_en": _l("English name"),
    "industry": _l("Industry"),
    "theory_weight": _l("Theory weight (%)"),
    "practical_weight": _l("Practical weight (%)"),
    "tie_breaks": _l("Tie-break chain"),
    "no_shared_medal_ranks": _l("No shared ranks for medal places"),
    "award_mode": _l("Award mode"),
    "award_numbers": _l("Award numbers"),
    "award_rounding": _l("Rounding of proportions"),
    "honourable_mentions": _l("Honourable mentions down to half the field"),
    "award_min_total": _l("Minimum total for an award"),
    "advancement_mode": _l("Advancement rule"),
    "advancement_quota": _l("Advancement quota"),
    "advancement_per_unit": _l("At most per unit"),
    "recommend_per_source": _l("Recommendations accepted per source"),
    "advancement_tie": _l("A tie at the cut-off"),
    "team_mode": _l("Team result"),
    "team_size": _l("Team size N"),
    "team_points": _l("Team points per award"),
    "notice_working_days": _l("Public notice (working days)"),
    "appeal_window_hours": _l("On-site appeal window (hours)"),
    "min_age": _l("Minimum age"),
    "max_age": _l("Maximum age"),
    "eligibility_date": _l("Age reference date"),
    "computed_at": _l("Computed at"),
    "version": _l("Version"),
    "ranked": _l("Ranked"),
    "unranked": _l("Unranked"),
    "undecided": _l("Ties to decide"),
    "decided_order": _l("Chief judge's order of tied entries"),
    "advancement_picks": _l("Chief judge's choice at the cut-off"),
    "published_at": _l("Public notice from"),
    "notice_deadline": _l("Public notice until"),
    "onsite_appeal_until": _l("On-site appeals until"),
    "finalised_at": _l("Final since"),
    "real_name": _l("Signed by"),
    "contact": _l("Contact"),
    "onsite": _l("On site"),
    "filed_at": _l("Filed at"),
    "decided_at": _l("Decided at"),
    "decision": _l("Reasons of the decision"),
    "result_before": _l("Result before the appeal"),
    "number": _l("Certificate number"),
    "seq": _l("Sequence number"),
    "subject": _l("Subject"),
    "live_subject": _l("Subject (while valid)"),
    "unit": _l("Unit"),
    "id_masked": _l("ID number (masked)"),
    "contest": _l("Contest"),
    "trade": _l("Trade"),
    "award": _l("Award"),
    "rank": _l("Rank"),
    "team": _l("Team"),
    "issued_on": _l("Issue date"),
    "fingerprint": _l("Fingerprint"),
    "issued_at": _l("Issued at"),
    "revoked_at": _l("Revoked at"),
    "replaced_by_id": _l("Replaced by"),
    "file_path": _l("File"),
    "job_id": _l("Job"),
    "title": _l("Title of award certificates"),
    "honour_title": _l("Title of honour certificates"),
    "body": _l("Text of individual award certificates"),
    "team_body": _l("Text of team award certificates"),
    "member_body": _l("Text of team members' certificates"),
    "honour_body": _l("Text of honour certificates"),
    "issuers": _l("Issuing bodies"),
    "updated_at": _l("Changed at"),
    "scores_key": _l("Scores decided on"),
    "aggregation": _l("Aggregation"),
    "medal_places": _l("Medal places"),
    "advancement": _l("Advancement cut-off"),
    "total": _l("Total"),
    "max_mark": _l("Max mark"),
    "recovery_codes": _l("Recovery codes made"),
    "recovery_codes_left": _l("Recovery codes left"),
    "theory": _l("Theory score"),
    "practical": _l("Practical score"),
    "given_total": _l("Total in the result list"),
    "given_rank": _l("Rank in the result list"),
    "given_award": _l("Award in the result list"),
    "source_row": _l("Row of the file"),
    "registered_by": _l("Registered by"),
    "registered_at": _l("Registered at"),
    "recommended_by": _l("Recommended by"),
    "recommended_at": _l("Recommended at"),
    # the contest day
    "day": _l("Date"),
    "starts_at": _l("Starts at"),
    "ends_at": _l("Ends at"),
    "place": _l("Place"),
    "workstations": _l("Number of workstations"),
    "absent_marked_at": _l("Absence marked at"),
    "seed": _l("Seed of the draw"),
    "algorithm": _l("Algorithm of the draw"),
    "entry_ids": _l("Entries drawn"),
    "session_slots": _l("Sessions drawn into (workstations)"),
    "drawn_at": _l("Drawn at"),
    "drawn_by_id": _l("Drawn by"),
    "session_id": _l("Session"),
    "workstation": _l("Workstation"),
    "ticket_number": _l("Ticket number"),
    "ticket_made_at": _l("Ticket made at"),
    "seat_id": _l("Seat"),
    "by_id": _l("Checked in by"),
    "way": _l("Checked in by scanning or typing"),
    "enabled": _l("Two-layer encryption"),
    "first_officer_id": _l("Encryption officer of the first layer (check-in numbers)"),
    "second_officer_id": _l("Encryption officer of the second layer (secret codes)"),
    "layer": _l("Layer"),
    "drawn": _l("Numbers drawn"),
    # Privacy and the judges' declarations.
    "retention_years": _l(
        "Keep personal details of contestants without an award (years after final)"
    ),
    "anonymised_at": _l("Anonymised at"),
    "relation": _l("Relation"),
    "declared_at": _l("Declared at"),
    "granted_at": _l("Granted at"),
    # Labour competitions (劳动竞赛).
    "competition_id": _l("Labour competition"),
    "period_kind": _l("Periods"),
    "commend_top": _l("Commended (top N)"),
    "commendation": _l("Commendation"),
    "period_id": _l("Period"),
    "participant_id": _l("Participant"),
    "indicator_id": _l("Indicator"),
    "veto_id": _l("Veto incident"),
    "report_id": _l("Report"),
    "reporter_id": _l("Reporter"),
    "position": _l("Order"),
    "label": _l("Period"),
    "is_open": _l("Open for reports"),
    "measure": _l("Unit of measure"),
    "direction": _l("Direction"),
    "target": _l("Target"),
    "weight": _l("Weight, percent"),
    "scoring": _l("Scoring rule"),
    "cap": _l("Cap, percent of target"),
    "floor": _l("Floor"),
    "effect": _l("Effect"),
    "value": _l("Reported figure"),
    "correction_reason": _l("Why it is corrected"),
    "recorded_at": _l("Recorded at"),
    "submitted_at": _l("Submitted at"),
    "verified_by": _l("Verified by"),
    "verified_at": _l("Verified at"),
    # innovation-achievement contests (职工创新成果)
    "review_weight": _l("Weight of the online review (%)"),
    "defence_weight": _l("Weight of the defence session (%)"),
    "category": _l("Category"),
    "special": _l("Special prizes"),
    "first": _l("First prizes"),
    "second": _l("Second prizes"),
    "third": _l("Third prizes"),
    "abstract": _l("Abstract"),
    "benefit_yuan": _l("Claimed benefit (yuan)"),
    "submitter_id": _l("Submitter"),
    "stage": _l("Stage"),
    "round_id": _l("Review or defence"),
    "submission_id": _l("Innovation achievement"),
    "innovation_id": _l("Innovation contest"),
}

LOCK_ACTIONS = {"lock": _l("Locked"), "unlock": _l("Unlocked")}
FLAG_ACTIONS = {"remark": _l("Ask the judges to mark again"), "confirm": _l("Confirm the scores")}
RESULT_STATES = {
    "draft": _l("Draft"),
    "notice": _l("Under public notice"),
    "final": _l("Final"),
}
APPEAL_STATES = {"pending": _l("Pending"), "upheld": _l("Upheld"), "rejected": _l("Rejected")}
CERTIFICATE_STATES = {"valid": _l("Valid"), "revoked": _l("Revoked")}
CERTIFICATE_KINDS = {
    "individual": _l("Individual"),
    "team": _l("Team"),
    "member": _l("Team member"),
    "honour": _l("Honour"),
}
CHECK_IN_WAYS = {"scan": _l("QR code scanned"), "typed": _l("Ticket number typed")}
REVEAL_KINDS = {
    "export": _l("Download"),
    "page": _l("Page"),
    "decode1": _l("Decoding, step 1: secret code → check-in number"),
    "decode2": _l("Decoding, step 2: check-in number → contestant"),
}
#: The layers of two-layer encryption (二次加密).
LAYER_LABELS = {
    1: _l("First layer (check-in numbers)"),
    2: _l("Second layer (secret codes)"),
}
#: What was downloaded (core.audit.download_logged).
DOWNLOAD_KINDS = {
    "results": _l("Results (.xlsx)"),
    "score_sheets": _l("Score sheets (.xlsx)"),
    "audit": _l("Audit log (.xlsx)"),
    "certificates": _l("Certificates or their register"),
    "certificate": _l("A certificate (PDF)"),
    "marks_template": _l("Marks template with the contestants"),
    "import_errors": _l("Error report of an import"),
    "personal_data": _l("A person's data (their request)"),
    "labour_evidence": _l("Evidence of a labour competition's report"),
    "innovation_attachment": _l("An attachment of an innovation achievement"),
}
ID_REVEAL_KINDS = {
    "export": _l("A list with whole ID numbers downloaded"),
    "page": _l("Shown on the contestant's page"),
}

#: Labels of coded values: by (table, column) where the column means different things, else by
#: column.
VALUE_LABELS = {
    ("lock_event", "action"): LOCK_ACTIONS,
    ("flag_resolution", "action"): FLAG_ACTIONS,
    ("result_set", "state"): RESULT_STATES,
    ("appeal", "state"): APPEAL_STATES,
    ("certificate", "state"): CERTIFICATE_STATES,
    ("certificate", "kind"): CERTIFICATE_KINDS,
    ("certificate", "award"): {**AWARD_LABELS, **HONOUR_LABELS},
    ("unit", "kind"): UNIT_KINDS,
    ("entry_attachment", "kind"): {"photo": _l("Photo"), "employment": _l("Proof of employment")},
    ("panel_member", "role"): PANEL_ROLE_LABELS,
    ("code_reveal", "what"): REVEAL_KINDS,
    ("check_in", "way"): CHECK_IN_WAYS,
    ("encryption_draw", "layer"): LAYER_LABELS,
    ("download", "what"): DOWNLOAD_KINDS,
    ("person", "reason"): {"retention": _l("The retention of their contests ran out")},
    ("id_reveal", "what"): ID_REVEAL_KINDS,
    ("honour", "state"): HONOUR_STATE_LABELS,
    ("honour", "honour"): HONOUR_LABELS,
    "from_level": SKILL_LABELS,
    "to_level": SKILL_LABELS,
    ("scheme_item", "kind"): KIND_LABELS,
    ("scheme_part", "kind"): PART_LABELS,
    ("scheme_item", "part"): PART_LABELS,
    "scale": SCALE_LABELS,
    "role": ROLE_LABELS,
    "admin_role": ADMIN_ROLE_LABELS,
    "tier": TIER_LABELS,
    "status": STATUS_LABELS,
    "gender": GENDER_LABELS,
    "id_type": ID_TYPE_LABELS,
    "skill_level": SKILL_LABELS,
    "award": AWARD_LABELS,
    "given_award": AWARD_LABELS,
    "award_mode": AWARD_MODE_LABELS,
    "award_rounding": ROUNDING_LABELS,
    "advancement_mode": ADVANCEMENT_LABELS,
    "advancement_tie": TIE_LABELS,
    "team_mode": TEAM_MODE_LABELS,
    "aggregation": AGGREGATION_LABELS,
    "direction": {"higher": _l("Higher is better"), "lower": _l("Lower is better")},
    "scoring": {
        "ratio": _l("Ratio to target, capped"),
        "linear": _l("Linear between floor and target"),
        "rank": _l("By rank among participants"),
    },
    "effect": {"zero": _l("The period's score is 0"), "no_commendation": _l("No commendation")},
    ("relation_declaration", "state"): {
        "pending": _l("Awaiting a decision"),
        "applied": _l("Applied"),
        "dismissed": _l("Dismissed"),
    },
    ("labour_competition", "period_kind"): {"month": _l("Monthly"), "quarter": _l("Quarterly")},
    ("labour_competition", "commendation"): {
        "labour_model": _l("Labour competition model (劳动竞赛标兵)"),
        "advanced_collective": _l("Advanced collective (先进集体)"),
        "pioneer": _l("Workers' Pioneer (工人先锋号)"),
    },
    ("labour_participant", "kind"): {
        "unit": _l("Unit"),
        "project_team": _l("Project team"),
        "work_team": _l("Work team (班组)"),
    },
    ("selection_campaign", "level"): TITLE_LEVEL_LABELS,
    ("nominating_body", "kind"): BODY_KIND_LABELS,
    ("channel_tally", "channel"): VOTE_CHANNEL_LABELS,
    ("selection_nominee", "state"): {
        "nominated": _l("nominated"),
        "passed": _l("passed the qualification review"),
        "returned": _l("returned"),
    },
    "category": {
        "technical_improvement": _l("Technical improvement (技术革新)"),
        "invention_patent": _l("Invention or patent (发明专利)"),
        "rationalisation": _l("Rationalisation proposal (合理化建议)"),
        "operating_method": _l("Advanced operating method (先进操作法)"),
    },
    "stage": {"review": _l("Expert online review"), "defence": _l("Defence session")},
    ("innovation_submission", "state"): {
        "draft": _l("draft"),
        "submitted": _l("submitted"),
        "returned": _l("returned"),
        "passed": _l("passed the format check"),
    },
    ("labour_report", "state"): {
        "draft": _l("draft"),
        "submitted": _l("submitted"),
        "returned": _l("returned"),
        "accepted": _l("accepted"),
    },
}

#: Times kept as the contest's local time (publication deadlines); the others are UTC.
LOCAL_TIMES = {
    "published_at",
    "notice_deadline",
    "onsite_appeal_until",
    "finalised_at",
    "registration_opens",
    "registration_closes",
}

#: Columns that name a record of another table: (table whose names to show).
REFERENCES = {
    "user_id": "user",
    "judge_id": "user",
    "changed_by": "user",
    "decided_by": "user",
    "resolved_by": "user",
    "registered_by": "user",
    "recommended_by": "user",
    "uploaded_by": "user",
    "first_officer_id": "user",
    "second_officer_id": "user",
    "unit_id": "unit",
    "organising_unit_id": "unit",
    "trade_id": "trade",
    "delegation_id": "delegation",
    "contest_id": "contest",
    "parent_id": "contest",
    "contest_trade_id": "contest_trade",
    "assessment_id": "assessment",
    "subject_id": "subject",
    "person_id": "person",
    "entry_id": "entry",
    "source_entry_id": "entry",
    "item_id": "item",
    "drawn_by_id": "user",
    "by_id": "user",
    "session_id": "exam_session",
    "reporter_id": "user",
    "verified_by": "user",
    "participant_id": "labour_participant",
    "indicator_id": "labour_indicator",
    "veto_id": "labour_veto",
    "period_id": "labour_period",
    "nominator_id": "user",
    "body_id": "nominating_body",
    "campaign_id": "assessment",
    "nominee_id": "subject",
    "submitter_id": "user",
}


def field_label(column: str) -> str:
    """A column's name for people."""
    return str(FIELD_LABELS.get(column, column.replace("_", " ")))


def value_text(entity: str, column: str, value, names: dict | None = None) -> str:
    """A logged value as people read it: labels for codes, names for references, local times,
    Yes/No; "—" for nothing."""
    if value is None or value == "" or value == [] or value == {}:
        return EMPTY
    labels = VALUE_LABELS.get((entity, column)) or VALUE_LABELS.get(column)
    if labels is not None and isinstance(value, str | int) and value in labels:
        return str(labels[value])
    if column in REFERENCES and names is not None:
        return names.get((REFERENCES[column], value), f"#{value}")
    if column == "tie_breaks":
        return " → ".join(str(TIE_BREAK_LABELS.get(k, k)) for k in str(value).split(",") if k)
    if isinstance(value, bool):
        return _("Yes") if value else _("No")
    if isinstance(value, dict):
        parts = (f"{field_label(k)}: {value_text(entity, k, v, names)}" for k, v in value.items())
        return "; ".join(parts)
    if isinstance(value, list):
        return ngettext("%(num)s entry", "%(num)s entries", len(_flat(value)))
    return _moment(column, value) or _number(value) or str(value)


def _flat(values: list) -> list:
    """The entries of a list of entries or of groups of entries."""
    return [v for value in values for v in (_flat(value) if isinstance(value, list) else [value])]


def _moment(column: str, value) -> str | None:
    """A logged date or time (ISO text) as people read it, or None when it is neither."""
    if not isinstance(value, str) or len(value) < 10 or value[4:5] != "-":
        return None
    try:
        if len(value) == 10:
            return local_day(date.fromisoformat(value))
        moment = datetime.fromisoformat(value).replace(tzinfo=None)
    except ValueError:
        return None
    return local_moment(moment) if column in LOCAL_TIMES else utc_moment(moment)


def _number(value) -> str | None:
    """A decimal without trailing zeros ("30.00" → "30"), or None when it is no number."""
    if isinstance(value, int | float | Decimal):
        return format(Decimal(str(value)).normalize(), "f")
    try:
        number = Decimal(value)
    except (InvalidOperation, ValueError):
        return None
    return format(number.normalize(), "f") if number.is_finite() else None


def change_text(entity: str, action: str, column: str, pair, names: dict | None = None) -> str:
    """One change for people: "Field: old → new" (only the value for a creation or deletion,
    and for a fact logged as one value rather than an old and new pair)."""
    label = field_label(column)
    if not (isinstance(pair, list) and len(pair) == 2):
        return f"{label}: {value_text(entity, column, pair, names)}"
    old, new = pair
    if action == "create":
        return f"{label}: {value_text(entity, column, new, names)}"
    if action == "delete":
        return f"{label}: {value_text(entity, column, old, names)}"
    before, after = value_text(entity, column, old, names), value_text(entity, column, new, names)
    return f"{label}: {before} → {after}"


#: Columns left out of what people read: the record's own id (shown as the record).
HIDDEN = {"id", "honour_id"}


def referenced_names(logs) -> dict[tuple[str, int], str]:
    """{(table, id): name} of the records the logs' changes refer to (one query per table)."""
    wanted: dict[str, set[int]] = {}
    for log in logs:
        for column, pair in (log.changes or {}).items():
            table = REFERENCES.get(column)
            values = pair if isinstance(pair, list) else [pair]
            if table:
                wanted.setdefault(table, set()).update(v for v in values if isinstance(v, int))
    names = {}
    for table, ids in wanted.items():
        namer = NAMERS.get(table)
        if namer is not None:
            names.update(((table, key), name) for key, name in namer(ids).items())
    return names


def describe(log: AuditLog, names: dict) -> list[str]:
    """ "Field: old → new" for each changed column, in people's words."""
    return [
        change_text(log.entity, log.action, column, pair, names)
        for column, pair in sorted((log.changes or {}).items())
        if column not in HIDDEN
    ]


#: Table → the function naming its records: ``{id: name}`` for a set of ids. Each area registers
#: the records it keeps (``names_records``), so that the audit log names a contestant, a trade or
#: a scheme item without this module knowing their models.
NAMERS: dict[str, Callable[[set[int]], dict[int, str]]] = {}


def names_records(table: str):
    """Register the decorated function as the namer of ``table``'s records (see ``NAMERS``)."""

    def register(namer: Callable[[set[int]], dict[int, str]]):
        NAMERS[table] = namer
        return namer

    return register

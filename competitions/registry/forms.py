"""Registration forms; each checks its fields, and the database where it must, beside the field."""

from dataclasses import replace

from flask_babel import format_date
from flask_wtf import FlaskForm
from wtforms import (
    BooleanField,
    DateField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from competitions.core import identity_rules
from competitions.core.db import db_int
from competitions.core.fields import FiniteDecimalField, OrderedChoiceField
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.core.labels import (
    ADVANCEMENT_LABELS,
    AWARD_MODE_LABELS,
    GENDER_LABELS,
    ID_TYPE_LABELS,
    ROUNDING_LABELS,
    SKILL_LABELS,
    STATUS_LABELS,
    TEAM_MODE_LABELS,
    TIE_BREAK_LABELS,
    TIE_LABELS,
    TIER_LABELS,
    UNIT_KINDS,
)
from competitions.registry import rules
from competitions.registry.models import (
    ADVANCEMENT_MODES,
    ADVANCEMENT_TIES,
    AWARD_MODES,
    AWARD_ROUNDINGS,
    ID_TYPES,
    TEAM_MODES,
    TIE_BREAK_KEYS,
)

#: What a date-time field shows (the browser's own) first, then what it also reads.
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _choices(labels: dict, keys) -> list:
    return [(k, labels[k]) for k in keys]


def _optional_int(value):
    """Coerce a select's value to int (an id the database can hold), keeping empty as None."""
    return db_int(value) if value not in (None, "", "None") else None


def safe_name(form, field) -> None:
    """A validator: the field's text can be a name (``rules.name_problem``)."""
    if problem := rules.name_problem(field.data or ""):
        raise ValidationError(say(problem))


def _check_listed(field, message) -> None:
    """Refuse a select's value that is not one of its choices (empty is allowed): its choices
    are the records the user may pick, and the value goes into a foreign key."""
    if field.data is not None and field.data not in {value for value, _label in field.choices}:
        raise ValidationError(message)


class TradeForm(FlaskForm):
    """A trade (工种)."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=20)])
    name_zh = StringField(_l("Chinese name"), validators=[DataRequired(), Length(max=100)])
    name_en = StringField(_l("English name"), validators=[DataRequired(), Length(max=150)])
    industry = StringField(_l("Industry"), validators=[Optional(), Length(max=100)])


class UnitForm(FlaskForm):
    """A unit (单位) and its place in the tree."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=150), safe_name])
    kind = SelectField(_l("Kind"), choices=list(UNIT_KINDS.items()))
    parent_id = SelectField(_l("Parent unit"), coerce=_optional_int, validate_choice=False)


class ContestForm(FlaskForm):
    """A contest at a tier, and the higher-tier contest it feeds."""

    code = StringField(_l("Code"), validators=[DataRequired(), Length(max=30)])
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(1950, 2200)])
    tier = SelectField(_l("Tier"), choices=list(TIER_LABELS.items()))
    organising_unit_id = SelectField(
        _l("Organising unit"), coerce=_optional_int, validate_choice=False
    )
    starts_on = DateField(_l("Starts on"), validators=[InputRequired()])
    ends_on = DateField(_l("Ends on"), validators=[InputRequired()])
    parent_id = SelectField(_l("Feeds the contest"), coerce=_optional_int, validate_choice=False)
    retention_years = IntegerField(
        _l("Keep personal details of contestants without an award (years after final)"),
        validators=[Optional(), NumberRange(1, 30)],
        description=_l("Then their name, ID number, phone and birth date are anonymised."),
    )
    registration_opens = DateTimeLocalField(
        _l("Registration opens"),
        format=DATETIME_FORMATS,
        validators=[Optional()],
        description=_l("Beijing time. Unit liaisons and team leaders register in this window."),
    )
    registration_closes = DateTimeLocalField(
        _l("Registration closes"),
        format=DATETIME_FORMATS,
        validators=[Optional()],
        description=_l("Beijing time. Entries not submitted by then are not in the contest."),
    )

    #: Set by the view: {contest id: tier} and {contest id: (year, last day, name)} of the
    #: possible parents, the edited contest's id, and the same facts of the contests it is fed by.
    parent_tiers: dict = {}
    parent_dates: dict = {}
    own_id: int | None = None
    fed_by: list = []

    def validate_organising_unit_id(self, field):
        _check_listed(field, _l("Choose a unit from the list."))

    def validate_registration_closes(self, field):
        opens = self.registration_opens.data
        if opens is not None and field.data is not None and field.data <= opens:
            raise ValidationError(_l("Registration must close after it opens."))

    def validate_ends_on(self, field):
        if self.starts_on.data and field.data and field.data < self.starts_on.data:
            raise ValidationError(_l("The contest cannot end before it starts."))
        if field.data is None or self.year.data is None:
            return
        for year, ends_on, name in self.fed_by:
            if not rules.feeds_in_time(year, ends_on, self.year.data, field.data):
                raise ValidationError(
                    _l(
                        "%(contest)s feeds this contest and ends on %(ends)s: this contest "
                        "cannot end (or fall in a year) before it.",
                        contest=name,
                        ends=format_date(ends_on, "long"),
                    )
                )

    def validate_parent_id(self, field):
        if field.data is None:
            return
        if field.data == self.own_id:
            raise ValidationError(_l("A contest cannot feed itself."))
        parent_tier = self.parent_tiers.get(field.data)
        if parent_tier is None:
            raise ValidationError(_l("Choose a contest from the list."))
        if not rules.can_feed(self.tier.data, parent_tier):
            raise ValidationError(
                _l(
                    "The contest it feeds must be of a higher tier than %(tier)s.",
                    tier=TIER_LABELS[self.tier.data],
                )
            )
        year, ends_on, _name = self.parent_dates[field.data]
        if (
            self.ends_on.data is not None
            and self.year.data is not None
            and not rules.feeds_in_time(self.year.data, self.ends_on.data, year, ends_on)
        ):
            raise ValidationError(
                _l(
                    "The contest it feeds must take place after this one, or while it ends: "
                    "it ends on %(ends)s (%(year)s).",
                    ends=format_date(ends_on, "long"),
                    year=year,
                )
            )


class ContestTradeForm(FlaskForm):
    """A trade as held in a contest, with its rule settings."""

    trade_id = SelectField(_l("Trade"), coerce=_optional_int, validate_choice=False)
    theory_weight = FiniteDecimalField(
        _l("Theory weight (%)"), places=2, validators=[InputRequired(), NumberRange(0, 100)]
    )
    practical_weight = FiniteDecimalField(
        _l("Practical weight (%)"), places=2, validators=[InputRequired(), NumberRange(0, 100)]
    )
    tie_breaks = OrderedChoiceField(
        _l("Tie-break chain"),
        choices=_choices(TIE_BREAK_LABELS, TIE_BREAK_KEYS),
        places=len(TIE_BREAK_KEYS),
        description=_l("Entries with equal totals are ordered by these, first place first."),
    )
    no_shared_medal_ranks = BooleanField(_l("No shared ranks for medal places"))
    award_mode = SelectField(_l("Award mode"), choices=_choices(AWARD_MODE_LABELS, AWARD_MODES))
    award_numbers = StringField(
        _l("Award numbers"),
        validators=[Optional(), Length(max=60)],
        description=_l("Percentages (10,20,30), counts (1,2,3) or band ends (5,20)"),
    )
    award_rounding = SelectField(
        _l("Rounding of proportions"), choices=_choices(ROUNDING_LABELS, AWARD_ROUNDINGS)
    )
    honourable_mentions = BooleanField(_l("Honourable mentions down to half the field"))
    award_min_total = FiniteDecimalField(
        _l("Minimum total for an award"), places=2, validators=[Optional(), NumberRange(0, 100)]
    )
    advancement_mode = SelectField(
        _l("Advancement rule"), choices=_choices(ADVANCEMENT_LABELS, ADVANCEMENT_MODES)
    )
    advancement_quota = IntegerField(
        _l("Advancement quota"), validators=[InputRequired(), NumberRange(0, 10000)]
    )
    advancement_per_unit = IntegerField(
        _l("At most per unit"), validators=[Optional(), NumberRange(1, 10000)]
    )
    recommend_per_source = IntegerField(
        _l("Recommendations accepted per source"),
        validators=[Optional(), NumberRange(0, 10000)],
        description=_l(
            "At most this many recommended entries accepted from one lower contest or one "
            "recommending unit (e.g. a city's top 3). Empty: no limit."
        ),
    )
    advancement_tie = SelectField(
        _l("A tie at the cut-off"), choices=_choices(TIE_LABELS, ADVANCEMENT_TIES)
    )
    team_mode = SelectField(_l("Team result"), choices=_choices(TEAM_MODE_LABELS, TEAM_MODES))
    team_size = IntegerField(_l("Team size N"), validators=[InputRequired(), NumberRange(1, 50)])
    team_points = StringField(_l("Team points per award"), validators=[Optional(), Length(max=40)])
    notice_working_days = IntegerField(
        _l("Public notice (working days)"), validators=[InputRequired(), NumberRange(0, 60)]
    )
    appeal_window_hours = IntegerField(
        _l("On-site appeal window (hours)"), validators=[InputRequired(), NumberRange(0, 240)]
    )
    min_age = IntegerField(_l("Minimum age"), validators=[InputRequired(), NumberRange(0, 120)])
    max_age = IntegerField(_l("Maximum age"), validators=[InputRequired(), NumberRange(0, 120)])
    eligibility_date = DateField(
        _l("Age reference date"),
        validators=[Optional()],
        description=_l("Empty: the contest's first day"),
    )
    quota_per_unit = IntegerField(
        _l("Quota per unit"),
        validators=[Optional(), NumberRange(0, 10000)],
        description=_l("At most this many entries of one unit in this trade; empty: no limit."),
    )
    quota_per_delegation = IntegerField(
        _l("Quota per delegation"),
        validators=[Optional(), NumberRange(0, 10000)],
        description=_l("At most this many entries of one delegation; empty: no limit."),
    )
    min_field_size = IntegerField(
        _l("Minimum field size"),
        validators=[Optional(), NumberRange(1, 100000)],
        description=_l("With fewer entries the trade is flagged, to be cancelled or merged."),
    )
    requires_photo = BooleanField(_l("Registration asks for a photo"))
    requires_employment_proof = BooleanField(_l("Registration asks for proof of employment"))

    def validate_practical_weight(self, field):
        theory = self.theory_weight.data
        known = theory is not None and field.data is not None
        if known and not rules.weights_sum_to_100(theory, field.data):
            raise ValidationError(_l("Theory and practical weights must add up to 100."))

    def validate_tie_breaks(self, field):
        keys = field.keys()
        if field.data[: len(keys)] != keys:
            raise ValidationError(_l("Choose the tie-breaks in order, leaving no place empty."))
        problem = rules.tie_break_problem(keys, TIE_BREAK_KEYS)
        if problem:
            raise ValidationError(say(problem))

    def validate_award_numbers(self, field):
        if not field.data:
            if self.award_mode.data == "medals":
                return
            raise ValidationError(_l("Award numbers are required for this mode."))
        try:
            numbers = rules.parse_number_list(field.data)
        except ValueError:
            raise ValidationError(_l("Whole numbers separated by commas.")) from None
        problem = rules.award_numbers_problem(self.award_mode.data, numbers)
        if problem:
            raise ValidationError(say(problem))

    def validate_team_points(self, field):
        if field.data:
            try:
                rules.parse_number_list(field.data)
            except ValueError:
                raise ValidationError(_l("Whole numbers separated by commas.")) from None

    def validate_max_age(self, field):
        if (
            self.min_age.data is not None
            and field.data is not None
            and field.data < self.min_age.data
        ):
            raise ValidationError(_l("The maximum age cannot be below the minimum."))

    def validate_advancement_per_unit(self, field):
        if self.advancement_mode.data == "per_unit" and not field.data:
            raise ValidationError(_l("Required with the per-unit rule."))


class DelegationForm(FlaskForm):
    """A delegation (代表队) of a contest."""

    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=150), safe_name])
    unit_id = SelectField(_l("Unit"), coerce=_optional_int, validate_choice=False)

    def validate_unit_id(self, field):
        _check_listed(field, _l("Choose a unit from the list."))


#: What 不计名次 means, beside the box.
OUT_OF_COMPETITION_HELP = _l(
    "Marked and shown with the scores, but not ranked, awarded or advanced, not counted in a "
    "team, and using no place of anyone (e.g. a WorldSkills selection entrant)."
)


class EntryFieldsMixin:
    """The entry's own fields, declared first so the form opens with them."""

    contest_trade_id = SelectField(_l("Trade"), coerce=_optional_int, validate_choice=False)
    delegation_id = SelectField(_l("Delegation"), coerce=_optional_int, validate_choice=False)
    status = SelectField(
        _l("Status"), choices=_choices(STATUS_LABELS, rules.settable_statuses(None))
    )
    out_of_competition = BooleanField(
        _l("Out of competition (not ranked)"), description=OUT_OF_COMPETITION_HELP
    )


class PersonFieldsMixin:
    """The fields that describe a person; the same checks as the import (rules.person_problems)."""

    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    id_type = SelectField(_l("ID type"), choices=_choices(ID_TYPE_LABELS, ID_TYPES))
    id_number = StringField(_l("ID number"), validators=[DataRequired(), Length(max=40)])
    gender = SelectField(
        _l("Gender"),
        choices=[("", _l("From the ID number")), *GENDER_LABELS.items()],
        validators=[Optional()],
    )
    birth_date = DateField(
        _l("Date of birth"), validators=[Optional()], description=_l("Empty: from the ID number")
    )
    unit_id = SelectField(_l("Employer unit"), coerce=_optional_int, validate_choice=False)
    skill_level = SelectField(
        _l("Skill level"),
        coerce=_optional_int,
        choices=[("", "—"), *SKILL_LABELS.items()],
        validators=[Optional()],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])

    def validate_unit_id(self, field):
        _check_listed(field, _l("Choose a unit from the list."))

    def person_facts(self) -> rules.PersonFacts:
        """The person's fields as plain facts for the rules."""
        return rules.PersonFacts(
            name=self.name.data or "",
            gender=self.gender.data or None,
            birth_date=self.birth_date.data,
            id_type=self.id_type.data,
            id_number=identity_rules.normalise_id_number(self.id_number.data),
        )

    def check_person(self) -> bool:
        """Put the person rules' problems beside their fields; True if there were none."""
        problems = rules.person_problems(self.person_facts())
        for field_name, reason in problems.items():
            getattr(self, field_name).errors.append(say(reason))
        return not problems


class PersonForm(PersonFieldsMixin, FlaskForm):
    """Edit a contestant's own data. The ID number field starts empty (the page shows the whole
    number only when asked, with a reason): left empty, the number stays as it is."""

    #: The ID number as stored, kept when the field is left empty (:meth:`keep_id_number`).
    kept_id_number = ""

    def keep_id_number(self, number: str) -> None:
        """Start the ID number field empty, saying (masked) what it holds now."""
        self.kept_id_number = number
        if self.id_number.data == number:  # from the record, not typed
            self.id_number.data = ""
        self.id_number.description = _l(
            "Now %(masked)s; leave empty to keep it.", masked=identity_rules.mask_id_number(number)
        )

    def person_facts(self) -> rules.PersonFacts:
        facts = super().person_facts()
        if facts.id_number:
            return facts
        return replace(facts, id_number=identity_rules.normalise_id_number(self.kept_id_number))

    def validate(self, extra_validators=None):
        left_empty = not (self.id_number.data or "").strip()
        if left_empty:  # the stored number: required-field and length checks pass on it
            self.id_number.data = self.kept_id_number
        ok = super().validate(extra_validators)
        ok = self.check_person() and ok
        if left_empty:
            self.id_number.data = ""
        return ok


class RevealIdForm(FlaskForm):
    """Ask to see a contestant's whole ID number: the reason goes to the audit log."""

    reason = StringField(
        _l("Why do you need the whole ID number?"),
        validators=[DataRequired(), Length(min=4, max=200)],
    )


class EntryForm(EntryFieldsMixin, PersonFieldsMixin, FlaskForm):
    """Register a contestant in a contest-trade (the person is found by ID number, or created)."""

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return self.check_person() and ok


class EntryEditForm(FlaskForm):
    """Change an entry's status or delegation."""

    delegation_id = SelectField(_l("Delegation"), coerce=_optional_int, validate_choice=False)
    status = SelectField(
        _l("Status"), choices=_choices(STATUS_LABELS, rules.settable_statuses(None))
    )
    out_of_competition = BooleanField(
        _l("Out of competition (not ranked)"), description=OUT_OF_COMPETITION_HELP
    )

    def validate_delegation_id(self, field):
        _check_listed(field, _l("Choose a delegation from the list."))

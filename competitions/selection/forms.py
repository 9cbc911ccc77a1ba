"""A 工匠 selection's forms: the campaign, a nominating body, a nomination, the review, a void."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import (
    BooleanField,
    DateTimeLocalField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from competitions.core.fields import FiniteDecimalField
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.labels import BODY_KIND_LABELS, VOTE_CHANNEL_LABELS
from competitions.core.labels import TITLE_LEVEL_LABELS as LEVEL_LABELS

CHANNELS_HELP = _l(
    "e.g. web 40, wechat 30, app 20, offline 10 (adding up to 100); empty: every vote alike."
)
DATETIME_FORMATS = ["%Y-%m-%dT%H:%M", "%Y-%m-%dT%H:%M:%S", "%Y-%m-%d %H:%M"]


def _when(label):
    return DateTimeLocalField(
        label,
        format=DATETIME_FORMATS,
        validators=[InputRequired()],
        description=_l("Beijing time."),
    )


class CampaignForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    title_name = StringField(_l("Title granted"), validators=[DataRequired(), Length(max=100)])
    level = SelectField(_l("Level of the title"), choices=list(LEVEL_LABELS.items()))
    titles = IntegerField(_l("Number of titles"), default=10, validators=[NumberRange(1, 1000)])
    vote_nominees = IntegerField(
        _l("Nominees put to the public vote"), default=30, validators=[NumberRange(1, 1000)]
    )
    min_years_in_trade = IntegerField(
        _l("Years in the trade asked"), default=10, validators=[NumberRange(0, 60)]
    )
    max_age = IntegerField(_l("Oldest age (empty: none)"), validators=[Optional()])
    needs_lower_title = BooleanField(_l("The title of the level below asked"))
    nominations_close = _when(_l("Nominations close"))
    vote_opens = _when(_l("Public vote opens"))
    vote_closes = _when(_l("Public vote closes"))
    expert_weight = FiniteDecimalField(
        _l("Weight of the expert review"), default=70, validators=[NumberRange(0, 100)]
    )
    vote_weight = FiniteDecimalField(
        _l("Weight of the public vote"), default=30, validators=[NumberRange(0, 100)]
    )
    daily_votes = IntegerField(
        _l("Votes per voter per day"), default=10, validators=[NumberRange(1, 100)]
    )
    channel_weights = StringField(
        _l("Vote channels and their weights"),
        validators=[Length(max=200)],
        description=CHANNELS_HELP,
    )
    challenge_after = IntegerField(
        _l("Votes from one address in five minutes before a check is asked"),
        default=20,
        validators=[NumberRange(1, 10000)],
    )


class VoteSettingsForm(FlaskForm):
    channel_weights = StringField(
        _l("Vote channels and their weights"),
        validators=[Length(max=200)],
        description=CHANNELS_HELP,
    )
    challenge_after = IntegerField(
        _l("Votes from one address in five minutes before a check is asked"),
        validators=[InputRequired(), NumberRange(1, 10000)],
    )


class TallyForm(FlaskForm):
    """Votes of a channel counted outside Jingsai (paper ballots…), per nominee."""

    nominee_id = SelectField(_l("Nominee"), coerce=int)
    channel = SelectField(
        _l("Vote channel"),
        choices=[(c, label) for c, label in VOTE_CHANNEL_LABELS.items() if c != "web"],
        default="offline",
    )
    votes = IntegerField(_l("Votes"), validators=[InputRequired(), NumberRange(0, 10**7)])
    note = StringField(
        _l("Where the count comes from"), validators=[DataRequired(), Length(max=500)]
    )


class ExpertForm(FlaskForm):
    """What the campaign records of an expert: their nominating body, unit and ID number."""

    body_id = SelectField(_l("Comes with the nominating body"), coerce=int, default=0)
    unit_id = SelectField(_l("Unit"), coerce=int, default=0)
    id_number = StringField(
        _l("ID number"),
        validators=[Length(max=30)],
        description=_l("Kept only as a keyed hash: a nominee with this ID number is refused."),
    )


class BodyForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=150)])
    kind = SelectField(_l("Kind"), choices=list(BODY_KIND_LABELS.items()))
    unit_id = SelectField(_l("Unit"), coerce=int, default=0)
    nominator = StringField(_l("Nominator (username)"), validators=[DataRequired(), Length(max=60)])
    quota = IntegerField(_l("Quota"), default=1, validators=[NumberRange(0, 1000)])


class NominationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=100)])
    id_number = StringField(_l("ID number"), validators=[DataRequired(), Length(max=30)])
    unit_id = SelectField(_l("Unit"), coerce=int, default=0)
    trade = StringField(_l("Trade"), validators=[DataRequired(), Length(max=100)])
    years_in_trade = IntegerField(
        _l("Years in the trade"), validators=[InputRequired(), NumberRange(0, 60)]
    )
    deeds = TextAreaField(_l("Deeds"), validators=[DataRequired(), Length(max=5000)])
    achievements = TextAreaField(
        _l("Achievements (patents, contest awards, innovations)"), validators=[Length(max=5000)]
    )
    in_service = BooleanField(_l("In service"), default=True)
    disciplinary_record = BooleanField(_l("Disciplinary record"))
    holds_lower_title = BooleanField(_l("Holds the title of the level below"))
    award_subject_id = IntegerField(validators=[Optional()])
    attachment = FileField(_l("Attachment (PDF or image, up to 5 MB)"))


class ReturnForm(FlaskForm):
    reason = TextAreaField(
        _l("Reason for returning"), validators=[DataRequired(), Length(max=1000)]
    )


class VoidForm(FlaskForm):
    nominee_id = SelectField(_l("Nominee"), coerce=int, default=0)
    source = StringField(_l("Source of the votes"), validators=[Length(max=100)])
    starts_at = DateTimeLocalField(_l("From"), format=DATETIME_FORMATS, validators=[Optional()])
    ends_at = DateTimeLocalField(_l("Until"), format=DATETIME_FORMATS, validators=[Optional()])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=1000)])

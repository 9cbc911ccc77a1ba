"""The contest day's forms: a session, the draw, a ticket at the check-in desk."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, IntegerField, StringField, TimeField
from wtforms.validators import DataRequired, Length, NumberRange, Optional, ValidationError

from competitions.contestday import rules
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say


class SessionForm(FlaskForm):
    """A session (场次): name, day, local start and end, place, number of workstations."""

    name = StringField(_l("Session name"), validators=[DataRequired(), Length(max=60)])
    day = DateField(_l("Date"), validators=[DataRequired()])
    starts_at = TimeField(_l("Starts at"), validators=[DataRequired()])
    ends_at = TimeField(_l("Ends at"), validators=[DataRequired()])
    place = StringField(_l("Place"), validators=[DataRequired(), Length(max=150)])
    workstations = IntegerField(
        _l("Number of workstations"), validators=[DataRequired(), NumberRange(min=1, max=999)]
    )

    def validate_ends_at(self, field):
        if self.starts_at.data and field.data and field.data <= self.starts_at.data:
            raise ValidationError(_l("The session must end after it starts."))


class DrawForm(FlaskForm):
    """The draw: a seed typed (read out in front of the team leaders) or left empty for a new
    one; a redraw after tickets were made asks for the tick."""

    seed = StringField(
        _l("Seed"),
        validators=[Optional(), Length(max=40)],
        description=_l("Leave empty for a new random seed, or type the number read out aloud."),
    )
    confirm = BooleanField(_l("I confirm"))

    def validate_seed(self, field):
        problem = rules.seed_problem(field.data.strip())
        if problem:
            raise ValidationError(say(problem))


class CheckInForm(FlaskForm):
    """A ticket at the desk: its QR code as scanned, or its number as typed."""

    code = StringField(_l("Ticket number or QR code"), validators=[DataRequired(), Length(max=400)])

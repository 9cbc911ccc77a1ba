"""The contestant's lookup and appeal forms."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, Regexp

from competitions.core.i18n import lazy_gettext as _l


class LookupForm(FlaskForm):
    """ID number and name: both must match."""

    id_number = StringField(
        _l("ID number"),
        validators=[
            DataRequired(),
            Length(min=6, max=40),
            Regexp(r"^[0-9A-Za-z\s]+$", message=_l("Only digits and letters.")),
        ],
    )
    name = StringField(_l("Full name"), validators=[DataRequired(), Length(max=100)])
    agree = BooleanField(
        _l("I have read the privacy notice and agree to it"),
        validators=[DataRequired(message=_l("Read the privacy notice and tick to agree."))],
    )


class AppealForm(FlaskForm):
    """A written appeal, signed with the real name."""

    real_name = StringField(_l("Your real name"), validators=[DataRequired(), Length(max=100)])
    contact = StringField(_l("Phone"), validators=[Length(max=60)])
    reason = TextAreaField(
        _l("Reason for the appeal"), validators=[DataRequired(), Length(min=10, max=4000)]
    )


class ObjectionForm(FlaskForm):
    """A public objection to a line of a notice (公示), to the arbitrator: a selection's
    nominee, an innovation contest's awarded achievement (the area names the line's label)."""

    subject_id = SelectField(_l("Objection to"), coerce=int)
    real_name = StringField(_l("Your real name"), validators=[DataRequired(), Length(max=100)])
    contact = StringField(_l("Phone or e-mail"), validators=[DataRequired(), Length(max=60)])
    reason = TextAreaField(
        _l("Your objection"), validators=[DataRequired(), Length(min=10, max=4000)]
    )


class DecisionForm(FlaskForm):
    """The arbitrator's decision: upheld or rejected, with written reasons."""

    outcome = SelectField(
        _l("Decision"), choices=[("rejected", _l("Rejected")), ("upheld", _l("Upheld"))]
    )
    reasons = TextAreaField(_l("Reasons"), validators=[DataRequired(), Length(min=5, max=4000)])

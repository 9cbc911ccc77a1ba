"""Forms of the union's figures: granting a union officer a unit's tree."""

from flask_wtf import FlaskForm
from wtforms import SelectField, StringField
from wtforms.validators import DataRequired, Length

from competitions.core.i18n import lazy_gettext as _l


class ReaderForm(FlaskForm):
    """A union officer reads the figures of a unit's tree."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    unit_id = SelectField(_l("Unit"), coerce=int, validate_choice=True)

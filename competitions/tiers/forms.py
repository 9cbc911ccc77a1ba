"""Forms of the tiers: a decision on recommended entries, a direct recommendation."""

from flask_wtf import FlaskForm
from wtforms import SelectField, SelectMultipleField, StringField
from wtforms.validators import Length, Optional

from competitions.core.i18n import lazy_gettext as _l
from competitions.imports.forms import ImportForm
from competitions.registry.forms import PersonFieldsMixin, _optional_int

__all__ = ["DecideForm", "DirectForm", "ImportForm"]


class DecideForm(FlaskForm):
    """Accept the chosen recommended entries, or return them with a reason."""

    entry_ids = SelectMultipleField(coerce=int, validate_choice=False)
    action = SelectField(choices=[("accept", _l("Accept")), ("return", _l("Return with a reason"))])
    reason = StringField(
        _l("Reason (to return)"),
        validators=[Optional(), Length(max=300)],
        description=_l("The lower contest's organiser reads it."),
    )


class DirectForm(PersonFieldsMixin, FlaskForm):
    """A unit recommends a person directly (the registry's checks of a person)."""

    source_unit_id = SelectField(
        _l("Recommending unit"),
        coerce=_optional_int,
        validate_choice=False,
        description=_l("The source: its quota counts this recommendation."),
    )
    contest_trade_id = SelectField(_l("Trade"), coerce=_optional_int, validate_choice=False)

    def validate(self, extra_validators=None):
        ok = super().validate(extra_validators)
        return self.check_person() and ok

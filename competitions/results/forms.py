"""Forms of results: the outside body's decision on an honour."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, DateField, RadioField, SelectField, TextAreaField
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from competitions.core.i18n import lazy_gettext as _l
from competitions.core.labels import SKILL_LABELS


def _optional_int(value):
    return int(value) if value not in (None, "", "None") else None


class HonourDecisionForm(FlaskForm):
    """Granted (with the level, for a promotion) or withdrawn, on a date; confirmed."""

    decision = RadioField(
        _l("Decision"),
        choices=[("granted", _l("Granted")), ("withdrawn", _l("Withdrawn"))],
        validators=[InputRequired(message=_l("Choose granted or withdrawn."))],
    )
    to_level = SelectField(
        _l("Skill level granted"),
        coerce=_optional_int,
        choices=[("", "—"), *SKILL_LABELS.items()],
        validators=[Optional()],
        description=_l("Proposed: one level above the level held. Change it to what was decided."),
    )
    decided_on = DateField(_l("Decided on"), validators=[DataRequired()])
    note = TextAreaField(
        _l("Note"),
        validators=[Length(max=500)],
        description=_l("E.g. the document number of the decision."),
    )
    confirm = BooleanField(
        _l("I confirm"), validators=[DataRequired(message=_l("Tick the box to confirm."))]
    )

"""The administrators' forms: an account (system administrator), a duty (security)."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length, Optional

from competitions.accounts import rules
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.core.labels import DUTY_LABELS


class UserForm(FlaskForm):
    """The system administrator creates or edits an account."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    display_name = StringField(_l("Display name"), validators=[DataRequired(), Length(max=100)])
    unit_id = SelectField(_l("Unit"), choices=[], validate_choice=True)
    active = BooleanField(_l("May log in"), default=True)
    password = PasswordField(
        _l("Password"),
        validators=[Optional(), Length(max=200)],
        description=_l(
            "For a new account, or to reset one: at least 10 characters; tell the person, who "
            "changes it after logging in."
        ),
    )

    def __init__(self, *args, creating: bool, **kwargs):
        super().__init__(*args, **kwargs)
        self.creating = creating
        if creating:
            self.password.validators = [DataRequired(), Length(max=200)]

    def validate_password(self, field) -> None:
        """Every way the password breaks the policy, next to the field."""
        if field.data:
            field.errors.extend(
                say(p) for p in rules.password_problems(field.data, self.username.data or "")
            )


class DutyForm(FlaskForm):
    """The security administrator grants or takes back a duty."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    duty = SelectField(_l("Duty"), choices=[(d, DUTY_LABELS[d]) for d in rules.DUTIES])
    grant = SelectField(_l("Change"), choices=[("grant", _l("Grant")), ("revoke", _l("Take back"))])

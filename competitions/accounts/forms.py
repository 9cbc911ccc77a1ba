"""Log-in, password and contest-role forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField, ValidationError
from wtforms.validators import DataRequired, EqualTo, Length

from competitions.accounts import rules
from competitions.accounts.models import PLAIN_ROLES
from competitions.core.db import db_int
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.core.labels import ROLE_LABELS


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class PasswordForm(FlaskForm):
    """Change one's own password: the current one, and a new one that meets the policy."""

    current_password = PasswordField(_l("Current password"), validators=[DataRequired()])
    new_password = PasswordField(
        _l("New password"),
        validators=[DataRequired(), Length(max=200)],
        description=_l(
            "At least 10 characters; not only digits, not your username, not a common password."
        ),
    )
    confirm = PasswordField(
        _l("New password again"),
        validators=[
            DataRequired(),
            EqualTo("new_password", message=_l("The two new passwords differ.")),
        ],
    )

    def __init__(self, username: str, *args, **kwargs):
        super().__init__(*args, **kwargs)
        #: Whose password it is (the policy refuses the username as a password).
        self.username = username

    def validate_new_password(self, field) -> None:
        """Every way the new password breaks the policy, next to the field."""
        field.errors.extend(say(p) for p in rules.password_problems(field.data, self.username))


def _optional_id(value):
    """A select's value as an id, empty as None."""
    return db_int(value) if value not in (None, "", "None") else None


class ContestRoleForm(FlaskForm):
    """Give a user a role in a contest: a liaison for a unit, a team leader for a delegation
    (the view offers the units and the contest's delegations as choices)."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    role = SelectField(
        _l("Role"),
        choices=[(r, ROLE_LABELS[r]) for r in (*PLAIN_ROLES, "liaison", "team_leader")],
    )
    unit_id = SelectField(
        _l("Unit (of a unit liaison)"),
        coerce=_optional_id,
        validate_choice=False,
        description=_l("A unit liaison registers the people of this unit and its sub-units."),
    )
    delegation_id = SelectField(
        _l("Delegation (of a team leader)"), coerce=_optional_id, validate_choice=False
    )

    def _listed(self, field) -> bool:
        return field.data in {value for value, _label in field.choices if value != ""}

    def validate_unit_id(self, field):
        if self.role.data == "liaison" and field.data is None:
            raise ValidationError(_l("A unit liaison needs a unit: choose it."))
        if self.role.data == "liaison" and not self._listed(field):
            raise ValidationError(_l("Choose a unit from the list."))

    def validate_delegation_id(self, field):
        if self.role.data == "team_leader" and field.data is None:
            raise ValidationError(_l("A team leader needs a delegation: choose it."))
        if self.role.data == "team_leader" and not self._listed(field):
            raise ValidationError(_l("Choose a delegation from the list."))

    def scope_ids(self) -> dict:
        """The unit of a liaison, the delegation of a team leader (nothing for other roles)."""
        return {
            "unit_id": self.unit_id.data if self.role.data == "liaison" else None,
            "delegation_id": self.delegation_id.data if self.role.data == "team_leader" else None,
        }


class CodeForm(FlaskForm):
    """The second step of log-in: the authenticator app's code, or a recovery code."""

    code = StringField(
        _l("Verification code"),
        validators=[DataRequired(), Length(max=40)],
        description=_l("The 6 digits your authenticator app shows, or one of your recovery codes."),
        render_kw={"autocomplete": "one-time-code", "autofocus": True},
    )


class AppCodeForm(FlaskForm):
    """A code from the authenticator app (to confirm set-up, or to make new recovery codes)."""

    code = StringField(
        _l("Code from the app"),
        validators=[DataRequired(), Length(max=40)],
        render_kw={"autocomplete": "one-time-code", "inputmode": "numeric"},
    )


class SecondFactorResetForm(FlaskForm):
    """A registrar turns off someone's two-step log-in (a lost phone and no recovery code)."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    reason = TextAreaField(_l("Reason"), validators=[DataRequired(), Length(max=500)])

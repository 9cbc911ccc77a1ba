"""Log-in, password and contest-role forms."""

from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField, TextAreaField
from wtforms.validators import DataRequired, EqualTo, Length

from competitions.accounts import rules
from competitions.accounts.models import PLAIN_ROLES
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


class ContestRoleForm(FlaskForm):
    """Give a user a role in a contest."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    role = SelectField(_l("Role"), choices=[(r, ROLE_LABELS[r]) for r in PLAIN_ROLES])


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

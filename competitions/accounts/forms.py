"""Log-in and contest-role forms."""

from flask_babel import lazy_gettext as _l
from flask_wtf import FlaskForm
from wtforms import PasswordField, SelectField, StringField
from wtforms.validators import DataRequired, Length

from competitions.accounts.models import ROLES

ROLE_LABELS = {
    "organiser": _l("Organiser"),
    "chief_judge": _l("Chief judge"),
    "judge": _l("Judge"),
    "clerk": _l("Clerk"),
    "arbitrator": _l("Arbitrator"),
}


class LoginForm(FlaskForm):
    """Username and password."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    password = PasswordField(_l("Password"), validators=[DataRequired()])


class ContestRoleForm(FlaskForm):
    """Give a user a role in a contest."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    role = SelectField(_l("Role"), choices=[(r, ROLE_LABELS[r]) for r in ROLES])

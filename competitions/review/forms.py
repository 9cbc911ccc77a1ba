"""The chief judge's forms: resolve a flag, lock, unlock."""

from flask_wtf import FlaskForm
from wtforms import (
    IntegerField,
    PasswordField,
    SelectField,
    SelectMultipleField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length

from competitions.core.i18n import lazy_gettext as _l

DECISIONS = [
    ("remark", _l("Ask the judges to mark again")),
    ("confirm", _l("Confirm the scores")),
]


class ResolveForm(FlaskForm):
    """Confirm the disagreeing scores, or ask the judges to mark again, with a comment."""

    entry_id = IntegerField(validators=[InputRequired()])
    item_id = IntegerField(validators=[InputRequired()])
    action = SelectField(_l("Decision"), choices=DECISIONS)
    comment = TextAreaField(_l("Comment"), validators=[DataRequired(), Length(max=2000)])


def flag_value(entry_id: int, item_id: int) -> str:
    """The value of a flag's checkbox: "entry id-item id"."""
    return f"{entry_id}-{item_id}"


class ResolveManyForm(FlaskForm):
    """One decision with one comment on the chosen disagreements (choices: the open flags)."""

    flags = SelectMultipleField(
        _l("Disagreements"), validators=[DataRequired(_l("Choose at least one disagreement."))]
    )
    action = SelectField(_l("Decision"), choices=DECISIONS)
    comment = TextAreaField(
        _l("Comment"),
        validators=[DataRequired(_l("Write a comment with the decision.")), Length(max=2000)],
    )

    def keys(self) -> list[tuple[int, int]]:
        """The chosen flags as (entry id, item id)."""
        return [tuple(int(n) for n in value.split("-")) for value in self.flags.data]


class LockForm(FlaskForm):
    """Lock the marks: the chief judge signs by retyping their password (checked by the view)."""

    password = PasswordField(
        _l("Your password (your signature)"),
        validators=[DataRequired(message=_l("Retype your password to sign the lock."))],
    )


class UnlockForm(FlaskForm):
    """Unlock the marks: a written reason is required."""

    reason = TextAreaField(
        _l("Reason for unlocking"), validators=[DataRequired(), Length(min=5, max=2000)]
    )


class CorrectForm(FlaskForm):
    """The chief judge corrects one judge's score (marks open), with a reason."""

    code = StringField(_l("Anonymous code"), validators=[DataRequired(), Length(max=20)])
    item_id = SelectField(_l("Item"), coerce=int)
    judge_id = SelectField(_l("Judge"), coerce=int)
    value = StringField(_l("Corrected score"), validators=[DataRequired(), Length(max=12)])
    reason = TextAreaField(
        _l("Reason for the correction"), validators=[DataRequired(), Length(min=5, max=2000)]
    )

"""An innovation contest's forms: setup, a submission, an attachment, the format check, the
defence and the user list of a round's panel."""

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    FieldList,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from competitions.core.fields import FiniteDecimalField
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.innovation import rules

CATEGORY_LABELS = {
    "technical_improvement": _l("Technical improvement (技术革新)"),
    "invention_patent": _l("Invention or patent (发明专利)"),
    "rationalisation": _l("Rationalisation proposal (合理化建议)"),
    "operating_method": _l("Advanced operating method (先进操作法)"),
}
LEVEL_LABELS = {
    "special": _l("Special prize"),
    "first": _l("First prize"),
    "second": _l("Second prize"),
    "third": _l("Third prize"),
}
STATE_LABELS = {
    "draft": _l("draft"),
    "submitted": _l("submitted"),
    "returned": _l("returned"),
    "passed": _l("passed the format check"),
}


class InnovationForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    review_weight = IntegerField(
        _l("Weight of the online review (%)"), default=60, validators=[NumberRange(0, 100)]
    )
    defence_weight = IntegerField(
        _l("Weight of the defence session (%)"), default=40, validators=[NumberRange(0, 100)]
    )
    counts = StringField(
        _l("Awards per category: special, first, second, third"),
        default="1,5,10,30",
        validators=[DataRequired(), Length(max=40)],
    )

    def validate_review_weight(self, field):
        if (field.data or 0) + (self.defence_weight.data or 0) != 100:
            raise ValidationError(
                _("The weights of the review and the defence must add up to 100.")
            )

    def parsed_counts(self) -> tuple[int, int, int, int] | None:
        try:
            numbers = tuple(int(n) for n in self.counts.data.replace("，", ",").split(","))
        except ValueError:
            return None
        if len(numbers) != 4 or min(numbers) < 0:
            return None
        return numbers

    def validate_counts(self, field):
        if self.parsed_counts() is None:
            raise ValidationError(_("Four whole numbers separated by commas, e.g. 1,5,10,30."))


class SubmissionForm(FlaskForm):
    category = SelectField(_l("Category"), choices=list(CATEGORY_LABELS.items()))
    title = StringField(_l("Title"), validators=[DataRequired(), Length(max=200)])
    unit_id = SelectField(_l("Unit"), coerce=int)
    members = TextAreaField(
        _l("Members (one a line: name and ID number; the first leads the team)"),
        validators=[DataRequired(), Length(max=2000)],
    )
    abstract = TextAreaField(_l("Abstract"), validators=[DataRequired(), Length(max=5000)])
    benefit_yuan = FiniteDecimalField(
        _l("Claimed economic benefit (yuan)"), places=2, validators=[Optional()]
    )


class AttachmentForm(FlaskForm):
    file = FileField(
        _l("Attachment (PDF, JPEG or PNG, at most 10 MB)"), validators=[FileRequired()]
    )


class FormatCheckForm(FlaskForm):
    decision = SelectField(
        _l("Decision"),
        choices=[("pass", _l("Pass the format check")), ("return", _l("Return with reasons"))],
    )
    reasons = TextAreaField(_l("Reasons for returning"), validators=[Length(max=2000)])


class DefenceForm(FlaskForm):
    per_category = IntegerField(
        _l("To the defence: the best N of each category"),
        default=10,
        validators=[InputRequired(), NumberRange(1, 1000)],
    )


def _count(form, field):
    """An award count: a whole number from 0 (the rule's words beside the field)."""
    if problem := rules.count_problem(field.data):
        field.errors[:] = []  # the rule's words instead of WTForms' "Not a valid integer"
        raise ValidationError(say(problem))


class CountsForm(FlaskForm):
    """One category's award counts (特等/一/二/三等奖)."""

    class Meta:
        csrf = False

    special = IntegerField(LEVEL_LABELS["special"], validators=[_count])
    first = IntegerField(LEVEL_LABELS["first"], validators=[_count])
    second = IntegerField(LEVEL_LABELS["second"], validators=[_count])
    third = IntegerField(LEVEL_LABELS["third"], validators=[_count])


class SettingsForm(FlaskForm):
    """The combined score's weights and the award counts per category, after set-up."""

    review_weight = IntegerField(
        _l("Weight of the online review (%)"),
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    defence_weight = IntegerField(
        _l("Weight of the defence session (%)"),
        validators=[InputRequired(), NumberRange(0, 100)],
    )
    categories = FieldList(FormField(CountsForm))

    def validate_review_weight(self, field):
        if (field.data or 0) + (self.defence_weight.data or 0) != 100:
            raise ValidationError(
                _("The weights of the review and the defence must add up to 100.")
            )

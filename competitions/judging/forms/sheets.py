"""Forms of the clerks' double entry: which sheet to type, and the scores typed from it."""

from flask_babel import gettext as _
from flask_wtf import FlaskForm
from wtforms import HiddenField, SelectField, StringField, ValidationError
from wtforms.validators import DataRequired, InputRequired, Length

from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.judging import rules
from competitions.judging.models import SchemeItem

FIELD_PREFIX = "item_"


class StartSheetForm(FlaskForm):
    """Which paper sheet to type: the entry's anonymous code and the judge who filled it in."""

    class Meta:
        # A GET form: it only chooses the sheet; the scores are posted with a CSRF token.
        csrf = False

    code = StringField(_l("Entry code"), validators=[DataRequired(), Length(max=12)])
    judge = SelectField(_l("Judge"), coerce=int, validators=[InputRequired()])


class SheetValuesForm(FlaskForm):
    """The scores of one sheet, one text field per item, and the sheet's version when opened."""

    version = HiddenField()

    def values(self) -> dict[int, str]:
        """The typed scores by item id, without surrounding spaces."""
        return {
            int(field.name.removeprefix(FIELD_PREFIX)): (field.data or "").strip()
            for field in self
            if field.name.startswith(FIELD_PREFIX)
        }

    def seen_version(self) -> int:
        """The version of the sheet the clerk opened (-1 if the form carries none)."""
        try:
            return int(self.version.data)
        except (TypeError, ValueError):
            return -1


def _score_check(rule: rules.ItemRule):
    """A field validator: the typed score suits the item (``rules.score_problem``)."""

    def check(form, field):
        reason = rules.score_problem(field.data, rule)
        if reason is not None:
            raise ValidationError(say(reason))

    return check


def _plain(value) -> str:
    """A decimal without trailing zeros."""
    return format(value.normalize(), "f")


def sheet_values_form(items: list[SchemeItem], **kwargs) -> SheetValuesForm:
    """A form with one field per item (label: code, criterion, maximum); ``kwargs`` prefill it."""

    class Form(SheetValuesForm):
        pass

    for item in items:
        label = _(
            "%(code)s %(criterion)s (max %(max)s)",
            code=item.code,
            criterion=item.criterion,
            max=_plain(item.rule.score_max),
        )
        field = StringField(
            label,
            validators=[
                InputRequired(message=_l("Type the score from the sheet.")),
                _score_check(item.rule),
            ],
            description=item.description,
            render_kw={"inputmode": "decimal", "autocomplete": "off"},
        )
        setattr(Form, f"{FIELD_PREFIX}{item.id}", field)
    return Form(**kwargs)

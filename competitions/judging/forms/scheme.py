"""Forms of the marking scheme: an item (checked by the same rule as the import), import, copy."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired
from wtforms import (
    BooleanField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
    ValidationError,
)
from wtforms.validators import DataRequired, InputRequired, Length, Optional

from competitions.core.fields import FiniteDecimalField
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.core.labels import AGGREGATION_LABELS, KIND_LABELS, PART_LABELS, SCALE_LABELS
from competitions.judging.services.scheme_import import (
    ItemSpec,
    default_judges,
    default_step,
    item_problems,
)


class SchemeItemForm(FlaskForm):
    """An item of the marking scheme and its marking settings."""

    part = SelectField(_l("Part"), choices=list(PART_LABELS.items()))
    code = StringField(
        _l("Code"),
        validators=[DataRequired(), Length(max=30)],
        description=_l("Unique within the part, e.g. A1.M1"),
    )
    criterion = StringField(
        _l("Criterion"),
        validators=[Optional(), Length(max=200)],
        description=_l("The criterion or sub-criterion the item belongs to"),
    )
    description = TextAreaField(_l("Description"), validators=[Optional()])
    kind = SelectField(_l("Type"), choices=list(KIND_LABELS.items()))
    max_mark = FiniteDecimalField(_l("Max mark"), places=None, validators=[InputRequired()])
    scale = SelectField(_l("Scale"), choices=list(SCALE_LABELS.items()))
    step = FiniteDecimalField(
        _l("Step"),
        places=None,
        validators=[Optional()],
        description=_l("Empty: 0.01 for marks (finer if the max mark needs it), 1 on 0-3"),
    )
    judges = IntegerField(
        _l("Judges"),
        validators=[Optional()],
        description=_l("Empty: 1 for a measurement, 3 for a judgement"),
    )
    aggregation = SelectField(_l("Aggregation of judges"), choices=list(AGGREGATION_LABELS.items()))
    tolerance = FiniteDecimalField(
        _l("Tolerance"),
        places=None,
        validators=[Optional()],
        description=_l(
            "The largest spread between judges before the item is flagged. "
            "Empty: 1 on the 0-3 scale, else one tenth of the max mark"
        ),
    )

    #: Set by the view: the (part, code) pairs the other items use.
    taken_codes: set = set()

    def spec(self) -> ItemSpec:
        """The form's values as an item, with the defaults of step and judges filled in."""
        kind, scale, max_mark = self.kind.data, self.scale.data, self.max_mark.data
        return ItemSpec(
            part=self.part.data,
            code=(self.code.data or "").strip(),
            criterion=(self.criterion.data or "").strip(),
            description=(self.description.data or "").strip(),
            kind=kind,
            max_mark=max_mark,
            scale=scale,
            step=self.step.data if self.step.data is not None else default_step(max_mark, scale),
            judges=self.judges.data if self.judges.data is not None else default_judges(kind),
            aggregation=self.aggregation.data,
            tolerance=self.tolerance.data,
        )

    def validate(self, extra_validators=None):
        """The fields' own checks, then the item rule and the code's uniqueness, beside fields."""
        ok = super().validate(extra_validators)
        numbers = (self.max_mark, self.step, self.judges, self.tolerance)
        if self.max_mark.data is None or any(field.errors for field in numbers):
            return False
        spec = self.spec()
        problems = item_problems(spec)
        for name, reason in problems.items():
            getattr(self, name).errors.append(say(reason))
        taken = (spec.part, spec.code) in self.taken_codes
        if taken and not self.code.errors:
            self.code.errors.append(_l("Another item of this part has this code."))
        return ok and not problems and not taken


class ReplaceMixin:
    """A confirmation, needed only when a scheme exists that the action would replace."""

    replace = BooleanField(_l("Replace the current scheme"))

    #: Set by the view: whether the contest-trade already has items.
    has_scheme: bool = False

    def validate_replace(self, field):
        if self.has_scheme and not field.data:
            raise ValidationError(_l("Tick to confirm that the current scheme is replaced."))


class SchemeImportForm(FlaskForm, ReplaceMixin):
    """A marking scheme spreadsheet: the generic layout or the WorldSkills CIS import sheet."""

    file = FileField(
        _l("Spreadsheet (.xlsx)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["xlsx"], _l("Only .xlsx files can be imported.")),
        ],
    )


class SchemeCopyForm(FlaskForm, ReplaceMixin):
    """Another contest-trade whose scheme to copy (choices set by the view)."""

    source_id = SelectField(_l("Copy the scheme of"), coerce=int)

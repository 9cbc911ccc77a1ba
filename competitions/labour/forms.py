"""A labour competition's forms: setup, scheme, vetoes, figures, evidence, import, verification."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField, FileRequired
from wtforms import (
    FieldList,
    Form,
    FormField,
    IntegerField,
    SelectField,
    StringField,
    TextAreaField,
)
from wtforms.validators import DataRequired, InputRequired, Length, NumberRange, Optional

from competitions.core.fields import FiniteDecimalField
from competitions.core.i18n import lazy_gettext as _l

PERIOD_KIND_LABELS = {"month": _l("Monthly"), "quarter": _l("Quarterly")}
COMMENDATION_LABELS = {
    "labour_model": _l("Labour competition model (劳动竞赛标兵)"),
    "advanced_collective": _l("Advanced collective (先进集体)"),
    "pioneer": _l("Workers' Pioneer (工人先锋号)"),
}
PARTICIPANT_KIND_LABELS = {
    "unit": _l("Unit"),
    "project_team": _l("Project team"),
    "work_team": _l("Work team (班组)"),
}
DIRECTION_LABELS = {"higher": _l("Higher is better"), "lower": _l("Lower is better")}
SCORING_LABELS = {
    "ratio": _l("Ratio to target, capped"),
    "linear": _l("Linear between floor and target"),
    "rank": _l("By rank among participants"),
}
EFFECT_LABELS = {
    "zero": _l("The period's score is 0"),
    "no_commendation": _l("No commendation"),
}


def _choices(labels: dict) -> list:
    return list(labels.items())


class CompetitionForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=200)])
    period_kind = SelectField(_l("Periods"), choices=_choices(PERIOD_KIND_LABELS))
    year = IntegerField(_l("Year"), validators=[InputRequired(), NumberRange(2000, 2200)])
    commend_top = IntegerField(
        _l("Commended (top N)"), default=3, validators=[InputRequired(), NumberRange(0, 1000)]
    )
    commendation = SelectField(_l("Commendation"), choices=_choices(COMMENDATION_LABELS))


class ParticipantForm(FlaskForm):
    name = StringField(_l("Name"), validators=[DataRequired(), Length(max=150)])
    kind = SelectField(_l("Kind"), choices=_choices(PARTICIPANT_KIND_LABELS), default="work_team")
    unit_id = SelectField(_l("Unit"), coerce=int, default=0)
    reporter = StringField(_l("Reporter (username)"), validators=[Length(max=60)])


class IndicatorRowForm(Form):
    name = StringField(_l("Indicator"), validators=[Length(max=100)])
    measure = StringField(_l("Unit of measure"), validators=[Length(max=30)])
    direction = SelectField(_l("Direction"), choices=_choices(DIRECTION_LABELS))
    target = FiniteDecimalField(_l("Target"), validators=[Optional()])
    weight = FiniteDecimalField(_l("Weight, percent"), validators=[Optional()])
    scoring = SelectField(_l("Scoring rule"), choices=_choices(SCORING_LABELS))
    cap = FiniteDecimalField(_l("Cap, percent of target"), default=120, validators=[Optional()])
    floor = FiniteDecimalField(_l("Floor"), validators=[Optional()])


class SchemeForm(FlaskForm):
    rows = FieldList(FormField(IndicatorRowForm), min_entries=1)


class VetoForm(FlaskForm):
    name = StringField(_l("Veto incident"), validators=[DataRequired(), Length(max=150)])
    effect = SelectField(_l("Effect"), choices=_choices(EFFECT_LABELS))


class IncidentForm(FlaskForm):
    period_id = SelectField(_l("Period"), coerce=int)
    participant_id = SelectField(_l("Participant"), coerce=int)
    veto_id = SelectField(_l("Veto"), coerce=int)
    note = TextAreaField(_l("Note"), validators=[Length(max=2000)])


def figures_form(indicators, report=None):
    """A form with one figure per indicator (``f<id>``), filled from the report."""

    class FiguresForm(FlaskForm):
        pass

    have = {f.indicator_id: f.value for f in report.figures} if report else {}
    for ind in indicators:
        field = FiniteDecimalField(
            f"{ind.name} ({ind.measure})" if ind.measure else ind.name,
            default=have.get(ind.id),
            validators=[Optional()],
        )
        setattr(FiguresForm, f"f{ind.id}", field)
    return FiguresForm()


class EvidenceForm(FlaskForm):
    evidence = FileField(_l("Evidence (PDF or image, at most 5 MB)"), validators=[FileRequired()])


class ImportForm(FlaskForm):
    file = FileField(_l("Figures (.xlsx)"), validators=[FileRequired()])


class ReturnForm(FlaskForm):
    reason = TextAreaField(_l("Why it is returned"), validators=[DataRequired(), Length(max=2000)])


class CorrectForm(FlaskForm):
    value = FiniteDecimalField(_l("Corrected figure"), validators=[InputRequired()])
    reason = StringField(_l("Why it is corrected"), validators=[DataRequired(), Length(max=500)])


class ObjectionForm(FlaskForm):
    reason = TextAreaField(_l("Objection"), validators=[DataRequired(), Length(min=5, max=2000)])

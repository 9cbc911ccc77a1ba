"""Forms of the panel, the judges' declarations of relations, and the drawing of codes."""

from flask_wtf import FlaskForm
from wtforms import BooleanField, SelectField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import AnyOf, DataRequired, Length
from wtforms.widgets import CheckboxInput, ListWidget

from competitions.core.db import db_int
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.labels import PANEL_ROLE_LABELS
from competitions.judging.models import PANEL_ROLES


def _optional_int(value):
    """Coerce a select's value to int (an id the database can hold), keeping empty as None."""
    return db_int(value) if value not in (None, "", "None") else None


def _listed(field) -> bool:
    """Whether a select's value is one of its choices."""
    return field.data in {value for value, _label in field.choices}


class MultiCheckboxField(SelectMultipleField):
    """A list of checkboxes, one per choice."""

    widget = ListWidget(prefix_label=False)
    option_widget = CheckboxInput()


class ActionForm(FlaskForm):
    """A button that carries only the CSRF token (remove, assign all)."""


class AddMemberForm(FlaskForm):
    """Seat a judge or the chief judge on the panel."""

    username = StringField(_l("Username"), validators=[DataRequired(), Length(max=60)])
    role = SelectField(_l("Role"), choices=[(r, PANEL_ROLE_LABELS[r]) for r in PANEL_ROLES])
    delegation_id = SelectField(
        _l("Comes with the delegation"),
        coerce=_optional_int,
        validate_choice=False,
        description=_l("Optional; the judge will not mark that delegation's contestants."),
    )

    def validate_delegation_id(self, field):
        if field.data is not None and not _listed(field):
            raise ValidationError(_l("Choose a delegation from the list."))


class MemberItemsForm(FlaskForm):
    """The items a member scores: chosen one by one, or all items of a part."""

    items = MultiCheckboxField(_l("Items"), coerce=int)
    parts = MultiCheckboxField(_l("All items of the part"), coerce=int)

    def chosen(self, items_of_part: dict[int, list[int]]) -> set[int]:
        """The chosen items, with every item of the chosen parts."""
        picked = set(self.items.data or [])
        for part_id in self.parts.data or []:
            picked.update(items_of_part.get(part_id, []))
        return picked


class AssignEntryForm(FlaskForm):
    """Assign one entry to a member (refused when they must recuse)."""

    entry_id = SelectField(_l("Entry"), coerce=_optional_int, validate_choice=False)

    def validate_entry_id(self, field):
        if field.data is None or not _listed(field):
            raise ValidationError(_l("Choose an entry from the list."))


class RelationForm(FlaskForm):
    """A judge declares a relation with a contestant they know by ID number and name."""

    id_number = StringField(
        _l("The contestant's ID number"), validators=[DataRequired(), Length(max=40)]
    )
    name = StringField(
        _l("The contestant's full name"), validators=[DataRequired(), Length(max=100)]
    )
    relation = StringField(
        _l("Relation"),
        validators=[DataRequired(), Length(max=200)],
        description=_l("For example: relative, colleague, master and apprentice"),
    )


class DecideDeclarationForm(FlaskForm):
    """The organiser applies a judge's declaration (the judge recuses) or dismisses it."""

    decision = StringField(validators=[DataRequired(), AnyOf(["apply", "dismiss"])])


class DrawCodesForm(FlaskForm):
    """Draw anonymous codes for the entries that lack one."""

    stations = BooleanField(_l("Also draw station numbers"))

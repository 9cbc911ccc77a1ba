"""Enrolment forms: a person with their proof (the registry's person fields and checks), proof
alone, a reason to return, a list to approve."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import SelectField, SelectMultipleField, StringField, ValidationError
from wtforms.validators import DataRequired, Length, Optional

from competitions.core.db import db_int
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say
from competitions.core.labels import SKILL_LABELS
from competitions.enrolment import rules
from competitions.enrolment.services import Upload
from competitions.registry.forms import PersonFieldsMixin

ATTACHMENT_LABELS = {"photo": _l("Photo"), "employment": _l("Proof of employment")}
HINTS = {
    "photo": _l("JPEG or PNG, at most 2 MB."),
    "employment": _l("PDF, JPEG or PNG, at most 2 MB (e.g. a letter of the employer)."),
}


def read_upload(field, kind: str) -> Upload | None:
    """The file sent in ``field`` (None when none was), refused beside the field when the rule
    does not accept it as proof of ``kind``."""
    storage = field.data
    if storage is None or not getattr(storage, "filename", ""):
        return None
    data = storage.read(rules.MAX_ATTACHMENT_BYTES + 1)
    if problem := rules.attachment_problem(kind, data):
        raise ValidationError(say(problem))
    return Upload(storage.filename, data)


class EnrolForm(PersonFieldsMixin, FlaskForm):
    """Register one of one's own people: the registry's person fields and checks (ID number and
    its check digit, name, birth date), and the proof the trade asks for."""

    photo = FileField(_l("Photo"), description=HINTS["photo"])
    employment = FileField(_l("Proof of employment"), description=HINTS["employment"])

    #: The files accepted, by kind (filled by validation).
    uploads: dict

    def validate_photo(self, field):
        self._keep("photo", read_upload(field, "photo"))

    def validate_employment(self, field):
        self._keep("employment", read_upload(field, "employment"))

    def _keep(self, kind: str, upload: Upload | None) -> None:
        if not hasattr(self, "uploads"):
            self.uploads = {}
        if upload is not None:
            self.uploads[kind] = upload

    def validate(self, extra_validators=None):
        self.uploads = {}
        ok = super().validate(extra_validators)
        return self.check_person() and ok


class AttachmentForm(FlaskForm):
    """Attach (or replace) one file of proof."""

    kind = SelectField(_l("Kind of proof"), choices=list(ATTACHMENT_LABELS.items()))
    file = FileField(_l("File"), description=_l("Photo: JPEG or PNG. Proof: PDF, JPEG or PNG."))

    upload: Upload | None = None

    def validate_file(self, field):
        if self.kind.data not in rules.ATTACHMENT_TYPES:
            return
        self.upload = read_upload(field, self.kind.data)
        if self.upload is None:
            raise ValidationError(_l("Choose a file."))


class DetailsForm(FlaskForm):
    """What a liaison may still change of a person on an entry not yet submitted."""

    skill_level = SelectField(
        _l("Skill level"),
        coerce=lambda v: db_int(v) if v not in (None, "", "None") else None,
        choices=[("", "—"), *SKILL_LABELS.items()],
        validators=[Optional()],
    )
    phone = StringField(_l("Phone"), validators=[Optional(), Length(max=30)])


class ReturnForm(FlaskForm):
    """Send an entry back: the reason is required (the liaison reads it)."""

    reason = StringField(
        _l("Why is it returned?"),
        validators=[DataRequired(), Length(min=2, max=300)],
        description=_l(
            "The unit liaison or team leader reads this, fixes the entry and submits it again."
        ),
    )


class ApproveForm(FlaskForm):
    """Approve the ticked entries (the view offers the submitted ones)."""

    entry_ids = SelectMultipleField(coerce=db_int, validate_choice=False)

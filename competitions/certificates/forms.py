"""The organiser's design form and the public verification form."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileField
from wtforms import BooleanField, DateField, StringField, TextAreaField
from wtforms.validators import DataRequired, Length, ValidationError

from competitions.certificates import rules
from competitions.certificates.services.images import ImageInfo, inspect_image
from competitions.core.i18n import lazy_gettext as _l
from competitions.core.i18n import say

#: A seal is a small picture; a background covers the page.
MAX_SEAL_BYTES = 2 * 1024 * 1024
MAX_BACKGROUND_BYTES = 5 * 1024 * 1024


def _template_field(label) -> TextAreaField:
    return TextAreaField(
        label,
        validators=[DataRequired(), Length(max=400)],
        description=_l(
            "Fields: %(fields)s. A line break starts a new paragraph.",
            fields=" ".join(f"{{{zh}}}/{{{en}}}" for zh, en in rules.FIELD_ALIASES.items()),
        ),
    )


class DesignForm(FlaskForm):
    """Titles, body templates, issuers, date and images of a contest's certificates."""

    title = StringField(
        _l("Title of award certificates"), validators=[DataRequired(), Length(max=20)]
    )
    honour_title = StringField(
        _l("Title of honour certificates"), validators=[DataRequired(), Length(max=20)]
    )
    body = _template_field(_l("Text of individual award certificates"))
    team_body = _template_field(_l("Text of team award certificates"))
    member_body = _template_field(_l("Text of team members' certificates"))
    honour_body = _template_field(_l("Text of honour certificates"))
    issuers = TextAreaField(
        _l("Issuing bodies"),
        validators=[Length(max=200)],
        description=_l("One per line, at most three, of at most 40 characters."),
    )
    issued_on = DateField(_l("Date of issue"), validators=[DataRequired()])
    seal_1 = FileField(_l("Seal (PNG, at most 2 MB)"))
    seal_2 = FileField(_l("Second seal (PNG, at most 2 MB)"))
    background = FileField(_l("Background picture (PNG or JPEG, at most 5 MB)"))
    remove_seal_1 = BooleanField(_l("Remove the seal"))
    remove_seal_2 = BooleanField(_l("Remove the second seal"))
    remove_background = BooleanField(_l("Remove the background"))

    #: The uploads that passed their checks: {field name: (bytes, ImageInfo)}.
    images: dict[str, tuple[bytes, ImageInfo]]

    def validate_body(self, field):
        self._template(field)

    def validate_team_body(self, field):
        self._template(field)

    def validate_member_body(self, field):
        self._template(field)

    def validate_honour_body(self, field):
        self._template(field)

    def validate_issuers(self, field):
        lines = [line.strip() for line in field.data.splitlines() if line.strip()]
        if len(lines) > 3 or any(len(line) > 40 for line in lines):
            raise ValidationError(_l("At most three issuing bodies of at most 40 characters."))

    def validate_seal_1(self, field):
        self._image(field, ("png",), MAX_SEAL_BYTES)

    def validate_seal_2(self, field):
        self._image(field, ("png",), MAX_SEAL_BYTES)

    def validate_background(self, field):
        self._image(field, ("png", "jpeg"), MAX_BACKGROUND_BYTES)

    def _template(self, field) -> None:
        problem = rules.template_problem(field.data or "")
        if problem:
            raise ValidationError(say(problem))

    def _image(self, field, formats: tuple[str, ...], limit: int) -> None:
        """Check an upload by its content: format, size in bytes and in pixels."""
        self.images = getattr(self, "images", {})
        upload = field.data
        if not upload or not getattr(upload, "filename", ""):
            return
        data = upload.read(limit + 1)
        if len(data) > limit:
            raise ValidationError(
                _l("The file is too large: the limit is %(mb)s MB.", mb=limit // (1024 * 1024))
            )
        found = inspect_image(data, formats)
        if not isinstance(found, ImageInfo):
            raise ValidationError(say(found))
        self.images[field.name] = (data, found)


class VerifyForm(FlaskForm):
    """A certificate number, typed in (no login; GET, so it can be bookmarked)."""

    class Meta:
        csrf = False

    number = StringField(_l("Certificate number"), validators=[DataRequired(), Length(max=120)])

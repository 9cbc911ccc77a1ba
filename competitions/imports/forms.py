"""The upload form of an import."""

from flask_wtf import FlaskForm
from flask_wtf.file import FileAllowed, FileField, FileRequired

from competitions.core.i18n import lazy_gettext as _l


class ImportForm(FlaskForm):
    """One .xlsx or .csv file of contestants and their entries."""

    file = FileField(
        _l("File (.xlsx or .csv)"),
        validators=[
            FileRequired(_l("Choose a file.")),
            FileAllowed(["xlsx", "csv"], _l("Only .xlsx and .csv files can be imported.")),
        ],
        description=_l("Fill in the template; only its first sheet is imported."),
    )

"""The confirmation step before an irreversible or public action: a page that says what will
happen and a required "I confirm" box (no script: the page posts the form itself)."""

from flask import render_template
from flask_wtf import FlaskForm
from wtforms import BooleanField
from wtforms.validators import DataRequired

from competitions.core.i18n import lazy_gettext as _l


class ConfirmForm(FlaskForm):
    """A required tick: the user confirms having read what the action does."""

    confirm = BooleanField(
        _l("I confirm"), validators=[DataRequired(message=_l("Tick the box to confirm."))]
    )


def confirm_page(form: ConfirmForm, **page) -> str:
    """The confirmation page: ``title``, ``consequences`` (lines), ``problem`` (why the action
    is refused now, then no form), ``button`` and its ``button_id``, ``back`` (the cancel link),
    ``hidden`` (extra fields to post along)."""
    page.setdefault("hidden", {})
    page.setdefault("problem", None)
    return render_template("core/confirm.html", form=form, **page)

"""Forms of two-layer encryption (二次加密): the organiser's setting, an officer's draw."""

from flask_wtf import FlaskForm
from wtforms import BooleanField

from competitions.core.i18n import lazy_gettext as _l


class TwoLayerForm(FlaskForm):
    """Turn two-layer encryption on or off for a contest-trade."""

    enabled = BooleanField(_l("Two-layer encryption: two encryption officers draw the codes"))


class DrawLayerForm(FlaskForm):
    """An encryption officer draws their layer (the button carries only the CSRF token)."""

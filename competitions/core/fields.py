"""Form fields shared by every area."""

from markupsafe import Markup, escape
from wtforms import DecimalField, Field
from wtforms.validators import ValidationError

from competitions.core.i18n import lazy_gettext as _l


class FiniteDecimalField(DecimalField):
    """A decimal field that takes finite numbers only: "NaN", "sNaN" and "Infinity" parse as
    decimals in Python but are no mark, weight or total (and would crash range checks)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(_l("not a number"))


class OrderedChoiceField(Field):
    """An ordered chain of distinct choices (a tie-break chain), chosen from labelled options in
    ``places`` selects named alike ("1st", "2nd", …); kept on the model as comma-separated keys.

    ``data`` is the list of keys as chosen, empty places included (the form checks the order).
    """

    def __init__(self, label=None, validators=None, choices=(), places=3, **kwargs):
        super().__init__(label, validators, **kwargs)
        self.choices = list(choices)
        self.places = places

    def process_data(self, value):
        if isinstance(value, str):
            value = [k for k in value.split(",") if k]
        self.data = list(value or [])

    def process_formdata(self, valuelist):
        if valuelist:
            self.data = [str(v).strip() for v in valuelist][: self.places + 1]

    def pre_validate(self, form):
        known = {key for key, _ in self.choices}
        if any(key and key not in known for key in self.data):
            raise ValidationError(_l("Choose from the list."))

    def keys(self) -> list[str]:
        """The chosen keys in order, empty places left out."""
        return [key for key in self.data if key]

    def populate_obj(self, obj, name):
        setattr(obj, name, ",".join(self.keys()))

    def __call__(self, **kwargs):
        kwargs.pop("aria_invalid", None)
        places = []
        for n in range(self.places):
            chosen = self.data[n] if n < len(self.data) else ""
            options = [("", "—"), *self.choices]
            html = "".join(
                f'<option value="{escape(key)}"{" selected" if key == chosen else ""}>'
                f"{escape(str(label))}</option>"
                for key, label in options
            )
            select_id = self.id if n == 0 else f"{self.id}-{n + 1}"
            place = escape(_l("Place %(n)s", n=n + 1))
            places.append(
                f'<label class="place">{place} <select name="{escape(self.name)}" '
                f'id="{select_id}">{html}</select></label>'
            )
        return Markup(f'<span class="ordered-choices">{" ".join(places)}</span>')

"""Form fields shared by every area."""

from wtforms import DecimalField

from competitions.core.i18n import lazy_gettext as _l


class FiniteDecimalField(DecimalField):
    """A decimal field that takes finite numbers only: "NaN", "sNaN" and "Infinity" parse as
    decimals in Python but are no mark, weight or total (and would crash range checks)."""

    def process_formdata(self, valuelist):
        super().process_formdata(valuelist)
        if self.data is not None and not self.data.is_finite():
            self.data = None
            raise ValueError(_l("not a number"))

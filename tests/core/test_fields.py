"""Decimal fields take finite numbers only."""

import pytest
from flask_wtf import FlaskForm
from werkzeug.datastructures import MultiDict

from competitions.core.fields import FiniteDecimalField


class _Form(FlaskForm):
    value = FiniteDecimalField()


@pytest.mark.parametrize(
    ("typed", "ok"),
    [
        ("12.5", True),
        ("-3", True),
        ("NaN", False),
        ("sNaN", False),
        ("Infinity", False),
        ("-inf", False),
        ("abc", False),
    ],
)
def test_only_finite_numbers_are_taken(app, typed, ok):
    with app.test_request_context(method="POST"):
        form = _Form(formdata=MultiDict({"value": typed}))
        assert form.validate() is ok
        if not ok:
            assert form.value.errors and form.value.data is None

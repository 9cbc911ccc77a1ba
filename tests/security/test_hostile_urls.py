"""Hostile URLs: every page, asked by the roles it lets in, with hostile query strings and with
numbers in its path that no record has (nor the database could hold). Never a 500."""

from hypothesis import given, settings
from hypothesis import strategies as st
from werkzeug.routing import IntegerConverter

from competitions.core.db import db
from tests.security.hostile import FEW, check_answer, hostile
from tests.security.matrix import (
    ANONYMOUS,
    MATRIX,
    clients,
    path_of,
    rules_of,
    url_values,
)
from tests.security.world import build_world

#: Every query parameter a page reads, and a few it does not.
PARAMETERS = ("page", "ct", "q", "status", "item", "code", "trade", "kind", "state", "judge")
PARAMETERS += ("correct", "number", "next", "id", "lang")
#: gunicorn refuses a request line over 4094 bytes: longer query strings never reach the app.
QUERY_VALUE = hostile.map(lambda value: value[:1000])
NUMBERS_NO_RECORD_HAS = ("0", "2147483647", "2147483648", "9999999999", "99999999999999999999")
TEXTS_NO_RECORD_HAS = (
    "nope",
    "x" * 5000,
    "<script>alert(1)</script>",
    "1' OR '1'='1",
    "..",
    "\x00",
)


def pages(app):
    """The GET routes and, for each, the roles it lets in (the public: anonymous only)."""
    for rule in rules_of(app):
        if "GET" in rule.methods and rule.endpoint != "static":
            allowed = MATRIX[rule.endpoint].allowed
            yield rule, [ANONYMOUS] if ANONYMOUS in allowed else sorted(allowed)


def test_every_page_survives_hostile_query_strings(app):
    world = build_world()
    by_role = clients(app, world)
    routes = [(path_of(rule, world), roles) for rule, roles in pages(app)]

    @settings(FEW, max_examples=8)  # each example asks every page
    @given(st.dictionaries(st.sampled_from(PARAMETERS), QUERY_VALUE, min_size=1, max_size=4))
    def run(query):
        for path, roles in routes:
            for role in roles:
                try:
                    response = by_role[role].get(path, query_string=query)
                finally:
                    db.session.rollback()  # as at the end of a request
                check_answer(response, query)

    run()


def test_paths_naming_no_record_are_refused_without_crashing(app):
    world = build_world()
    by_role = clients(app, world)
    crashed = []
    for rule, roles in pages(app):
        if not roles:
            continue
        for name, converter in rule._converters.items():
            if name in ("filename", "role"):  # static files; a fixed choice of two words
                continue
            numeric = isinstance(converter, IntegerConverter)
            for value in NUMBERS_NO_RECORD_HAS if numeric else TEXTS_NO_RECORD_HAS:
                values = {**url_values(world, rule.endpoint), name: value}
                path = rule.build({arg: values[arg] for arg in rule.arguments})[1]
                try:
                    code = by_role[roles[0]].get(path).status_code
                finally:
                    db.session.rollback()
                if code not in (302, 400, 403, 404):
                    crashed.append(f"{path}: {code}")
    assert not crashed, "\n".join(crashed)

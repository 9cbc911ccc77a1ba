"""Hostile data for property-based tests, the checks every hostile submission must pass, and
the world the forms are tried in."""

from dataclasses import dataclass

import sqlalchemy as sa
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st

from competitions.core.db import db
from competitions.units.models import Unit
from tests import factories as f
from tests.judging import marking_world

#: Few examples per form: the suite runs on two cores, on two databases.
FEW = settings(
    max_examples=30,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)

XSS = (
    '<script>alert("jingsai")</script>',
    '"><img src=x onerror=alert(1)>',
    "<svg/onload=alert(2)>",
    "</textarea><script>alert(3)</script>",
)
FORMULAS = ('=HYPERLINK("http://evil.example","x")', "=1+2", "+41 1", "-2+3", "@SUM(A1)")
NUMBERS = (
    "-1",
    "0",
    "-0",
    "1e309",
    "-1e-400",
    "NaN",
    "sNaN",
    "-Infinity",
    "Infinity",
    "9" * 30,
    "9" * 5000,
    "0x1F",
    "1,5",
    "١٢",
    "½",
    "1_000",
    "2147483648",
    "-9223372036854775809",
)
ODD = (
    "\x00",
    "a\x00b",
    "\u202eabc",
    "\ufeff",
    "𝔘𝔫𝔦𝔠𝔬𝔡𝔢",
    "Ａ１",
    "e\u0301",
    "\u200b",
    " ",
    "",
    "%s%n%x",
    "{{ 7*7 }}",
    "' OR 1=1 --",
    "../../etc/passwd",
    "\r\n\t",
    "None",
    "null",
    "[]",
)
#: Control characters, format characters, separators and the rest of the unicode zoo.
CONTROL = st.text(
    alphabet=st.characters(categories=("Cc", "Cf", "Zl", "Zp", "Zs", "Mn", "So")), max_size=30
)
#: Long text, up to 100k characters (built, not drawn character by character).
HUGE = st.builds(lambda c, n: c * n, st.sampled_from("x中\x00<"), st.integers(200, 100_000))
TEXT = st.text(st.characters(exclude_categories=("Cs",)), max_size=60)

hostile = st.one_of(st.sampled_from(XSS + FORMULAS + NUMBERS + ODD), TEXT, CONTROL, HUGE)
#: What a JSON body may hold instead of what the endpoint expects.
json_value = st.recursive(
    st.one_of(
        st.none(),
        st.booleans(),
        st.integers(min_value=-(10**30), max_value=10**30),
        st.floats(allow_nan=False),
        hostile,
    ),
    lambda inner: st.lists(inner, max_size=3) | st.dictionaries(TEXT, inner, max_size=3),
    max_leaves=5,
)


_MISSING = object()


def _mostly(value):
    """The valid value seven times in ten, else hostile, or missing."""
    return st.integers(0, 9).flatmap(
        lambda n: st.just(value) if n < 7 else hostile if n < 9 else st.just(_MISSING)
    )


def form_of(valid: dict, *extra: str):
    """Form data that is valid but for some fields, each of which may be hostile or missing;
    ``extra`` names fields the form does not expect, sent hostile now and then."""
    fields = {name: _mostly(value) for name, value in valid.items()}
    fields |= {name: hostile | st.just(_MISSING) for name in extra}
    return st.fixed_dictionaries(fields).map(
        lambda d: {k: v for k, v in d.items() if v is not _MISSING}
    )


def committed_counts() -> dict[str, int]:
    """Rows per table as another connection sees them: what is saved, not what is pending."""
    tables = db.metadata.sorted_tables
    query = sa.select(
        *(sa.select(sa.func.count()).select_from(t).scalar_subquery() for t in tables)
    )
    with db.engine.connect() as conn:
        return dict(zip((t.name for t in tables), conn.execute(query).one(), strict=True))


def refused(response) -> bool:
    """Whether the app refused the submission (anything but a redirect after success)."""
    return response.status_code not in (302, 303)


def check_answer(response, sent) -> None:
    """No crash, and no script the user typed comes back unescaped in a page."""
    assert response.status_code < 500, response.get_data()[:2000]
    if response.mimetype != "text/html":
        return  # JSON, a spreadsheet, a PDF: no browser runs what they hold
    body = response.get_data(as_text=True)
    for value in _strings(sent):
        for payload in XSS:
            assert not (payload in value and payload in body), f"echoed raw: {payload}"


def _strings(sent):
    if isinstance(sent, str):
        yield sent
    elif isinstance(sent, dict):
        for key, value in sent.items():
            yield from _strings(key)
            yield from _strings(value)
    elif isinstance(sent, list | tuple):
        for value in sent:
            yield from _strings(value)


def submit(client, path: str, data: dict, **kwargs):
    """POST hostile data; check the answer; when refused, check that nothing was saved.
    Returns the response. The session is rolled back after, as at the end of a real request."""
    before = committed_counts()
    try:
        response = client.post(path, data=data, **kwargs)
    finally:
        db.session.rollback()
    check_answer(response, data)
    if refused(response):
        assert committed_counts() == before, f"half-saved: {path} {data!r:.300}"
    return response


# --- the forms' world ------------------------------------------------------------------

PASSWORD = "secret-pass"


def world():
    """A contest-trade open for marking (no marks yet), with a delegation; users org (also a
    registrar), chief, judge1..3 on the panel, judge4 not yet, and an arbitrator."""
    w = marking_world.build(n_entries=2)
    unit = db.session.get(Unit, w.entries[0].person.unit_id)
    w.delegation = f.delegation(w.ct.contest, "济钢代表队", unit)
    f.grant(f.user("arbitrator"), w.ct.contest, "arbitrator")
    f.grant(f.user("judge4"), w.ct.contest, "judge")
    db.session.commit()
    return w


def logged_in(app, username: str):
    """A test client of its own, logged in as ``username``."""
    client = app.test_client()
    response = f.log_in(client, username, PASSWORD)
    assert response.status_code == 302
    return client


@dataclass
class Target:
    """A form at a path, and the valid data it must accept."""

    path: str
    valid: dict
    took_valid: bool = False

    def send(self, client, data: dict, **kwargs):
        """Submit hostile data (see ``submit``); follow an accepted one to its page."""
        response = submit(client, self.path, data, **kwargs)
        if not refused(response):
            check_answer(client.get(response.headers["Location"]), data)
            self.took_valid |= data == self.valid
        return response


def exists(model, **values) -> bool:
    """Whether a row with these values is saved."""
    db.session.rollback()
    return db.session.scalar(sa.select(model).filter_by(**values).limit(1)) is not None

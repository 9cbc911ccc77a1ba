"""Stored markup: a marker planted in every text field of every form never comes back unescaped.

Each role of the access matrix walks the site from every page it may see, following the links;
every form found (posting or searching) is sent once per text field, with a marker of markup in
that field and the form's own values in the others. Then every role walks the site again, and
no page's raw HTML may hold a marker as markup (``<i id=p7>``): in titles, headings, labels,
flashes, tables, lists. The family of the ``<title>Entry of <name></title>`` finding (issue 12).
"""

import re
from html.parser import HTMLParser
from urllib.parse import urljoin, urlsplit

from markupsafe import Markup, escape

from competitions.core.db import db
from competitions.judging.models import SchemePart
from tests import factories as f
from tests.judging.marking_world import practical_items
from tests.security.matrix import MATRIX, clients, path_of, rules_of
from tests.security.world import build_world

MARKER = re.compile(r"<i id=p\d+>")
#: Inputs a person types text into (the others keep the page's values).
TEXT_TYPES = {"text", "search", "email", "url", "tel", ""}
#: Paths a walk does not take: leaving the session, switching language, files.
NOT_WALKED = ("/logout", "/lang/", "/static/")
MAX_PAGES = 400


class Forms(HTMLParser):
    """The links and forms of a page: each form's method, action and fields."""

    def __init__(self):
        super().__init__()
        self.links, self.forms, self._select = [], [], None

    def handle_starttag(self, tag, attrs):
        a = {k: v or "" for k, v in attrs}
        if tag == "a" and a.get("href"):
            self.links.append(a["href"])
        elif tag == "form":
            self.forms.append({"method": a.get("method", "get").lower(), "action": a.get("action")})
            self.forms[-1].update(fields={}, text=[])
        elif self.forms and tag in ("input", "textarea", "select") and a.get("name"):
            self._field(tag, a)
        elif tag == "option" and self._select:
            fields = self.forms[-1]["fields"]
            if self._select not in fields or "selected" in a:
                fields[self._select] = a.get("value", "")

    def _field(self, tag, a):
        form, name, kind = self.forms[-1], a["name"], a.get("type", "").lower()
        if tag == "select":
            self._select = name
        elif kind in ("checkbox", "radio"):
            if "checked" in a:
                form["fields"][name] = a.get("value", "on")
        elif kind not in ("file", "submit", "button"):
            form["fields"][name] = a.get("value", "")
            if tag == "textarea" or kind in TEXT_TYPES:
                form["text"].append(name)

    def handle_endtag(self, tag):
        if tag == "select":
            self._select = None


def _local(base: str, href: str | None) -> str | None:
    """The path and query of a link within this site, if it is one to walk."""
    target = urlsplit(urljoin("http://localhost" + base, href or base))
    if target.netloc != "localhost" or any(p in target.path for p in NOT_WALKED):
        return None
    return target.path + ("?" + target.query if target.query else "")


def walk(client, starts):
    """Every page reachable from ``starts`` by links: (path, HTML) of each."""
    seen, queue, pages = set(starts), list(starts), []
    while queue and len(seen) < MAX_PAGES:
        path = queue.pop(0)
        response = client.get(path)
        if response.status_code != 200 or response.mimetype != "text/html":
            continue
        html = response.get_data(as_text=True)
        pages.append((path, html))
        parsed = Forms()
        parsed.feed(html)
        for link in map(lambda href: _local(path, href), parsed.links):
            if link and link not in seen:
                seen.add(link)
                queue.append(link)
    return pages


def starts_of(app, world, role) -> list[str]:
    """The pages of the access matrix that ``role`` may see."""
    return [
        path_of(rule, world)
        for rule in rules_of(app)
        if "GET" in rule.methods
        and role in MATRIX[rule.endpoint].allowed
        and not rule.rule.startswith(NOT_WALKED)
    ]


def plant(client, pages, planted: dict) -> list[str]:
    """Send every form of ``pages`` once per text field with a fresh marker in it; the
    answers that show a marker unescaped."""
    sent, shown = set(), []
    for path, html in pages:
        parsed = Forms()
        parsed.feed(html)
        for form in parsed.forms:
            action = _local(path, form["action"])
            key = (form["method"], action, tuple(sorted(form["fields"])))
            if action is None or key in sent:
                continue
            sent.add(key)
            kept = dict(form["fields"])  # the markers a form took stay in it
            for name in form["text"]:
                marker = f"<i id=p{len(planted)}>x"
                planted[marker[:-1]] = f"{form['method'].upper()} {action} {name}"
                data = {**kept, name: marker}
                if form["method"] == "post":
                    response = client.post(action, data=data)
                else:  # a searching form replaces the query of its action
                    response = client.get(action.split("?")[0], query_string=data)
                if response.status_code in (302, 303):
                    kept = data
                if MARKER.search(response.get_data(as_text=True)):
                    shown.append(f"the answer to {planted[marker[:-1]]}")
    return shown


def _open_scheme(world) -> None:
    """A contest-trade whose scheme is still open, so its item forms can be sent."""
    ct = f.contest_trade(world.contest, f.trade("6-20-03", "车工", "Turner"))
    part = SchemePart(assessment_id=ct.id, kind="practical", name="实操")
    db.session.add(part)
    db.session.flush()
    db.session.add_all(practical_items(part.id, 3))
    db.session.commit()


def test_no_page_shows_markup_planted_in_any_text_field(app):
    world = build_world()
    _open_scheme(world)
    by_role = clients(app, world)
    planted, shown = {}, []
    for role, client in by_role.items():
        shown += plant(client, walk(client, starts_of(app, world, role)), planted)
    assert len(planted) > 40  # the walk found the forms
    for role, client in by_role.items():
        for path, html in walk(client, starts_of(app, world, role)):
            shown += [f"{path} as {role}: {planted[m]}" for m in set(MARKER.findall(html))]
    assert not shown, "\n".join(sorted(set(shown)))


def test_a_lazy_translation_escapes_its_values_but_not_its_text(app):
    from competitions.core.i18n import lazy_gettext

    with app.test_request_context():
        title = lazy_gettext("Entry of %(name)s", name='<meta http-equiv="refresh">')
        assert str(escape(title)) == "&lt;meta http-equiv=&#34;refresh&#34;&gt; 的报名"
        assert str(title) == '<meta http-equiv="refresh"> 的报名'  # for flashes and sheets
        assert escape(lazy_gettext("Contests")) == Markup("竞赛")

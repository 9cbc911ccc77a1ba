"""The interface's catalogs: complete in Chinese, placeholders kept, compiled and extracted afresh.

Run ``python3 dev.py i18n`` after changing the interface's text; these tests say when it is due.
"""

import gettext
import io
import re
from pathlib import Path

import pytest
from babel.messages.frontend import CommandLineInterface
from babel.messages.mofile import write_mo
from babel.messages.pofile import read_po
from flask_babel import refresh

ROOT = Path(__file__).resolve().parents[2]
TRANSLATIONS = ROOT / "translations"
POT = TRANSLATIONS / "messages.pot"
LOCALES = ("zh_Hans_CN", "en")
RERUN = "run `python3 dev.py i18n`"
#: A named placeholder, e.g. ``%(name)s``.
PLACEHOLDER = re.compile(r"%\((\w+)\)")


def catalog(path: Path, locale: str | None = None):
    """A .po or .pot file read with Babel."""
    with path.open("rb") as f:
        return read_po(f, locale=locale)


def po_path(locale: str) -> Path:
    return TRANSLATIONS / locale / "LC_MESSAGES" / "messages.po"


def msgids(cat) -> set:
    """The message ids of a catalog (a plural message's id is its (singular, plural) pair)."""
    return {m.id for m in cat if m.id}


def strings(value) -> tuple:
    """A message's id or translation as a tuple of strings (plural forms give several)."""
    return tuple(value) if isinstance(value, (tuple, list)) else (value,)


def placeholders(texts) -> set[str]:
    return {name for text in texts if text for name in PLACEHOLDER.findall(text)}


def test_every_message_has_a_chinese_translation():
    zh = catalog(po_path("zh_Hans_CN"), "zh_Hans_CN")
    missing = []
    for msgid in sorted(msgids(catalog(POT)), key=str):
        message = zh.get(msgid)
        if message is None or not all(strings(message.string)):
            missing.append(msgid)
    assert not missing, (
        f"{len(missing)} messages have no Chinese translation in {po_path('zh_Hans_CN')}; "
        f"{RERUN}, then translate:\n" + "\n".join(map(repr, missing))
    )


def test_chinese_translations_keep_the_placeholders():
    wrong = []
    for message in catalog(po_path("zh_Hans_CN"), "zh_Hans_CN"):
        if not message.id or not any(strings(message.string)):
            continue
        expected = placeholders(strings(message.id))
        for form in strings(message.string):
            if placeholders([form]) != expected:
                wrong.append(
                    f"{message.id!r}: {form!r} has {sorted(placeholders([form]))}, "
                    f"expected {sorted(expected)}"
                )
    assert not wrong, "translations with other placeholders than their msgid:\n" + "\n".join(wrong)


@pytest.mark.parametrize("locale", LOCALES)
def test_compiled_catalog_is_up_to_date(locale):
    po = po_path(locale)
    mo = po.with_suffix(".mo")
    assert mo.exists(), f"{mo} is missing; {RERUN}"
    compiled = io.BytesIO()
    write_mo(compiled, catalog(po, locale), use_fuzzy=True)
    compiled.seek(0)
    expected = gettext.GNUTranslations(compiled)._catalog
    with mo.open("rb") as f:
        actual = gettext.GNUTranslations(f)._catalog
    # The header ("") holds dates that change on every compile; the messages are what counts.
    expected.pop("", None)
    actual.pop("", None)
    stale = sorted(k for k in expected.keys() | actual.keys() if expected.get(k) != actual.get(k))
    assert not stale, f"{mo} differs from {po.name} for {len(stale)} messages; {RERUN}:\n" + (
        "\n".join(map(repr, stale[:50]))
    )


def test_template_is_up_to_date_with_the_code(tmp_path):
    fresh = tmp_path / "messages.pot"
    # The same options as dev.py i18n.
    CommandLineInterface().run(
        [
            "pybabel",
            "--quiet",
            "extract",
            "-F",
            str(ROOT / "babel.cfg"),
            "-k",
            "_l",
            "-k",
            "N_",
            "--no-location",
            "--sort-output",
            "--omit-header",
            "-o",
            str(fresh),
            str(ROOT),
        ]
    )
    extracted, committed = msgids(catalog(fresh)), msgids(catalog(POT))
    new, gone = sorted(extracted - committed, key=str), sorted(committed - extracted, key=str)
    assert not new and not gone, (
        f"{POT} is out of date with the code; {RERUN} and translate the new messages.\n"
        f"In the code but not the template: {new}\nIn the template but not the code: {gone}"
    )


def login_page(client) -> str:
    """The log-in page as the client's session sees it.

    The ``app`` fixture keeps one app context pushed for the whole test, so every request shares
    ``g`` and Flask-Babel would keep the first request's locale; in the running app each request
    has its own context. ``refresh()`` forgets the cached locale as a new context would.
    """
    refresh()
    return client.get("/login").get_data(as_text=True)


def test_login_page_switches_language(client):
    page = login_page(client)
    assert "登录" in page
    assert 'lang="zh-CN"' in page

    assert client.get("/lang/en").status_code == 302
    page = login_page(client)
    assert "Log in" in page
    assert "登录" not in page
    assert 'lang="en"' in page

    assert client.get("/lang/zh_Hans_CN").status_code == 302
    page = login_page(client)
    assert "登录" in page
    assert "Log in" not in page

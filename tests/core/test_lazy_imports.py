"""Every lazy translation escapes its values in pages: ``_l`` comes from competitions.core.i18n.

Flask-Babel's own ``lazy_gettext`` counts as safe markup with the values in it (issue 12: a
contestant's name as a page title); a module that imports it brings the hole back.
"""

from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
ALLOWED = {Path("competitions/core/i18n.py")}


def test_only_the_i18n_helper_uses_flask_babels_lazy_strings():
    sources = [*ROOT.glob("competitions/**/*.py"), *ROOT.glob("workers/**/*.py"), ROOT / "app.py"]
    found = [
        str(path.relative_to(ROOT))
        for path in sources
        if path.relative_to(ROOT) not in ALLOWED
        and any(
            word in path.read_text(encoding="utf-8")
            for word in ("lazy_gettext", "lazy_ngettext", "lazy_pgettext", "LazyString")
        )
        and "from competitions.core.i18n import lazy_gettext" not in path.read_text("utf-8")
    ]
    assert found == []
    assert len(sources) > 50  # the walk found the code

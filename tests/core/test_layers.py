"""The layers hold (issue 13): ``lint-imports`` keeps the contracts in pyproject.toml, fails when
a wrong import is planted, and no import hides inside a function to dodge a cycle."""

import ast
import shutil
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
LINT = Path(sys.executable).with_name("lint-imports")


def lint(where: Path) -> subprocess.CompletedProcess:
    return subprocess.run(
        [str(LINT), "--no-cache"], cwd=where, capture_output=True, text=True, check=False
    )


def copy_of_the_code(tmp_path: Path) -> Path:
    for name in ("competitions", "workers"):
        shutil.copytree(ROOT / name, tmp_path / name, ignore=shutil.ignore_patterns("__pycache__"))
    shutil.copy(ROOT / "pyproject.toml", tmp_path / "pyproject.toml")
    return tmp_path


def plant(tree: Path, module: str, line: str) -> None:
    path = tree / module
    path.write_text(line + "\n" + path.read_text(encoding="utf-8"), encoding="utf-8")


def test_the_tree_keeps_every_contract():
    answer = lint(ROOT)
    assert answer.returncode == 0, answer.stdout + answer.stderr
    assert "Contracts: 4 kept, 0 broken." in answer.stdout


@pytest.mark.parametrize(
    ("module", "line", "broken"),
    [
        # A lower area importing a higher one: registration knows nothing of results.
        (
            "competitions/registry/services.py",
            "from competitions.results import models  # noqa",
            "Areas form one order",
        ),
        # The plumbing importing a feature.
        (
            "competitions/core/jobs.py",
            "from competitions.judging.services import marks  # noqa",
            "Areas form one order",
        ),
        # A rule reaching the database (through a model) or Flask.
        (
            "competitions/results/rules/__init__.py",
            "from competitions.registry.models import Entry  # noqa",
            "Rules are pure",
        ),
        ("competitions/judging/rules.py", "import flask  # noqa", "Rules are pure"),
        # Judging reaching for a contest's entries instead of its subjects.
        (
            "competitions/judging/services/marking.py",
            "from competitions.registry.models import Entry  # noqa",
            "Judging knows what it marks only through the assessment interface",
        ),
    ],
)
def test_a_planted_wrong_import_fails_the_check(tmp_path, module, line, broken):
    tree = copy_of_the_code(tmp_path)
    plant(tree, module, line)
    answer = lint(tree)
    assert answer.returncode != 0
    assert f"{broken}" in answer.stdout
    assert "BROKEN" in answer.stdout


def imports_inside_functions(path: Path, root: Path = ROOT) -> list[str]:
    """``from competitions…`` / ``import competitions…`` statements inside function bodies."""
    found = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.FunctionDef | ast.AsyncFunctionDef):
            for inner in ast.walk(node):
                names = []
                if isinstance(inner, ast.ImportFrom) and inner.module:
                    names = [inner.module]
                elif isinstance(inner, ast.Import):
                    names = [alias.name for alias in inner.names]
                if any(n.split(".")[0] in ("competitions", "workers") for n in names):
                    found.append(f"{path.relative_to(root)}:{inner.lineno}")
    return found


def test_no_import_hides_inside_a_function():
    sources = [*ROOT.glob("competitions/**/*.py"), *ROOT.glob("workers/**/*.py")]
    assert len(sources) > 100  # the walk found the code
    assert [hit for path in sources for hit in imports_inside_functions(path)] == []


def test_the_check_sees_an_import_inside_a_function(tmp_path):
    planted = tmp_path / "planted.py"
    planted.write_text(
        "import os\n\n\ndef f():\n    from competitions.core import db\n    return db, os\n",
        encoding="utf-8",
    )
    assert imports_inside_functions(planted, tmp_path) == ["planted.py:5"]

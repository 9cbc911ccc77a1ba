"""Judging assesses any subject: a second kind (a toy 工匠 selection) goes through schemes,
panels with recusal, codes, the grid, double entry, disagreements, the lock and the audit
with judging's own code (``second_kind.py``, run in a pytest of its own so that its two
tables never reach the other tests' databases)."""

import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent


def test_a_second_kind_of_subject_is_judged_by_the_same_code():
    run = subprocess.run(
        [
            sys.executable,
            "-m",
            "pytest",
            "-p",
            "no:cacheprovider",
            "-q",
            "-rA",
            str(HERE / "second_kind.py"),
        ],
        cwd=HERE.parents[1],
        capture_output=True,
        text=True,
        env=os.environ.copy(),
        check=False,
    )
    report = run.stdout[-6000:] + run.stderr[-3000:]
    assert run.returncode == 0, report
    # Both scenarios ran on both backends (the conftest's app fixture is on each).
    assert "4 passed" in run.stdout, report

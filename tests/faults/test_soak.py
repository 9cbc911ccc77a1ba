"""The soak's short version (``bench/soak.py --seconds 30``): 200 judges saving marks and 500
contestants looking up results against gunicorn, two Celery workers and a recompute running,
on the tests' own PostgreSQL and Redis; no save lost, no 5xx. How many saves a busy machine
serves in 30 s is the bench's figure, not this test's assertion."""

import os
import re
import subprocess
import sys

import pytest

from tests.conftest import ROOT

pytestmark = pytest.mark.faults


def test_the_soak_loses_nothing_and_answers_no_5xx(private_postgres, private_redis):
    env = {
        **os.environ,
        "DATABASE_URL": private_postgres.url("jingsai_soak"),
        "REDIS_URL": private_redis.url(),
    }
    done = subprocess.run(
        [sys.executable, "bench/soak.py", "--seconds", "30"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=300,
    )
    out = done.stdout.strip()
    assert done.returncode == 0, f"{out}\n{done.stderr[-3000:]}"
    last = out.splitlines()[-1]
    figures = re.fullmatch(r"saves=(\d+) lost=(\d+) errors_5xx=(\d+) p99_ms=([\d.]+)", last)
    assert figures, last
    saves, lost, errors_5xx = (int(figures[n]) for n in (1, 2, 3))
    assert saves > 0 and lost == 0 and errors_5xx == 0, out

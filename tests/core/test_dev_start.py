"""``python3 dev.py start``: the two-command start serves where PORT and HOST say, with a
production WSGI server, and tells the app and its worker the address it printed."""

import os
import signal
import socket
import stat
import subprocess
import sys
import time
import urllib.request

import pytest

import dev
from tests.conftest import ROOT


def _free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


@pytest.mark.parametrize(
    ("environ", "expected"),
    [
        ({}, ("127.0.0.1", 5000, "http://127.0.0.1:5000")),
        ({"PORT": "8123"}, ("127.0.0.1", 8123, "http://127.0.0.1:8123")),
        ({"HOST": "10.1.2.3", "PORT": "80"}, ("10.1.2.3", 80, "http://10.1.2.3:80")),
        ({"HOST": "::1", "PORT": "8000"}, ("::1", 8000, "http://[::1]:8000")),
        (
            {"PORT": "8123", "BASE_URL": "https://jingsai.example.org/"},
            ("127.0.0.1", 8123, "https://jingsai.example.org"),
        ),
    ],
)
def test_the_address_start_serves_and_prints(environ, expected):
    assert dev.site_address(environ) == expected


def test_serving_on_every_interface_prints_the_network_address():
    host, port, base_url = dev.site_address({"HOST": "0.0.0.0", "PORT": "8000"})
    assert (host, port) == ("0.0.0.0", 8000)
    assert base_url == f"http://{dev.lan_address()}:8000" and "0.0.0.0" not in base_url


def test_start_serves_on_port_with_waitress(tmp_path):
    port = _free_port()
    env = {k: v for k, v in os.environ.items() if k not in ("DATABASE_URL", "REDIS_URL")}
    env.pop("BASE_URL", None)
    env.update(
        PORT=str(port),
        JINGSAI_INSTANCE=str(tmp_path / "instance"),
        JINGSAI_QUEUE=f"jingsai-dev-start-{port}",
    )
    proc = subprocess.Popen(
        [sys.executable, "dev.py", "start"],
        cwd=ROOT,
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
        start_new_session=True,
    )
    try:
        said = []
        while not any("Jingsai runs at" in line for line in said):
            line = proc.stdout.readline()
            assert line, "".join(said)
            said.append(line)
        assert f"Jingsai runs at http://127.0.0.1:{port} " in said[-1]
        response = _get(f"http://127.0.0.1:{port}/healthz", proc)
        assert response.status == 200 and response.headers["Server"] == "waitress"
        for name in ("secret-key", "cert-key", "data-key", "index-key"):
            assert stat.S_IMODE((tmp_path / "instance" / name).stat().st_mode) == 0o600
    finally:
        os.killpg(proc.pid, signal.SIGINT)
        try:
            proc.wait(timeout=60)
        except subprocess.TimeoutExpired:
            os.killpg(proc.pid, signal.SIGKILL)


def _get(url: str, proc: subprocess.Popen, timeout: float = 60):
    """The answer to GET ``url`` once the server listens (it starts after the line is printed)."""
    deadline = time.monotonic() + timeout
    while True:
        try:
            return urllib.request.urlopen(url, timeout=5)
        except OSError:
            if proc.poll() is not None or time.monotonic() > deadline:
                raise
            time.sleep(0.2)

"""The site's keys: made once and kept private in the embedded setup, required in production."""

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from app import create_app
from competitions.core.config import load_config
from competitions.core.keys import MissingKey, instance_key, is_production
from tests.conftest import ROOT, base_config

#: The app's keys (competitions/core/keys.py).
KEY_NAMES = ("SECRET_KEY", "CERT_KEY", "AUDIT_KEY", "DATA_KEY", "INDEX_KEY")


def _without_keys(tmp_path, **settings) -> dict:
    config = base_config(tmp_path, f"sqlite:///{tmp_path / 'test.sqlite'}")
    config.update({name: None for name in KEY_NAMES} | settings)
    return config


def test_the_embedded_start_makes_private_keys_once_and_keeps_them(tmp_path):
    first = create_app(_without_keys(tmp_path, KEYS_REQUIRED=False))
    instance = tmp_path / "instance"
    for name in ("secret-key", "cert-key", "audit-key", "data-key", "index-key"):
        mode = stat.S_IMODE((instance / name).stat().st_mode)
        assert mode == 0o600, oct(mode)
    second = create_app(_without_keys(tmp_path, KEYS_REQUIRED=False))
    assert second.config["SECRET_KEY"] == first.config["SECRET_KEY"]
    assert second.config["CERT_KEY"] == first.config["CERT_KEY"]
    assert second.config["AUDIT_KEY"] == first.config["AUDIT_KEY"]
    assert second.config["DATA_KEY"] == first.config["DATA_KEY"]
    assert second.config["INDEX_KEY"] == first.config["INDEX_KEY"]
    keys = {first.config[name] for name in KEY_NAMES}
    assert len(keys) == 5  # five keys, each its own
    assert len(first.config["SECRET_KEY"]) >= 64
    assert "dev-only-change-me" not in {first.config["SECRET_KEY"], first.config["CERT_KEY"]}


def test_a_key_file_is_written_whole_and_never_replaced(tmp_path):
    path = tmp_path / "instance" / "secret-key"
    key = instance_key(path)
    assert instance_key(path) == key
    assert [p.name for p in path.parent.iterdir()] == ["secret-key"]  # no drafts left


@pytest.mark.parametrize(
    ("environ", "production"),
    [
        ({}, False),
        ({"JINGSAI_INSTANCE": "/tmp/x", "BASE_URL": "http://10.0.0.5:8000"}, False),
        ({"DATABASE_URL": "postgresql://db/jingsai"}, True),
        ({"REDIS_URL": "redis://127.0.0.1:6379/0"}, True),
        ({"SERVER_SOFTWARE": "gunicorn/23.0.0"}, True),
        ({"SERVER_SOFTWARE": "waitress"}, False),
    ],
)
def test_what_counts_as_a_production_start(environ, production):
    assert is_production(environ) is production
    assert load_config(environ)["KEYS_REQUIRED"] is production


def test_a_production_start_without_keys_refuses_and_says_what_to_set(tmp_path):
    with pytest.raises(MissingKey) as refused:
        create_app(_without_keys(tmp_path, KEYS_REQUIRED=True))
    message = str(refused.value)
    assert "SECRET_KEY" in message and "JINGSAI_CERT_KEY" in message
    assert "JINGSAI_AUDIT_KEY" in message
    assert "JINGSAI_DATA_KEY" in message and "JINGSAI_INDEX_KEY" in message
    assert "token_urlsafe" in message
    assert not (tmp_path / "instance" / "secret-key").exists()

    with pytest.raises(MissingKey) as refused:
        create_app(_without_keys(tmp_path, KEYS_REQUIRED=True, SECRET_KEY="set"))
    assert "JINGSAI_CERT_KEY" in str(refused.value)
    assert "SECRET_KEY:" not in str(refused.value)


def test_a_production_start_with_keys_from_the_environment(tmp_path):
    environ = {"DATABASE_URL": "postgresql://db/j", "SECRET_KEY": "s" * 40}
    environ["JINGSAI_CERT_KEY"] = "c" * 40
    environ["JINGSAI_AUDIT_KEY"] = "a" * 40
    environ["JINGSAI_DATA_KEY"] = "d" * 40 + ",old-" + "d" * 36
    environ["JINGSAI_INDEX_KEY"] = "i" * 40
    settings = load_config(environ)
    config = _without_keys(tmp_path, KEYS_REQUIRED=True)
    for name in KEY_NAMES:
        config[name] = settings[name]
    app = create_app(config)
    keys = tuple(app.config[name] for name in KEY_NAMES)
    assert keys == ("s" * 40, "c" * 40, "a" * 40, "d" * 40 + ",old-" + "d" * 36, "i" * 40)


def test_gunicorn_without_keys_does_not_start(tmp_path):
    env = {
        k: v
        for k, v in os.environ.items()
        if k
        not in (
            "DATABASE_URL",
            "REDIS_URL",
            "SECRET_KEY",
            "JINGSAI_CERT_KEY",
            "JINGSAI_AUDIT_KEY",
            "JINGSAI_DATA_KEY",
            "JINGSAI_INDEX_KEY",
        )
    }
    env["JINGSAI_INSTANCE"] = str(tmp_path / "instance")
    gunicorn = Path(sys.executable).with_name("gunicorn")
    done = subprocess.run(
        [str(gunicorn), "-w", "1", "-b", "127.0.0.1:0", "app:create_app()"],
        cwd=ROOT,
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert done.returncode != 0
    assert "needs its secret keys from the environment" in done.stderr
    assert not (tmp_path / "instance" / "secret-key").exists()

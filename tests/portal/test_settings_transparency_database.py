"""PORTAL_DSA_TDB_URL and PORTAL_DSA_TDB_TOKEN (SPEC §22): both or neither, and the token
goes only over https (or to this machine); a bad value stops start-up with the reason."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from django.core.exceptions import ImproperlyConfigured

from portal.environment import env_tdb_url

BASE_DIR = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("", ""),
        ("https://transparency.example.eu/", "https://transparency.example.eu"),
        ("http://127.0.0.1:8081", "http://127.0.0.1:8081"),
    ],
)
def test_an_https_or_local_address_is_taken(monkeypatch, raw, expected):
    monkeypatch.setenv("PORTAL_DSA_TDB_URL", raw)

    assert env_tdb_url("PORTAL_DSA_TDB_URL") == expected


@pytest.mark.parametrize(
    "raw", ["http://transparency.example.eu", "ftp://127.0.0.1", "transparency.example.eu", "https://x.eu/?a=1"]
)
def test_anything_else_stops_start_up(monkeypatch, raw):
    monkeypatch.setenv("PORTAL_DSA_TDB_URL", raw)

    with pytest.raises(ImproperlyConfigured, match="PORTAL_DSA_TDB_URL"):
        env_tdb_url("PORTAL_DSA_TDB_URL")


def test_an_address_without_a_token_stops_start_up():
    env = {**os.environ, "DJANGO_SECRET_KEY": "x" * 50, "PORTAL_DSA_TDB_URL": "https://transparency.example.eu"}
    env.pop("PORTAL_DSA_TDB_TOKEN", None)

    result = subprocess.run(
        [sys.executable, "-c", "import portal.settings"], cwd=BASE_DIR, env=env, capture_output=True, text=True
    )

    assert result.returncode != 0
    assert "Set both PORTAL_DSA_TDB_URL and PORTAL_DSA_TDB_TOKEN" in result.stderr

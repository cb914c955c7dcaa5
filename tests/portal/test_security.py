import os
import subprocess
import sys
from pathlib import Path

import pytest

BASE_DIR = Path(__file__).resolve().parents[2]


def _manage(*args, **env):
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "DATABASE_", "CELERY_"))}
    full_env.update(DJANGO_SETTINGS_MODULE="portal.settings", **env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=BASE_DIR, env=full_env, capture_output=True, text=True, timeout=120
    )


def test_production_settings_pass_check_deploy():
    result = _manage(
        "check",
        "--deploy",
        "--fail-level",
        "WARNING",
        DJANGO_SECRET_KEY="a-production-like-secret-key-with-enough-entropy-0123456789-abcdefghij",
        DJANGO_ALLOWED_HOSTS="counterpoint.example",
    )
    assert result.returncode == 0, result.stdout + result.stderr


def test_start_up_without_a_secret_key_fails_with_a_clear_message():
    result = _manage("check")
    assert result.returncode != 0
    assert "DJANGO_SECRET_KEY is required" in result.stderr


@pytest.mark.parametrize(
    ("name", "value", "message"),
    [
        ("DJANGO_DEBUG", "maybe", "DJANGO_DEBUG must be one of"),
        ("DATABASE_URL", "mysql://x/y", "DATABASE_URL must start with one of"),
        ("CELERY_BROKER_URL", "http://localhost", "CELERY_BROKER_URL must start with one of"),
        ("PORTAL_EVIDENCE_RETENTION_DAYS", "soon", "PORTAL_EVIDENCE_RETENTION_DAYS must be a whole number"),
        ("EMAIL_URL", "carrier-pigeon://x", "EMAIL_URL must start with one of"),
        ("PORTAL_APPLY_RATE_LIMIT", "lots", "PORTAL_APPLY_RATE_LIMIT must look like"),
        ("PORTAL_API_RATE_USER", "fast", "PORTAL_API_RATE_USER must look like"),
        ("PORTAL_API_RATE_ANON", "10/fortnight", "PORTAL_API_RATE_ANON must look like"),
    ],
)
def test_a_bad_environment_value_stops_start_up_naming_the_variable(name, value, message):
    result = _manage("check", **{"DJANGO_DEBUG": "1", name: value})
    assert result.returncode != 0
    assert message in result.stderr


def test_pages_carry_csp_and_security_headers(client, db):
    response = client.get("/accounts/login/")
    csp = response["Content-Security-Policy"]
    assert "script-src 'self'" in csp
    assert "'unsafe-inline'" not in csp
    assert "frame-ancestors 'none'" in csp
    assert response["X-Content-Type-Options"] == "nosniff"
    assert response["X-Frame-Options"] == "DENY"
    assert response["Referrer-Policy"] == "same-origin"


def test_https_requests_get_hsts(client, db, settings):
    response = client.get("/accounts/login/", secure=True)
    assert "max-age=31536000" in response["Strict-Transport-Security"]


def test_templates_contain_no_inline_script():
    offenders = []
    for path in (BASE_DIR / "templates").rglob("*.html"):
        text = path.read_text()
        for chunk in text.split("<script")[1:]:
            head = chunk.split(">", 1)[0]
            if "src=" not in head:
                offenders.append(str(path.relative_to(BASE_DIR)))
        if " onclick=" in text or " onload=" in text or ' style="' in text:
            offenders.append(str(path.relative_to(BASE_DIR)))
    assert offenders == []


def test_healthz_reports_database_and_eager_broker(client, db):
    response = client.get("/healthz")
    assert response.status_code == 200
    assert response.json() == {"database": "ok", "broker": "eager"}


def test_healthz_is_503_when_the_database_is_down(client, db, monkeypatch):
    class DownConnection:
        def cursor(self):
            raise RuntimeError("database is down")

    monkeypatch.setattr("dashboards.views.connection", DownConnection())
    response = client.get("/healthz")
    assert response.status_code == 503
    assert response.json()["database"] == "down"


def test_the_openapi_schema_and_docs_are_served(client, db):
    schema = client.get("/api/v1/schema/")
    assert schema.status_code == 200
    assert b"openapi" in schema.content
    docs = client.get("/api/docs/")
    assert docs.status_code == 200


def test_seed_demo_refuses_with_debug_off_unless_forced(db):
    from django.core.management import CommandError, call_command

    with pytest.raises(CommandError, match="refuses"):
        call_command("seed_demo")

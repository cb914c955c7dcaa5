"""Test settings: production settings with test-friendly overrides.

PORTAL_TEST_LANE=integration points the database and the broker at the real PostgreSQL and
Redis (TEST_DATABASE_URL, TEST_BROKER_URL) when they answer; otherwise the reason is kept in
PORTAL_SERVICES_MISSING and the integration tests skip (or fail under REQUIRE_SERVICES=1).
"""

import os
import socket
from urllib.parse import urlsplit

os.environ.setdefault("DJANGO_SECRET_KEY", "tests-only-secret-key-0123456789-abcdefghijklmnopqrstuvwxyz")
os.environ.setdefault("DJANGO_DEBUG", "0")
os.environ["DJANGO_SECURE_SSL_REDIRECT"] = "0"
os.environ.setdefault("DJANGO_ALLOWED_HOSTS", "testserver,localhost,127.0.0.1")
# Webhook receivers in the tests listen on the loopback address (SPEC §19).
os.environ.setdefault("PORTAL_WEBHOOK_ALLOW_HOSTS", "127.0.0.1")
# Playwright's sync API runs an event loop in the test thread.
os.environ.setdefault("DJANGO_ALLOW_ASYNC_UNSAFE", "true")
os.environ.pop("DATABASE_URL", None)
os.environ.pop("CELERY_BROKER_URL", None)
# Tests that send statements of reasons point these at their own local database server.
os.environ.pop("PORTAL_DSA_TDB_URL", None)
os.environ.pop("PORTAL_DSA_TDB_TOKEN", None)
os.environ.setdefault("EMAIL_URL", "memorymail://")


def _reachable(url: str, default_port: int) -> bool:
    parts = urlsplit(url)
    try:
        with socket.create_connection((parts.hostname or "127.0.0.1", parts.port or default_port), timeout=2):
            return True
    except OSError:
        return False


LANE = os.environ.get("PORTAL_TEST_LANE", "unit")
if LANE == "integration":
    db_url = os.environ.get("TEST_DATABASE_URL", "postgres://postgres@127.0.0.1:5432/counterpoint")
    broker_url = os.environ.get("TEST_BROKER_URL", "redis://127.0.0.1:6379/15")
    missing = []
    if not _reachable(db_url, 5432):
        missing.append(f"PostgreSQL is not reachable at {urlsplit(db_url).netloc}")
    if not _reachable(broker_url, 6379):
        missing.append(f"Redis is not reachable at {urlsplit(broker_url).netloc}")
    if missing:
        os.environ["PORTAL_SERVICES_MISSING"] = "; ".join(missing)
    else:
        os.environ["DATABASE_URL"] = db_url
        os.environ["CELERY_BROKER_URL"] = broker_url

from portal.settings import *  # noqa: E402,F403
from portal.settings import BASE_DIR, DATABASES  # noqa: E402

STORAGES = {
    "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    "staticfiles": {"BACKEND": "django.contrib.staticfiles.storage.StaticFilesStorage"},
}
(BASE_DIR / "var" / "staticfiles").mkdir(parents=True, exist_ok=True)
PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
PORTAL_EVIDENCE_ROOT = BASE_DIR / "var" / "test-evidence"
if DATABASES["default"]["ENGINE"].endswith("postgresql"):
    DATABASES["default"]["CONN_MAX_AGE"] = 0

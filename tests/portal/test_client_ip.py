"""The client address in the audit trail: X-Forwarded-For is read only through the number of
trusted proxies configured (PORTAL_TRUSTED_PROXY_COUNT, default none), the same number
allauth's per-IP rate limits use; and every audit entry written while serving a request has
the address."""

import os
import subprocess
import sys
from pathlib import Path

import pytest
from allauth.core.internal.httpkit import get_client_ip as allauth_client_ip

from portal.audit import client_ip
from portal.models import AuditEvent
from tests.referrals.review_factories import claimed

BASE_DIR = Path(__file__).resolve().parents[2]


def test_without_trusted_proxies_a_forwarded_for_header_is_ignored(rf):
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="203.0.113.66")

    assert client_ip(request) == "192.0.2.10"


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (1, "203.0.113.66", "203.0.113.66"),
        (1, "198.51.100.1, 203.0.113.66", "203.0.113.66"),  # the client forged the first hop
        (2, "198.51.100.1, 203.0.113.66, 192.0.2.99", "203.0.113.66"),
        (2, "203.0.113.66", "192.0.2.10"),  # fewer hops than proxies: it did not come through them
        (1, "", "192.0.2.10"),
    ],
)
def test_behind_trusted_proxies_the_hop_they_appended_is_the_client(rf, settings, count, forwarded, expected):
    settings.PORTAL_TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected


@pytest.mark.parametrize("count", [0, 1, 2])
def test_the_audit_and_allauths_rate_limits_agree_on_the_client(rf, settings, count):
    settings.PORTAL_TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = count
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR="198.51.100.1, 203.0.113.66, 192.0.2.99")

    assert client_ip(request) == allauth_client_ip(request)


def test_a_trusted_client_ip_header_is_read_when_configured(rf, settings):
    settings.PORTAL_TRUSTED_CLIENT_IP_HEADER = settings.ALLAUTH_TRUSTED_CLIENT_IP_HEADER = "X-Real-IP"
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_REAL_IP="203.0.113.66")

    assert client_ip(request) == "203.0.113.66" == allauth_client_ip(request)


@pytest.mark.parametrize("forwarded", ["unknown", "<script>", "999.1.1.1"])
def test_a_hop_that_is_not_an_address_is_recorded_as_none(rf, settings, forwarded):
    settings.PORTAL_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) is None


@pytest.mark.parametrize(
    ("forwarded", "expected"), [("203.0.113.66:4711", "203.0.113.66"), ("[2001:db8::1]:443", "2001:db8::1")]
)
def test_a_port_on_the_hop_is_dropped(rf, settings, forwarded, expected):
    settings.PORTAL_TRUSTED_PROXY_COUNT = settings.ALLAUTH_TRUSTED_PROXY_COUNT = 1
    request = rf.get("/", REMOTE_ADDR="192.0.2.10", HTTP_X_FORWARDED_FOR=forwarded)

    assert client_ip(request) == expected == allauth_client_ip(request)


def _settings_value(name: str, **env) -> str:
    full_env = {k: v for k, v in os.environ.items() if not k.startswith(("DJANGO_", "PORTAL_TRUSTED"))}
    full_env.update(DJANGO_SETTINGS_MODULE="portal.settings", DJANGO_DEBUG="1", **env)
    code = f"import django; django.setup(); from django.conf import settings; print(settings.{name})"
    result = subprocess.run(
        [sys.executable, "-c", code], cwd=BASE_DIR, env=full_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode == 0, result.stderr
    return result.stdout.strip()


def test_the_trusted_proxy_count_comes_from_the_environment_for_the_audit_and_allauth():
    assert _settings_value("PORTAL_TRUSTED_PROXY_COUNT") == "0"
    assert _settings_value("ALLAUTH_TRUSTED_PROXY_COUNT", PORTAL_TRUSTED_PROXY_COUNT="2") == "2"
    assert _settings_value("PORTAL_TRUSTED_PROXY_COUNT", PORTAL_TRUSTED_PROXY_COUNT="2") == "2"


def test_a_bad_trusted_proxy_count_stops_start_up_naming_the_variable():
    full_env = {k: v for k, v in os.environ.items() if not k.startswith("DJANGO_")}
    full_env.update(DJANGO_SETTINGS_MODULE="portal.settings", DJANGO_DEBUG="1", PORTAL_TRUSTED_PROXY_COUNT="two")
    result = subprocess.run(
        [sys.executable, "manage.py", "check"], cwd=BASE_DIR, env=full_env, capture_output=True, text=True, timeout=120
    )
    assert result.returncode != 0
    assert "PORTAL_TRUSTED_PROXY_COUNT must be a whole number" in result.stderr


# --- Every audit entry of a request has its address -------------------------------------------


@pytest.mark.django_db
def test_the_statement_of_reasons_export_records_the_address(ngo_member, reviewer, api_for):
    from referrals.review.services.decisions import referral_decide

    referral = claimed(reviewer, ngo_member)
    referral_decide(
        by=reviewer,
        referral=referral,
        action="account_suspended",
        ground="terms",
        policy="Violent extremism policy 3.1",
        statement_of_reasons="The account repeatedly posts recruitment material for a proscribed group.",
    )

    response = api_for(reviewer).get(f"/api/v1/referrals/{referral.id}/statement-of-reasons/")

    assert response.status_code == 200
    assert AuditEvent.objects.get(action="referral.statement_export").ip == "127.0.0.1"


@pytest.mark.django_db
def test_a_subject_read_records_the_address(ngo_member, reviewer, api_for):
    referral = claimed(reviewer, ngo_member)

    api_for(reviewer).get(f"/api/v1/subjects/{referral.targets.get().subject_id}/")

    assert AuditEvent.objects.get(action="subject.view").ip == "127.0.0.1"

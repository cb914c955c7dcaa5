"""Personas, clients and the lane switches shared by the whole suite."""

import os
import shutil
from pathlib import Path

import pytest
from django.test import Client
from rest_framework.test import APIClient

from partners.models import OrganisationKind, Role
from partners.services import api_token_issue
from portal.accounts.middleware import MFA_PASSED
from portal.accounts.roles import requires_mfa
from tests.factories import OrganisationFactory, enrol_totp, has_totp, make_member

CHROMIUM_CANDIDATES = [os.environ.get("CHROMIUM_PATH", ""), "/usr/bin/chromium", "/usr/bin/chromium-browser"]


def chromium_path() -> str | None:
    for candidate in CHROMIUM_CANDIDATES:
        if candidate and Path(candidate).exists():
            return candidate
    return shutil.which("chromium")


def _lane_reasons(item) -> list[tuple[str, str]]:
    """(reason, required-variable) for each lane this test needs but can't have."""
    reasons = []
    lane = os.environ.get("PORTAL_TEST_LANE", "unit")
    if "integration" in item.keywords:
        missing = os.environ.get("PORTAL_SERVICES_MISSING")
        if lane != "integration":
            reasons.append(("integration tests run in their own lane (make test runs it)", ""))
        elif missing:
            reasons.append((missing, "REQUIRE_SERVICES"))
    if "browser" in item.keywords and chromium_path() is None:
        reasons.append(
            ("Chromium is not installed (apt-get install chromium, or set CHROMIUM_PATH)", "REQUIRE_BROWSER")
        )
    return reasons


def pytest_collection_modifyitems(config, items):
    for item in items:
        for reason, required in _lane_reasons(item):
            if required and os.environ.get(required) == "1":
                item.add_marker(pytest.mark.lane_required(f"{required}=1 but {reason}"))
            else:
                item.add_marker(pytest.mark.skip(reason=reason))


def pytest_configure(config):
    config.addinivalue_line("markers", "lane_required(reason): a required lane is unavailable")


@pytest.fixture(autouse=True)
def _required_lane(request):
    marker = request.node.get_closest_marker("lane_required")
    if marker is not None:
        pytest.fail(marker.args[0], pytrace=False)


# --- Organisations ---------------------------------------------------------------------------


@pytest.fixture
def ngo(db):
    return OrganisationFactory(name="Peace Voices Test", slug="peace-voices-test", trusted_flagger=True)


@pytest.fixture
def other_ngo(db):
    return OrganisationFactory(name="Other NGO", slug="other-ngo", trusted_flagger=False)


@pytest.fixture
def agency(db):
    return OrganisationFactory(
        name="Test Police Unit",
        slug="test-police",
        kind=OrganisationKind.LAW_ENFORCEMENT,
        email_domains=["police.test"],
    )


@pytest.fixture
def unverified_agency(db):
    return OrganisationFactory(
        name="New Police Unit",
        slug="new-police",
        kind=OrganisationKind.LAW_ENFORCEMENT,
        verified=False,
        email_domains=["newpolice.test"],
    )


@pytest.fixture
def platform(db):
    return OrganisationFactory(
        name="Platform T&S", slug="platform-ts-test", kind=OrganisationKind.PLATFORM, email_domains=["platform.test"]
    )


# --- Personas ----------------------------------------------------------------------------------


@pytest.fixture
def ngo_member(ngo):
    return make_member(ngo, Role.NGO_MEMBER)


@pytest.fixture
def ngo_admin(ngo):
    return make_member(ngo, Role.NGO_ADMIN)


@pytest.fixture
def other_ngo_member(other_ngo):
    return make_member(other_ngo, Role.NGO_MEMBER)


@pytest.fixture
def liaison(agency):
    return make_member(agency, Role.LE_LIAISON)


@pytest.fixture
def unverified_liaison(unverified_agency):
    return make_member(unverified_agency, Role.LE_LIAISON)


@pytest.fixture
def reviewer(platform):
    return make_member(platform, Role.REVIEWER)


@pytest.fixture
def lead(platform):
    return make_member(platform, Role.QUEUE_LEAD)


@pytest.fixture
def policy(platform):
    return make_member(platform, Role.POLICY_STAFF)


# --- Clients ------------------------------------------------------------------------------------


def login(client: Client, user) -> Client:
    """Sign `user` in on `client` as a finished login would, MFA included for MFA roles."""
    if requires_mfa(user) and not has_totp(user):
        enrol_totp(user)
    client.force_login(user, backend="django.contrib.auth.backends.ModelBackend")
    if requires_mfa(user):
        session = client.session
        session[MFA_PASSED] = True
        session.save()
    return client


@pytest.fixture
def client_for(db):
    def make(user) -> Client:
        return login(Client(), user)

    return make


@pytest.fixture
def api_for(db):
    """An API client authenticated with a real Bearer token of `user`."""

    def make(user) -> APIClient:
        client = APIClient()
        if requires_mfa(user) and not has_totp(user):
            enrol_totp(user)  # no factor, no token (SPEC §2)
        _, token = api_token_issue(user=user, name="tests")
        client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
        return client

    return make


@pytest.fixture
def anon_api():
    return APIClient()


@pytest.fixture(autouse=True)
def _evidence_root(settings, tmp_path):
    settings.PORTAL_EVIDENCE_ROOT = tmp_path / "evidence"


@pytest.fixture
def routing_table(db):
    """The default queues and rules of the data migration (transactional tests flush them)."""
    import importlib

    from django.apps import apps

    importlib.import_module("referrals.migrations.0002_default_queues_and_rules").create(apps, None)
    importlib.import_module("referrals.migrations.0012_surfacing_data").queue_and_rule(apps)
    from referrals.models import Queue

    return {q.slug: q for q in Queue.objects.all()}


@pytest.fixture(autouse=True)
def _statements_pass_the_transparency_database_rules(monkeypatch):
    """Every statement of reasons any test builds (the export, the batch export, the
    submitter) goes through the DSA Transparency Database's own rules (tests/referrals/dsa_rules.py)
    and fails the test where the database would answer 422."""
    from referrals.review import statement_of_reasons as sor
    from tests.referrals.dsa_rules import assert_accepted

    build = sor.statement_for

    def checked(decision):
        statement = build(decision)
        assert_accepted(statement)
        return statement

    monkeypatch.setattr(sor, "statement_for", checked)


@pytest.fixture
def tdb_server():
    """A local stand-in for the DSA Transparency Database, applying its rules."""
    from tests.referrals.tdb_server import TransparencyDatabaseServer

    server = TransparencyDatabaseServer().start()
    yield server
    server.stop()


@pytest.fixture
def tdb(tdb_server, settings):
    """Sending statements of reasons switched on, to the local stand-in database."""
    settings.PORTAL_DSA_TDB_URL = tdb_server.url
    settings.PORTAL_DSA_TDB_TOKEN = tdb_server.token
    settings.PORTAL_DSA_TDB_TIMEOUT = 5
    return tdb_server


@pytest.fixture(autouse=True)
def _fresh_cache():
    """Rate limits and used TOTP codes live in the cache; no test inherits another's."""
    from django.core.cache import cache

    cache.clear()
    yield
    cache.clear()

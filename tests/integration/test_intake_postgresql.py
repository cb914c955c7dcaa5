"""Filing through the API on PostgreSQL: the statements a filing runs, and the account a filing
names inserted or counted by one `INSERT … ON CONFLICT DO UPDATE` even when two filings name
a new account at the same instant (SPEC §3.3: one subject per account)."""

from __future__ import annotations

import threading

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from rest_framework.test import APIClient

from partners.services import api_token_issue
from portal.accounts.roles import requires_mfa
from referrals.models import Subject, Target
from tests.factories import enrol_totp, has_totp
from tests.referrals.factories import referral_data

pytestmark = pytest.mark.integration

URL = "/api/v1/referrals/"


@pytest.fixture(autouse=True)
def _no_routing_left_behind(transactional_db):
    """Filing publishes routing and receipt tasks; no worker here consumes them."""
    yield
    from portal.celery import app

    app.control.purge()


def api(user) -> APIClient:
    if requires_mfa(user) and not has_totp(user):
        enrol_totp(user)
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {api_token_issue(user=user, name='intake')[1]}")
    return client


@pytest.mark.parametrize("account", ["known", "brand_new"])
def test_a_filing_naming_one_account_is_eight_statements(liaison, account):
    assert connection.vendor == "postgresql"
    client = api(liaison)
    client.post(URL, referral_data("le_referral", targets=[{"url": "https://x.com/known"}]), format="json")

    with CaptureQueriesContext(connection) as captured:
        response = client.post(
            URL, referral_data("le_referral", targets=[{"url": f"https://x.com/{account}/status/1"}]), format="json"
        )

    assert response.status_code == 201, response.json()
    # The token with its user, membership, organisation and second factor; BEGIN; the referral;
    # the account inserted or counted; the target; the timeline entry; the audit entry; COMMIT.
    assert [q["sql"].split()[0] for q in captured.captured_queries] == [
        "SELECT",
        "BEGIN",
        *["INSERT"] * 5,
        "COMMIT",
    ]
    subject = Subject.objects.get(platform="x", account=account)
    assert response.json()["targets"][0]["subject"] == str(subject.pk)
    assert subject.referral_count == (2 if account == "known" else 1)


def test_two_filings_naming_a_new_account_at_once_share_one_subject_counted_twice(ngo_member):
    clients = [api(ngo_member), api(ngo_member)]
    barrier = threading.Barrier(2)
    responses: list = [None, None]

    def file(index: int) -> None:
        try:
            barrier.wait(timeout=10)
            body = referral_data(targets=[{"url": f"https://x.com/SameNewOne/status/{index}"}])
            responses[index] = clients[index].post(URL, body, format="json")
        except Exception as exc:  # reported by the assertions below
            responses[index] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=file, args=(i,)) for i in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(60)

    assert [getattr(r, "status_code", repr(r)) for r in responses] == [201, 201]
    subject = Subject.objects.get(platform="x", account="samenewone")
    assert subject.referral_count == 2
    assert {r.json()["targets"][0]["subject"] for r in responses} == {str(subject.pk)}
    assert Target.objects.filter(subject=subject).count() == 2

"""Filing one referral through the API runs a fixed, small number of SQL statements: the
response is built from the objects just created, and new subjects are inserted once."""

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from referrals.intake.services import filing as intake
from referrals.models import Subject, Target
from tests.referrals.factories import referral_data

pytestmark = pytest.mark.django_db

URL = "/api/v1/referrals/"


def _file(client, targets, capture_callbacks) -> tuple[int, object]:
    with capture_callbacks(execute=False), CaptureQueriesContext(connection) as captured:
        response = client.post(URL, referral_data(targets=targets), format="json")
    assert response.status_code == 201, response.json()
    return len(captured), response


@pytest.fixture
def client(api_for, ngo_member):
    client = api_for(ngo_member)
    client.post(URL, referral_data(targets=[{"url": "https://x.com/known"}]), format="json")
    return client


@pytest.mark.parametrize("account", ["known", "brand_new"])
def test_filing_about_one_account_runs_a_fixed_number_of_queries(client, django_capture_on_commit_callbacks, account):
    queries, response = _file(
        client, [{"url": f"https://x.com/{account}/status/2"}], django_capture_on_commit_callbacks
    )

    # The token with its user, membership and organisation, SAVEPOINT, the referral, the
    # subject inserted or counted (one upsert, known or new), the target, the timeline
    # entry, the audit entry, RELEASE SAVEPOINT.
    assert queries == 8
    subject = Subject.objects.get(platform="x", account=account)
    assert response.json()["targets"][0]["subject"] == str(subject.pk)
    assert subject.referral_count == (2 if account == "known" else 1)


def test_a_law_enforcement_filing_checks_the_second_factor_within_the_token_lookup(
    api_for, liaison, django_capture_on_commit_callbacks
):
    client = api_for(liaison)
    client.post(URL, referral_data("le_referral", targets=[{"url": "https://x.com/known"}]), format="json")

    with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as captured:
        response = client.post(
            URL, referral_data("le_referral", targets=[{"url": "https://x.com/known/status/3"}]), format="json"
        )

    assert response.status_code == 201, response.json()
    # As above: the liaison's role needs a second factor, asked in the token's query.
    assert len(captured) == 8
    assert "mfa_authenticator" in captured.captured_queries[0]["sql"]


def test_filing_about_new_accounts_inserts_them_without_reading_them_back(client, django_capture_on_commit_callbacks):
    targets = [{"url": "https://x.com/new_one"}, {"url": "https://t.me/new_two"}]

    queries, response = _file(client, targets, django_capture_on_commit_callbacks)

    # The token with its user, membership and organisation, SAVEPOINT, the referral, the
    # subjects' read and the insert of the new ones, the targets, the subjects' referral
    # counts (lock, add), the link between the two accounts, which of the two are suspended
    # and the link's co-referral weight (SPEC §14), the timeline entry, the audit entry,
    # RELEASE SAVEPOINT.
    assert queries == 14
    subjects = {s.account: str(s.pk) for s in Subject.objects.filter(account__in=["new_one", "new_two"])}
    assert [t["subject"] for t in response.json()["targets"]] == [subjects["new_one"], subjects["new_two"]]


@pytest.mark.parametrize(
    ("persona", "kind"), [("ngo_member", "notice"), ("liaison", "removal_order"), ("liaison", "preservation_request")]
)
def test_the_response_is_what_a_read_of_the_stored_referral_gives(request, api_for, persona, kind):
    client = api_for(request.getfixturevalue(persona))
    targets = [{"url": "https://x.com/someone/status/1"}, {"url": "https://x.com/other"}]

    created = client.post(URL, referral_data(kind, targets=targets), format="json")

    assert created.status_code == 201, created.json()
    assert created.json() == client.get(f"{URL}{created.json()['id']}/").json()


def test_a_subject_created_by_a_concurrent_filing_is_the_one_named(client, monkeypatch):
    insert = intake._subjects_insert

    def another_filing_first(keys):
        Subject.objects.create(platform="x", account="raced")
        return insert(keys)

    monkeypatch.setattr(intake, "_subjects_insert", another_filing_first)

    response = client.post(
        URL, referral_data(targets=[{"url": "https://x.com/raced"}, {"url": "https://x.com/fresh"}]), format="json"
    )

    assert response.status_code == 201, response.json()
    raced = Subject.objects.get(platform="x", account="raced")
    assert response.json()["targets"][0]["subject"] == str(raced.pk)
    assert Target.objects.get(account="raced").subject_id == raced.pk
    assert Subject.objects.filter(account="fresh").count() == 1

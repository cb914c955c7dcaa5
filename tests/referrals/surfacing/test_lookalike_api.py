"""`POST /api/v1/surfacing/accounts/` (SPEC §14): platform roles post accounts, a job checks
them for look-alikes of suspended accounts, its progress is at `/api/v1/jobs/{id}/`."""

import pytest

from portal.models import AuditEvent
from referrals.models import BulkJob, Kind, Referral
from tests.referrals.review_factories import decided

pytestmark = pytest.mark.django_db

URL = "/api/v1/surfacing/accounts/"
BODY = {"accounts": [{"platform": "x", "account": "abu.muhammad.al.britanii"}]}


def post(client, body=BODY, **headers):
    return client.post(URL, body, format="json", **headers)


def test_anonymous_callers_are_refused(anon_api):
    assert post(anon_api).status_code == 401
    assert not BulkJob.objects.exists()


@pytest.mark.parametrize("persona", ["ngo_member", "liaison"])
def test_to_partners_the_endpoint_does_not_exist(api_for, request, persona):
    client = api_for(request.getfixturevalue(persona))

    assert post(client).status_code == 404
    assert post(client, {"accounts": "not even a list"}).status_code == 404
    assert not BulkJob.objects.exists()


def test_policy_staff_see_surfacing_but_do_not_raise_signals(api_for, policy):
    response = post(api_for(policy))

    assert response.status_code == 403
    assert "raise signals" in response.json()["detail"]
    assert not BulkJob.objects.exists()


@pytest.mark.parametrize("persona", ["reviewer", "lead"])
def test_reviewers_and_leads_start_a_job(api_for, request, persona):
    user = request.getfixturevalue(persona)
    body = {
        "accounts": [
            {"platform": "twitter", "account": "@SomeOne"},
            {"platform": "x", "account": "abu.muhammad8", "display_name": "  Abu Muhammad "},
        ]
    }

    response = post(api_for(user), body)

    assert response.status_code == 202
    job = BulkJob.objects.get(id=response.json()["job"])
    assert (job.type, job.owner, job.organisation, job.status, job.total) == (
        "lookalike",
        user,
        user.membership.organisation,
        "pending",
        2,
    )
    assert job.items == [
        {"platform": "x", "account": "someone", "display_name": ""},
        {"platform": "x", "account": "abu.muhammad8", "display_name": "Abu Muhammad"},
    ]
    entry = AuditEvent.objects.get(action="surfacing.lookalike_job")
    assert (entry.actor, entry.object_id, entry.data["total"]) == (user, str(job.pk), 2)


def test_the_job_runs_after_the_request_and_its_progress_is_readable(
    api_for, reviewer, lead, ngo_member, django_capture_on_commit_callbacks
):
    decided(lead, ngo_member, targets=[{"platform": "x", "account": "abu_muhammad_al_britani"}])
    client = api_for(reviewer)
    body = {"accounts": [{"platform": "x", "account": "abu.muhammad.al.britanii"}, {"platform": "x", "account": "a"}]}

    with django_capture_on_commit_callbacks(execute=True):
        response = post(client, body)
    job = client.get(f"/api/v1/jobs/{response.json()['job']}/").json()

    assert (job["status"], job["total"], job["processed"], job["created"], job["failed"]) == ("done", 2, 2, 1, 0)
    [signal] = Referral.objects.filter(kind=Kind.SIGNAL)
    assert signal.detector == "lookalike"
    assert api_for(lead).get(f"/api/v1/jobs/{response.json()['job']}/").status_code == 404  # its owner's


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        ({}, {"accounts": ["This field is required."]}),
        ({"accounts": "x:someone"}, {"accounts": ["Must be a list of accounts."]}),
        ({"accounts": []}, {"accounts": ["Give at least one account."]}),
        (
            {
                "accounts": [
                    {"platform": "x", "account": "fine"},
                    {"platform": "x"},
                    {"platform": "no such/platform", "account": "someone"},
                    {"platform": "x", "account": "has/slash"},
                    {"platform": "x", "account": "fine", "display_name": "x" * 201},
                    "x:someone",
                ]
            },
            {
                "accounts": [
                    {},
                    {"account": ["This field is required."]},
                    {"platform": ["The platform must not contain '/', spaces or control characters."]},
                    {"account": ["The account must not contain '/', spaces or control characters."]},
                    {"display_name": ["Keep this under 200 characters."]},
                    {"non_field_errors": ["Each account must be an object with a platform and an account."]},
                ]
            },
        ),
    ],
)
def test_bad_accounts_are_refused_each_with_its_reason_and_nothing_is_stored(api_for, reviewer, body, errors):
    response = post(api_for(reviewer), body)

    assert response.status_code == 400
    assert response.json() == errors
    assert not BulkJob.objects.exists()
    assert not AuditEvent.objects.filter(action="surfacing.lookalike_job").exists()


def test_at_most_ten_thousand_accounts_per_job(api_for, reviewer):
    client = api_for(reviewer)
    accounts = [{"platform": "x", "account": f"account{n}"} for n in range(10_001)]

    refused = post(client, {"accounts": accounts})

    assert refused.status_code == 400
    assert refused.json() == {"accounts": ["At most 10,000 accounts per job; this has 10,001."]}
    assert not BulkJob.objects.exists()

    accepted = post(client, {"accounts": accounts[:10_000]})

    assert accepted.status_code == 202
    assert BulkJob.objects.get().total == 10_000


def test_an_idempotency_key_replays_the_first_answer(api_for, reviewer):
    client = api_for(reviewer)

    first = post(client, HTTP_IDEMPOTENCY_KEY="job-1")
    again = post(client, HTTP_IDEMPOTENCY_KEY="job-1")

    assert (first.status_code, again.status_code) == (202, 202)
    assert again.json() == first.json()
    assert again.headers["Idempotent-Replayed"] == "true"
    assert BulkJob.objects.count() == 1

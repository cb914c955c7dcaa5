"""Idempotency-Key on referral creation (SPEC §9)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.intake.services.idempotency import fingerprint, idempotency_reserve
from referrals.models import IdempotencyRecord, Referral
from tests.referrals.factories import referral_data

URL = "/api/v1/referrals/"


@pytest.mark.django_db
def test_ten_identical_posts_create_one_referral_and_replay_the_first_response(api_for, ngo_member):
    client = api_for(ngo_member)
    data = referral_data()
    responses = [client.post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="key-1") for _ in range(10)]
    assert Referral.objects.count() == 1
    assert {r.status_code for r in responses} == {201}
    assert all(r.json() == responses[0].json() for r in responses)
    assert "Idempotent-Replayed" not in responses[0].headers
    assert all(r.headers["Idempotent-Replayed"] == "true" for r in responses[1:])


@pytest.mark.django_db
def test_same_key_with_a_different_body_is_422(api_for, ngo_member):
    client = api_for(ngo_member)
    client.post(URL, referral_data(), format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    response = client.post(URL, referral_data(category="propaganda"), format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert response.status_code == 422
    assert Referral.objects.count() == 1


@pytest.mark.django_db
def test_a_request_still_in_flight_gives_409(api_for, ngo_member):
    data = referral_data()
    idempotency_reserve(user=ngo_member, endpoint="referrals.create", key="key-1", request_hash=fingerprint(data))
    response = api_for(ngo_member).post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="key-1")
    assert response.status_code == 409
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_keys_are_scoped_to_the_user(api_for, ngo_member, ngo_admin):
    data = referral_data()
    api_for(ngo_member).post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    response = api_for(ngo_admin).post(URL, data, format="json", HTTP_IDEMPOTENCY_KEY="shared")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert Referral.objects.count() == 2


@pytest.mark.django_db
def test_a_key_older_than_24_hours_starts_afresh(api_for, ngo_member):
    client = api_for(ngo_member)
    client.post(URL, referral_data(), format="json", HTTP_IDEMPOTENCY_KEY="old")
    IdempotencyRecord.objects.update(created_at=timezone.now() - timedelta(hours=25))
    response = client.post(URL, referral_data(), format="json", HTTP_IDEMPOTENCY_KEY="old")
    assert response.status_code == 201
    assert "Idempotent-Replayed" not in response.headers
    assert Referral.objects.count() == 2


@pytest.mark.django_db
def test_a_refusal_is_replayed_too(api_for, ngo_member):
    client = api_for(ngo_member)
    bad = referral_data(explanation="short")
    first = client.post(URL, bad, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    second = client.post(URL, bad, format="json", HTTP_IDEMPOTENCY_KEY="bad")
    assert first.status_code == second.status_code == 400
    assert second.json() == first.json()
    assert second.headers["Idempotent-Replayed"] == "true"


@pytest.mark.django_db
def test_bulk_honours_the_key(api_for, ngo_member, django_capture_on_commit_callbacks):
    client = api_for(ngo_member)
    body = {"items": [referral_data()]}
    with django_capture_on_commit_callbacks(execute=False):
        first = client.post("/api/v1/referrals/bulk/", body, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
        second = client.post("/api/v1/referrals/bulk/", body, format="json", HTTP_IDEMPOTENCY_KEY="bulk-1")
    assert first.status_code == second.status_code == 202
    assert first.json() == second.json()
    assert ngo_member.bulk_jobs.count() == 1


@pytest.mark.django_db
def test_an_unusable_key_is_400(api_for, ngo_member):
    response = api_for(ngo_member).post(URL, referral_data(), format="json", HTTP_IDEMPOTENCY_KEY="x" * 201)
    assert response.status_code == 400
    assert Referral.objects.count() == 0

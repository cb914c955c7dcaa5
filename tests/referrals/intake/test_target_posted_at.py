"""A target may say when its content was posted (`posted_at`): the statement of reasons'
content date (SPEC §22). Optional, ISO 8601, not in the future, not before the year 2000."""

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from referrals.models import BulkJob, Target
from tests.referrals.factories import referral_data

URL = "/api/v1/referrals/"


@pytest.mark.django_db
def test_a_target_keeps_when_it_was_posted(api_for, ngo_member):
    targets = [
        {"url": "https://x.com/poster/status/1", "posted_at": "2026-03-01T14:30:00Z"},
        {"url": "https://x.com/poster/status/2", "posted_at": "2026-03-02"},
        {"url": "https://x.com/poster/status/3"},
    ]

    response = api_for(ngo_member).post(URL, referral_data(targets=targets), format="json")

    assert response.status_code == 201, response.json()
    stored = list(Target.objects.order_by("position").values_list("posted_at", flat=True))
    assert stored == [datetime(2026, 3, 1, 14, 30, tzinfo=UTC), datetime(2026, 3, 2, tzinfo=UTC), None]
    assert [t["posted_at"] for t in response.json()["targets"]] == [
        "2026-03-01T14:30:00Z",
        "2026-03-02T00:00:00Z",
        None,
    ]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("value", "words"),
    [
        ("last tuesday", "ISO 8601"),
        (12, "ISO 8601"),
        ("in two days", "in the future"),
        ("1999-12-31T23:00:00Z", "2000-01-01"),
    ],
)
def test_a_bad_posting_time_is_refused_on_its_target(api_for, ngo_member, value, words):
    if value == "in two days":
        value = (timezone.now() + timedelta(days=2)).isoformat()
    targets = [{"url": "https://x.com/a/status/1"}, {"url": "https://x.com/a/status/2", "posted_at": value}]

    response = api_for(ngo_member).post(URL, referral_data(targets=targets), format="json")

    assert response.status_code == 400
    errors = response.json()["targets"]
    assert errors[0] == {}
    assert words in errors[1]["posted_at"][0]
    assert not Target.objects.exists()


@pytest.mark.django_db
def test_bulk_items_carry_it_too(api_for, ngo_member, django_capture_on_commit_callbacks):
    item = referral_data(targets=[{"url": "https://x.com/b/status/9", "posted_at": "2026-02-01T08:00:00+01:00"}])

    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(ngo_member).post("/api/v1/referrals/bulk/", {"items": [item]}, format="json")

    assert response.status_code == 202
    assert BulkJob.objects.get().created == 1
    assert Target.objects.get().posted_at == datetime(2026, 2, 1, 7, 0, tzinfo=UTC)

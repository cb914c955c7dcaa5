"""GET /api/v1/queues/, the work list and claim (SPEC §9)."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Queue, Referral, Status
from tests.referrals.review_factories import claimed, routed

pytestmark = pytest.mark.django_db


def test_queues_list_every_queue_with_its_counts(api_for, reviewer, other_ngo_member, liaison):
    routed(other_ngo_member)
    late = routed(liaison, "removal_order", received_at=timezone.now() - timedelta(minutes=70))
    Referral.objects.filter(pk=late.pk).update(breached=True)
    routed(liaison, "removal_order", received_at=timezone.now() - timedelta(minutes=55))

    response = api_for(reviewer).get("/api/v1/queues/")

    assert response.status_code == 200
    queues = {q["slug"]: q for q in response.json()}
    assert set(queues) == set(Queue.objects.values_list("slug", flat=True))
    assert len(queues) >= 8  # the seven of SPEC §4.2, and wave 2's (`surfaced`, SPEC §14, …)
    assert queues["general"]["open_count"] == 1
    assert queues["legal-orders"]["open_count"] == 2
    assert queues["legal-orders"]["breached_count"] == 1
    assert queues["legal-orders"]["at_risk_count"] == 1
    assert queues["legal-orders"]["sla_minutes"] == 60
    assert queues["legal-orders"]["oldest_due_at"] is not None


def test_the_work_list_is_in_priority_then_due_order(api_for, reviewer, other_ngo_member):
    low = routed(other_ngo_member, severity="low", category="hateful_conduct")
    high = routed(other_ngo_member, severity="high", category="hateful_conduct")
    medium = routed(other_ngo_member, severity="medium", category="hateful_conduct")

    response = api_for(reviewer).get("/api/v1/queues/general/referrals/")

    assert response.status_code == 200
    body = response.json()
    assert [r["id"] for r in body["results"]] == [str(high.id), str(medium.id), str(low.id)]
    assert body["results"][0]["queue"] == "general"
    assert body["results"][0]["priority"] == 60


def test_the_work_list_shows_one_status_at_a_time(api_for, reviewer, other_ngo_member):
    mine = claimed(reviewer, other_ngo_member)
    waiting = routed(other_ngo_member)
    client = api_for(reviewer)

    assert [r["id"] for r in client.get("/api/v1/queues/general/referrals/").json()["results"]] == [str(waiting.id)]
    in_review = client.get("/api/v1/queues/general/referrals/?status=in_review").json()["results"]
    assert [r["id"] for r in in_review] == [str(mine.id)]
    assert client.get("/api/v1/queues/general/referrals/?status=actioned").status_code == 400


def test_the_work_list_query_count_does_not_grow_with_the_page(
    api_for, reviewer, other_ngo_member, django_assert_max_num_queries
):
    client = api_for(reviewer)
    for _ in range(3):
        routed(other_ngo_member)
    with django_assert_max_num_queries(40) as small:
        client.get("/api/v1/queues/general/referrals/")
    for _ in range(12):
        routed(other_ngo_member, accounts=("a", "b"))

    with django_assert_max_num_queries(len(small.captured_queries)):
        response = client.get("/api/v1/queues/general/referrals/?page_size=50")

    assert len(response.json()["results"]) == 15


def test_the_queue_list_query_count_is_fixed(api_for, reviewer, other_ngo_member, django_assert_max_num_queries):
    client = api_for(reviewer)
    client.get("/api/v1/queues/")
    for _ in range(5):
        routed(other_ngo_member)
    # token lookup, membership, queues, counts, the caller's queue memberships, token touch
    with django_assert_max_num_queries(8):
        client.get("/api/v1/queues/")


def test_claim_hands_out_the_top_referral_then_204(api_for, reviewer, other_ngo_member):
    Queue.objects.get(slug="general").members.add(reviewer)
    referral = routed(other_ngo_member)
    client = api_for(reviewer)

    first = client.post("/api/v1/queues/general/claim/")
    second = client.post("/api/v1/queues/general/claim/")

    assert first.status_code == 200
    assert first.json()["id"] == str(referral.id)
    assert first.json()["status"] == "in_review"
    assert first.json()["assignee"] == reviewer.email
    assert second.status_code == 204


def test_a_reviewer_outside_the_queue_cannot_claim(api_for, reviewer, other_ngo_member):
    routed(other_ngo_member)

    response = api_for(reviewer).post("/api/v1/queues/general/claim/")

    assert response.status_code == 403
    assert Referral.objects.filter(status=Status.IN_REVIEW).count() == 0


def test_a_lead_claims_from_any_queue(api_for, lead, other_ngo_member):
    routed(other_ngo_member)

    assert api_for(lead).post("/api/v1/queues/general/claim/").status_code == 200


def test_an_unknown_queue_is_404(api_for, lead):
    assert api_for(lead).get("/api/v1/queues/nope/referrals/").status_code == 404
    assert api_for(lead).post("/api/v1/queues/nope/claim/").status_code == 404


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "liaison"])
def test_partners_never_see_queues(request, api_for, persona):
    client = api_for(request.getfixturevalue(persona))

    assert client.get("/api/v1/queues/").status_code == 404
    assert client.get("/api/v1/queues/general/referrals/").status_code == 404
    assert client.post("/api/v1/queues/general/claim/").status_code == 404


def test_anonymous_callers_are_refused(anon_api):
    assert anon_api.get("/api/v1/queues/").status_code == 401

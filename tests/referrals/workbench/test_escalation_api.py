"""`POST /api/v1/referrals/{id}/escalate/` (SPEC §15) for every persona."""

import uuid

import pytest

from partners.models import Role
from referrals.models import Queue, Referral, Status, TimelineEvent
from referrals.review.services.decisions import referral_decide
from referrals.review.services.escalation import referral_escalate
from tests.factories import make_member
from tests.referrals.review_factories import DECISION, claimed

pytestmark = pytest.mark.django_db

REASON = {"reason": "Coordinated accounts; a lead should decide"}


def url(referral) -> str:
    return f"/api/v1/referrals/{referral.id}/escalate/"


def unchanged(referral, assignee) -> bool:
    fresh = Referral.objects.get(pk=referral.pk)
    return fresh.assignee == assignee and fresh.queue_id == referral.queue_id


def test_anonymous_callers_are_refused(anon_api, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)

    assert anon_api.post(url(referral), REASON, format="json").status_code == 401
    assert unchanged(referral, reviewer)


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "other_ngo_member", "liaison"])
def test_to_partners_the_endpoint_does_not_exist(request, api_for, persona, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)

    response = api_for(request.getfixturevalue(persona)).post(url(referral), REASON, format="json")

    assert response.status_code == 404
    assert unchanged(referral, reviewer)


@pytest.mark.parametrize("persona", ["lead", "policy", "colleague"])
def test_platform_members_other_than_the_assignee_are_refused(
    request, api_for, persona, ngo_member, reviewer, platform
):
    referral = claimed(reviewer, ngo_member)
    user = make_member(platform, Role.REVIEWER) if persona == "colleague" else request.getfixturevalue(persona)

    response = api_for(user).post(url(referral), {}, format="json")  # refused before the body is read

    assert response.status_code == 403
    assert "assigned" in response.json()["detail"]
    assert unchanged(referral, reviewer)


def test_the_assignee_escalates(api_for, ngo_member, reviewer, lead):
    referral = claimed(reviewer, ngo_member)
    assert (referral.status, referral.assignee) == (Status.IN_REVIEW, reviewer)

    response = api_for(reviewer).post(url(referral), REASON, format="json")

    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["queue"], body["assignee"], body["status"]) == ("escalations", None, "routed")
    assert body["due_at"] == api_for(reviewer).get(f"/api/v1/referrals/{referral.id}/").json()["due_at"]
    fresh = Referral.objects.get(pk=referral.pk)
    assert (fresh.queue.slug, fresh.assignee, fresh.due_at) == ("escalations", None, referral.due_at)


def test_a_missing_reason_is_a_400_on_reason(api_for, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)

    for body in ({}, {"reason": ""}, {"reason": "x" * 2001}):
        response = api_for(reviewer).post(url(referral), body, format="json")
        assert response.status_code == 400
        assert list(response.json()) == ["reason"]
    assert unchanged(referral, reviewer)


def test_a_closed_referral_is_a_409(api_for, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)
    referral_decide(by=reviewer, referral=referral, **DECISION)

    response = api_for(reviewer).post(url(referral), REASON, format="json")

    assert response.status_code == 409
    assert not TimelineEvent.objects.filter(referral=referral, type="escalated").exists()


def test_a_referral_already_escalated_is_a_409_for_the_lead_who_took_it(api_for, ngo_member, reviewer, lead):
    referral = claimed(reviewer, ngo_member)
    referral_escalate(by=reviewer, referral=referral, reason="first")
    client = api_for(lead)
    claimed_now = client.post("/api/v1/queues/escalations/claim/")
    assert claimed_now.status_code == 200 and claimed_now.json()["id"] == str(referral.id)

    assert client.post(url(referral), REASON, format="json").status_code == 409


def test_reviewers_neither_see_nor_claim_from_the_escalations_queue(api_for, ngo_member, reviewer, lead):
    referral_escalate(by=reviewer, referral=claimed(reviewer, ngo_member), reason="first")
    Queue.objects.get(slug="escalations").members.add(reviewer)
    client = api_for(reviewer)

    assert "escalations" not in [q["slug"] for q in client.get("/api/v1/queues/").json()]
    assert client.get("/api/v1/queues/escalations/referrals/").status_code == 404
    assert client.post("/api/v1/queues/escalations/claim/").status_code == 404
    assert "escalations" in [q["slug"] for q in api_for(lead).get("/api/v1/queues/").json()]


def test_an_unknown_referral_is_a_404(api_for, reviewer):
    assert (
        api_for(reviewer).post(f"/api/v1/referrals/{uuid.uuid4()}/escalate/", REASON, format="json").status_code == 404
    )

"""Escalating from the review panel on the referral page (SPEC §15)."""

import pytest

from partners.models import Role
from referrals.models import Referral, Status
from referrals.review.services.escalation import referral_escalate
from tests.factories import make_member
from tests.referrals.review_factories import claimed, routed

pytestmark = pytest.mark.django_db

REASON = "Looks like a coordinated network"


def page(referral) -> str:
    return f"/referrals/{referral.reference}/"


def escalate(referral) -> str:
    return f"/referrals/{referral.reference}/escalate/"


def test_the_assignee_sees_the_escalate_form(client_for, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)

    html = client_for(reviewer).get(page(referral)).content.decode()

    assert f'action="{escalate(referral)}"' in html
    assert "Escalate to the queue leads" in html


@pytest.mark.parametrize("persona", ["lead", "policy", "ngo_member"])
def test_nobody_else_sees_it(request, client_for, persona, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)

    html = client_for(request.getfixturevalue(persona)).get(page(referral)).content.decode()

    assert escalate(referral) not in html


def test_an_unclaimed_referral_offers_no_escalation(client_for, ngo_member, lead):
    referral = routed(ngo_member)

    assert escalate(referral) not in client_for(lead).get(page(referral)).content.decode()


def test_the_assignee_escalates_from_the_page(client_for, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)
    client = client_for(reviewer)

    response = client.post(escalate(referral), {"reason": REASON}, follow=True)

    assert response.redirect_chain[-1][0] == page(referral)
    html = response.content.decode()
    assert "waits for a queue lead" in html
    assert "Escalated to the queue leads" in html
    assert REASON in html  # the platform's timeline
    fresh = Referral.objects.get(pk=referral.pk)
    assert (fresh.queue.slug, fresh.assignee, fresh.status) == ("escalations", None, Status.ROUTED)


def test_without_a_reason_nothing_moves(client_for, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)

    response = client_for(reviewer).post(escalate(referral), {"reason": " "}, follow=True)

    assert "Say why the queue leads should take this referral." in response.content.decode()
    fresh = Referral.objects.get(pk=referral.pk)
    assert (fresh.queue_id, fresh.assignee) == (referral.queue_id, reviewer)


def test_a_colleague_gets_403(client_for, ngo_member, reviewer, platform):
    colleague = make_member(platform, Role.REVIEWER)
    referral = claimed(reviewer, ngo_member)

    assert client_for(colleague).post(escalate(referral), {"reason": REASON}).status_code == 403
    assert Referral.objects.get(pk=referral.pk).assignee == reviewer


@pytest.mark.parametrize("persona", ["ngo_member", "other_ngo_member", "liaison"])
def test_partners_get_404(request, client_for, persona, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)

    assert client_for(request.getfixturevalue(persona)).post(escalate(referral), {"reason": REASON}).status_code == 404
    assert Referral.objects.get(pk=referral.pk).assignee == reviewer


def test_anonymous_visitors_are_sent_to_sign_in(client, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)

    response = client.post(escalate(referral), {"reason": REASON})

    assert response.status_code == 302 and "/accounts/login/" in response["Location"]


def test_the_escalations_queue_page_is_for_leads(client_for, ngo_member, reviewer, lead):
    referral = claimed(reviewer, ngo_member)
    referral_escalate(by=reviewer, referral=referral, reason=REASON)

    assert client_for(reviewer).get("/queues/escalations/").status_code == 404
    assert "/queues/escalations/" not in client_for(reviewer).get("/queues/").content.decode()
    lead_page = client_for(lead).get("/queues/escalations/")
    assert lead_page.status_code == 200
    assert referral.reference in lead_page.content.decode()


def test_the_submitter_sees_no_trace_on_its_page(client_for, ngo_member, reviewer):
    referral = claimed(reviewer, ngo_member)
    referral_escalate(by=reviewer, referral=referral, reason=REASON)

    html = client_for(ngo_member).get(page(referral)).content.decode()

    assert REASON not in html
    assert "Escalat" not in html

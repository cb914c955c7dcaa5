"""The workbench pages: /queues/, /queues/<slug>/, the review panel, /subjects/<id>/, rules."""

import pytest
from django.utils.html import escape

from referrals.models import Queue, Referral, RoutingRule, Status, Subject
from tests.referrals.review_factories import claimed, routed

pytestmark = pytest.mark.django_db

DECISION = {
    "action": "account_suspended",
    "ground": "terms",
    "policy": "Violent extremism policy 3.1",
    "statement_of_reasons": "The account repeatedly posts recruitment material for a proscribed group.",
    "territorial_scope": "",
    "non_compliance_reason": "",
    "apply_to_subject": "on",
}


def test_the_queue_list_shows_each_queue_with_its_counts(client_for, reviewer, other_ngo_member):
    routed(other_ngo_member)

    response = client_for(reviewer).get("/queues/")

    assert response.status_code == 200
    general = next(q for q in response.context["queues"] if q.slug == "general")
    assert general.open_count == 1
    assert b"Violent extremism" in response.content


@pytest.mark.parametrize("persona", ["ngo_member", "liaison"])
def test_partners_get_404_on_queue_and_subject_pages(request, client_for, persona, other_ngo_member):
    routed(other_ngo_member, accounts=("hyper",))
    client = client_for(request.getfixturevalue(persona))

    assert client.get("/queues/").status_code == 404
    assert client.get("/queues/general/").status_code == 404
    assert client.post("/queues/general/claim/").status_code == 404
    assert client.get(f"/subjects/{Subject.objects.get(account='hyper').id}/").status_code == 404
    assert client.get("/routing/rules/").status_code == 404


def test_anonymous_visitors_are_sent_to_sign_in(client):
    assert client.get("/queues/").status_code == 302


def test_the_work_list_is_in_priority_order_with_a_fixed_query_count(
    client_for, reviewer, other_ngo_member, django_assert_max_num_queries
):
    client = client_for(reviewer)
    low = routed(other_ngo_member, severity="low")
    high = routed(other_ngo_member, severity="high")
    with django_assert_max_num_queries(60) as few:
        response = client.get("/queues/general/")
    assert [row["referral"].pk for row in response.context["rows"]] == [high.pk, low.pk]
    for _ in range(10):
        routed(other_ngo_member, accounts=("a", "b"))

    with django_assert_max_num_queries(len(few.captured_queries)):
        response = client.get("/queues/general/")

    assert len(response.context["rows"]) == 12


def test_claim_next_opens_the_claimed_referral(client_for, reviewer, other_ngo_member):
    Queue.objects.get(slug="general").members.add(reviewer)
    referral = routed(other_ngo_member)

    response = client_for(reviewer).post("/queues/general/claim/")

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/"
    assert Referral.objects.get(pk=referral.pk).assignee == reviewer


def test_claim_next_outside_ones_queues_is_refused(client_for, reviewer, other_ngo_member):
    routed(other_ngo_member)

    assert client_for(reviewer).post("/queues/general/claim/").status_code == 403


def test_the_review_panel_shows_reasons_subjects_and_the_decision_form(
    client_for, reviewer, ngo_member, other_ngo_member
):
    earlier = routed(ngo_member, accounts=("hyper",))
    referral = claimed(reviewer, other_ngo_member, accounts=("hyper", "amp"))

    page = client_for(reviewer).get(f"/referrals/{referral.reference}/").content.decode()

    assert "Why it was routed here" in page
    assert escape(referral.routing_reasons[0]) in page
    assert earlier.reference in page
    assert "Linked accounts" in page
    assert "Record decision" in page
    assert 'data-module="countdown"' in page


def test_the_partner_never_sees_the_review_panel(client_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)

    page = client_for(other_ngo_member).get(f"/referrals/{referral.reference}/").content.decode()

    assert "Why it was routed here" not in page
    assert reviewer.email not in page


def test_deciding_from_the_page_records_the_decision(client_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)

    response = client_for(reviewer).post(f"/referrals/{referral.reference}/decide/", DECISION)

    assert response.status_code == 302
    referral.refresh_from_db()
    assert referral.status == Status.ACTIONED
    assert referral.decision.statement_of_reasons == DECISION["statement_of_reasons"]


def test_a_bad_decision_shows_the_form_with_errors(client_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)

    response = client_for(reviewer).post(
        f"/referrals/{referral.reference}/decide/", {**DECISION, "territorial_scope": "Germany"}
    )

    assert response.status_code == 200
    assert "territorial_scope" in response.context["form"].errors
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW


def test_another_reviewer_cannot_decide_from_the_page(client_for, reviewer, other_ngo_member, platform):
    from partners.models import Role
    from tests.factories import make_member

    referral = claimed(reviewer, other_ngo_member)

    response = client_for(make_member(platform, Role.REVIEWER)).post(
        f"/referrals/{referral.reference}/decide/", DECISION
    )

    assert response.status_code == 403


def test_release_and_request_info_from_the_page(client_for, reviewer, other_ngo_member):
    referral = claimed(reviewer, other_ngo_member)
    client = client_for(reviewer)

    client.post(f"/referrals/{referral.reference}/request-info/", {"message": "Which post do you mean?"})
    assert Referral.objects.get(pk=referral.pk).status == Status.NEEDS_INFO

    other = claimed(reviewer, other_ngo_member)
    client.post(f"/referrals/{other.reference}/release/")
    assert Referral.objects.get(pk=other.pk).status == Status.ROUTED


def test_the_subject_page_lists_referrals_and_linked_accounts(client_for, reviewer, other_ngo_member):
    referral = routed(other_ngo_member, accounts=("hyper", "amp"))

    response = client_for(reviewer).get(f"/subjects/{Subject.objects.get(account='hyper').id}/")

    page = response.content.decode()
    assert referral.reference in page
    assert "amp" in page


def test_the_try_it_box_explains_which_rule_matches(client_for, reviewer):
    response = client_for(reviewer).get(
        "/routing/rules/",
        {
            "kind": "notice",
            "category": "propaganda",
            "severity": "medium",
            "submitter_kind": "ngo",
            "corroborating_organisations": "1",
        },
    )

    assert response.context["decision"].queue == "violent-extremism"
    assert "category is propaganda" in response.content.decode()


def test_a_lead_edits_a_rule_and_a_queue(client_for, lead, reviewer):
    client = client_for(lead)
    rule = RoutingRule.objects.get(order=6)
    queue = Queue.objects.get(slug="general")

    response = client.post(
        f"/routing/rules/{rule.pk}/",
        {
            "order": 6,
            "name": "Violent extremism",
            "queue": rule.queue_id,
            "categories": ["propaganda"],
            "trusted_flagger": "",
            "priority_boost": 15,
            "enabled": "on",
        },
    )
    assert response.status_code == 302
    rule.refresh_from_db()
    assert (rule.categories, rule.priority_boost) == (["propaganda"], 15)

    response = client.post(
        "/queues/general/edit/", {"name": "General", "description": "", "sla_minutes": 120, "members": [reviewer.pk]}
    )
    assert response.status_code == 302
    queue.refresh_from_db()
    assert queue.sla_minutes == 120
    assert list(queue.members.all()) == [reviewer]


def test_reviewers_cannot_edit_rules_or_queues(client_for, reviewer):
    client = client_for(reviewer)
    rule = RoutingRule.objects.get(order=6)

    assert client.get(f"/routing/rules/{rule.pk}/").status_code == 403
    assert client.post("/queues/general/edit/", {"name": "x", "sla_minutes": 1}).status_code == 403
    assert Queue.objects.get(slug="general").sla_minutes == 72 * 60


def test_the_rules_page_offers_no_way_to_delete_the_fallback_rule(client_for, lead):
    fallback = RoutingRule.objects.get(queue__slug="general", kinds=[], categories=[], severities=[])
    client = client_for(lead)
    url = f"/routing/rules/{fallback.pk}/delete/"

    page = client.get("/routing/rules/").content.decode()
    assert url not in page
    assert "The fallback rule; it cannot be deleted." in page
    other = RoutingRule.objects.get(order=6)
    assert f"/routing/rules/{other.pk}/delete/" in page

    for method in (client.get, client.post):
        response = method(url, follow=True)
        assert response.redirect_chain[-1][0] == "/routing/rules/"
        assert "cannot be deleted" in response.content.decode()
    assert RoutingRule.objects.filter(pk=fallback.pk).exists()

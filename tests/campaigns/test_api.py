import datetime as dt

import pytest

from campaigns.models import Campaign, ContentItem
from tests.campaigns.conftest import START, item_in, make_campaign


def test_policy_staff_create_a_draft_campaign(api_for, policy):
    response = api_for(policy).post(
        "/api/v1/campaigns/",
        {
            "title": "Hope Over Hate",
            "start_date": "2030-03-01",
            "end_date": "2030-04-30",
            "channels": ["instagram"],
            "themes": ["propaganda"],
            "hashtags": ["#hope"],
        },
        format="json",
    )
    assert response.status_code == 201, response.json()
    body = response.json()
    assert (body["slug"], body["status"], body["hashtags"], body["partners"]) == (
        "hope-over-hate",
        "draft",
        ["hope"],
        [],
    )


def test_bad_campaign_input_is_a_400_per_field_with_nothing_saved(api_for, policy):
    response = api_for(policy).post(
        "/api/v1/campaigns/",
        {
            "title": "",
            "start_date": "2030-03-01",
            "end_date": "soon",
            "languages": ["english"],
            "themes": ["nope"],
            "countries": "GB",
        },
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"title", "end_date", "languages", "themes", "countries"}
    assert not Campaign.objects.exists()


def test_a_new_campaign_cannot_start_active(api_for, policy):
    response = api_for(policy).post(
        "/api/v1/campaigns/",
        {"title": "X", "start_date": "2030-03-01", "end_date": "2030-04-30", "status": "active"},
        format="json",
    )
    assert response.status_code == 400 and "status" in response.json()


def test_status_changes_through_patch_follow_the_transitions(api_for, policy, campaign):
    client = api_for(policy)
    url = f"/api/v1/campaigns/{campaign.slug}/"
    assert client.patch(url, {"status": "paused"}, format="json").json()["status"] == "paused"
    response = client.patch(url, {"status": "draft"}, format="json")
    assert response.status_code == 409 and "detail" in response.json()
    assert Campaign.objects.get(pk=campaign.pk).status == "paused"


def test_activation_without_a_lead_is_a_409(api_for, policy):
    campaign = make_campaign(policy)
    response = api_for(policy).patch(f"/api/v1/campaigns/{campaign.slug}/", {"status": "active"}, format="json")
    assert response.status_code == 409
    assert "lead partner" in response.json()["detail"]


def test_a_patch_that_fails_its_transition_changes_nothing(api_for, policy):
    campaign = make_campaign(policy)
    response = api_for(policy).patch(
        f"/api/v1/campaigns/{campaign.slug}/", {"goal": "Changed", "status": "active"}, format="json"
    )
    assert response.status_code == 409
    assert Campaign.objects.get(pk=campaign.pk).goal == ""


def test_inviting_an_unknown_organisation_is_a_field_error(api_for, policy, campaign):
    response = api_for(policy).post(
        f"/api/v1/campaigns/{campaign.slug}/partners/", {"organisation": "nobody", "role": "lead"}, format="json"
    )
    assert response.status_code == 400 and "organisation" in response.json()


def test_an_invitation_answers_with_the_partnership(api_for, campaign, invited_member):
    response = api_for(invited_member).post(f"/api/v1/campaigns/{campaign.slug}/partners/invited-ngo/accept/")
    assert response.json()["status"] == "accepted"
    again = api_for(invited_member).post(f"/api/v1/campaigns/{campaign.slug}/partners/invited-ngo/decline/")
    assert again.status_code == 409


@pytest.mark.parametrize(
    ("status", "actor", "action", "expected"),
    [
        ("draft", "contributor", "approve", 403),  # the author's side never reviews
        ("changes_requested", "policy", "approve", 409),
        ("in_review", "contributor", "submit", 409),
        ("published", "contributor", "withdraw", 409),
        ("approved", "policy", "publish", 403),  # only the author's side publishes
        ("in_review", "policy", "approve", 200),
        ("in_review", "policy", "unknown", 404),
    ],
)
def test_content_actions_answer_by_role_and_state(
    request, api_for, campaign, contributor, policy, status, actor, action, expected
):
    item = item_in(status, campaign=campaign, author=contributor, reviewer=policy)
    client = api_for(request.getfixturevalue(actor))
    response = client.post(f"/api/v1/campaigns/{campaign.slug}/content/{item.pk}/{action}/", {}, format="json")
    assert response.status_code == expected


def test_request_changes_needs_a_comment_and_the_history_shows_it(api_for, campaign, contributor, policy):
    item = item_in("in_review", campaign=campaign, author=contributor, reviewer=policy)
    url = f"/api/v1/campaigns/{campaign.slug}/content/{item.pk}/request-changes/"
    assert api_for(policy).post(url, {}, format="json").json() == {"comment": ["Say what needs to change."]}
    body = api_for(policy).post(url, {"comment": "Add a helpline."}, format="json").json()
    assert body["status"] == "changes_requested"
    assert body["history"][-1]["comment"] == "Add a helpline."


def test_publish_validates_the_address(api_for, campaign, contributor, policy):
    item = item_in("approved", campaign=campaign, author=contributor, reviewer=policy)
    url = f"/api/v1/campaigns/{campaign.slug}/content/{item.pk}/publish/"
    assert api_for(contributor).post(url, {"published_url": "ftp://x"}, format="json").status_code == 400
    body = api_for(contributor).post(url, {"published_url": "https://example.org/p"}, format="json").json()
    assert (body["status"], body["published_url"]) == ("published", "https://example.org/p")


def test_content_list_is_paginated_and_hides_other_organisations_drafts(api_for, campaign, contributor, lead_member):
    item_in("draft", campaign=campaign, author=contributor, reviewer=None, title="Contributor draft")
    item_in("in_review", campaign=campaign, author=contributor, reviewer=None, title="Submitted")
    body = api_for(lead_member).get(f"/api/v1/campaigns/{campaign.slug}/content/").json()
    assert set(body) == {"next", "previous", "results"}
    assert [i["title"] for i in body["results"]] == ["Submitted"]


def test_content_input_is_validated(api_for, campaign, contributor):
    response = api_for(contributor).post(
        f"/api/v1/campaigns/{campaign.slug}/content/", {"title": "", "language": "english"}, format="json"
    )
    assert response.status_code == 400
    assert set(response.json()) == {"title", "body", "channel", "language"}
    assert not ContentItem.objects.exists()


def test_metrics_input_is_validated_per_field(api_for, campaign, contributor):
    url = f"/api/v1/campaigns/{campaign.slug}/metrics/"
    response = api_for(contributor).post(
        url,
        {
            "period_start": START.isoformat(),
            "period_end": START.isoformat(),
            "impressions": -1,
            "engagements": "x",
            "shares": 1,
            "clicks": 1,
        },
        format="json",
    )
    assert response.status_code == 400 and set(response.json()) == {"impressions", "engagements"}
    response = api_for(contributor).post(
        url,
        {
            "period_start": (START - dt.timedelta(days=1)).isoformat(),
            "period_end": START.isoformat(),
            "impressions": 1,
            "engagements": 1,
            "shares": 1,
            "clicks": 1,
        },
        format="json",
    )
    assert response.status_code == 400 and "period_start" in response.json()


def test_the_schema_documents_the_campaign_endpoints(api_for, policy):
    schema = api_for(policy).get("/api/v1/schema/", HTTP_ACCEPT="application/json")
    assert schema.status_code == 200

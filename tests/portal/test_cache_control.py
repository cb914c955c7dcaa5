"""`Cache-Control: private, no-store` on every page and API response for a signed-in person, so
no browser history, shared proxy or back button keeps another person's referrals."""

import pytest

from tests.referrals.factories import make_referral

NO_STORE = "private, no-store"


@pytest.mark.parametrize(
    "path",
    ["/", "/referrals/", "/referrals/new/", "/notifications/", "/training/", "/campaigns/", "/account/api-tokens/"],
)
def test_every_signed_in_page_is_private_and_not_stored(client_for, ngo_member, path):
    response = client_for(ngo_member).get(path)
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_a_referral_page_and_a_redirect_after_a_post_are_not_stored(client_for, ngo_member):
    referral = make_referral(ngo_member)
    client = client_for(ngo_member)
    assert client.get(f"/referrals/{referral.reference}/")["Cache-Control"] == NO_STORE
    response = client.post(f"/referrals/{referral.reference}/reply/", {"body": "An answer."})
    assert response.status_code == 302
    assert response["Cache-Control"] == NO_STORE


@pytest.mark.parametrize("path", ["/api/v1/me/", "/api/v1/referrals/", "/api/v1/events/", "/api/v1/nothing-here/"])
def test_every_api_response_to_a_token_is_private_and_not_stored(api_for, ngo_member, path):
    response = api_for(ngo_member).get(path)
    assert response["Cache-Control"] == NO_STORE


def test_api_responses_to_a_session_are_not_stored_either(client_for, reviewer):
    response = client_for(reviewer).get("/api/v1/queues/")
    assert response.status_code == 200
    assert response["Cache-Control"] == NO_STORE


def test_public_pages_for_anonymous_visitors_keep_their_own_caching(client, ngo_member, routing_table):
    from training.services import calendar_token_reset

    assert "Cache-Control" not in client.get("/transparency/")
    token = calendar_token_reset(user=ngo_member)
    # The feed is fetched by calendar applications without a session: its own policy holds.
    assert client.get(f"/training/feed/{token}.ics")["Cache-Control"] == "private, max-age=300"

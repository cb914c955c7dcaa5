"""List pages and endpoints keep a fixed number of queries however many rows they show."""

from django.db import connection
from django.test.utils import CaptureQueriesContext

from tests.campaigns.conftest import add_partner, item_in, make_campaign


def _count(fn) -> int:
    fn()  # the first call also records the token's use
    with CaptureQueriesContext(connection) as ctx:
        response = fn()
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_campaign_list_does_not_grow_with_campaigns(api_for, client_for, policy, ngo, ngo_member):
    api, client = api_for(policy), client_for(policy)
    add_partner(policy, make_campaign(policy, title="One"), ngo, "lead", ngo_member)
    api_one, page_one = _count(lambda: api.get("/api/v1/campaigns/")), _count(lambda: client.get("/campaigns/"))
    for n in range(4):
        add_partner(policy, make_campaign(policy, title=f"More {n}"), ngo, "lead", ngo_member)
    assert _count(lambda: api.get("/api/v1/campaigns/")) == api_one
    assert _count(lambda: client.get("/campaigns/")) == page_one


def test_the_content_list_does_not_grow_with_items(api_for, campaign, contributor, policy):
    api = api_for(policy)
    url = f"/api/v1/campaigns/{campaign.slug}/content/"
    item_in("approved", campaign=campaign, author=contributor, reviewer=policy)
    one = _count(lambda: api.get(url))
    for _ in range(4):
        item_in("published", campaign=campaign, author=contributor, reviewer=policy)
    assert _count(lambda: api.get(url)) == one

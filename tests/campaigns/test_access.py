"""The access matrix: every campaign page and endpoint × every kind of person.

Outside the campaign's scope is 404; inside it without the right is 403; anonymous pages
redirect to the login and anonymous API calls get 401.
"""

import datetime as dt

import pytest
from django.test import Client

from campaigns.models import ContentStatus
from tests.campaigns.conftest import START, item_in

PERSONAS = ["policy", "lead_member", "contributor", "invited_member", "outsider", "liaison", "anonymous"]
INSIDE = {"policy": 200, "lead_member": 200, "contributor": 200}
OUTSIDE = {"invited_member": 404, "outsider": 404, "liaison": 404, "anonymous": 302}


def _expect(table, persona):
    merged = {**INSIDE, **OUTSIDE, **table}
    return merged[persona]


METRIC = {
    "period_start": START.isoformat(),
    "period_end": (START + dt.timedelta(days=6)).isoformat(),
    "impressions": 100,
    "engagements": 5,
    "shares": 1,
    "clicks": 2,
}

# (name, method, path template, data, expected statuses that differ from INSIDE/OUTSIDE)
PAGES = [
    ("list", "get", "/campaigns/", None, {"invited_member": 200, "outsider": 200, "liaison": 200}),
    ("calendar", "get", "/campaigns/calendar/", None, {"invited_member": 200, "outsider": 200, "liaison": 200}),
    (
        "new",
        "get",
        "/campaigns/new/",
        None,
        {"lead_member": 403, "contributor": 403, "invited_member": 403, "outsider": 403, "liaison": 403},
    ),
    ("detail", "get", "/campaigns/{slug}/", None, {"invited_member": 200}),
    ("edit", "get", "/campaigns/{slug}/edit/", None, {"lead_member": 403, "contributor": 403}),
    ("metrics", "get", "/campaigns/{slug}/metrics/", None, {}),
    ("content-new", "get", "/campaigns/{slug}/content/new/", None, {"policy": 403}),
    ("content-detail", "get", "/campaigns/{slug}/content/{item}/", None, {}),
    (
        "status",
        "post",
        "/campaigns/{slug}/status/",
        {"status": "paused"},
        {"policy": 302, "lead_member": 403, "contributor": 403},
    ),
    (
        "invite",
        "post",
        "/campaigns/{slug}/partners/",
        {"organisation": "uninvited-ngo", "role": "contributor"},
        {"policy": 302, "lead_member": 403, "contributor": 403},
    ),
    (
        "accept",
        "post",
        "/campaigns/{slug}/partners/invited-ngo/accept/",
        None,
        {"policy": 404, "lead_member": 404, "contributor": 404, "invited_member": 302},
    ),
    (
        "approve",
        "post",
        "/campaigns/{slug}/content/{item}/approve/",
        None,
        {"policy": 302, "lead_member": 302, "contributor": 403},
    ),
    (
        "add-metrics",
        "post",
        "/campaigns/{slug}/metrics/",
        METRIC,
        {"policy": 302, "lead_member": 302, "contributor": 302},
    ),
]

API_OUTSIDE = {"invited_member": 404, "outsider": 404, "liaison": 404, "anonymous": 401}
API = [
    ("list", "get", "/api/v1/campaigns/", None, {"invited_member": 200, "outsider": 200, "liaison": 200}),
    (
        "create",
        "post",
        "/api/v1/campaigns/",
        {"title": "New one", "start_date": "2030-01-01", "end_date": "2030-02-01"},
        {"policy": 201, "lead_member": 403, "contributor": 403, "invited_member": 403, "outsider": 403, "liaison": 403},
    ),
    ("detail", "get", "/api/v1/campaigns/{slug}/", None, {}),
    ("patch", "patch", "/api/v1/campaigns/{slug}/", {"goal": "More"}, {"lead_member": 403, "contributor": 403}),
    (
        "invite",
        "post",
        "/api/v1/campaigns/{slug}/partners/",
        {"organisation": "uninvited-ngo", "role": "contributor"},
        {"policy": 201, "lead_member": 403, "contributor": 403},
    ),
    (
        "accept",
        "post",
        "/api/v1/campaigns/{slug}/partners/invited-ngo/accept/",
        None,
        {"policy": 404, "lead_member": 404, "contributor": 404, "invited_member": 200},
    ),
    (
        "decline",
        "post",
        "/api/v1/campaigns/{slug}/partners/invited-ngo/decline/",
        None,
        {"policy": 404, "lead_member": 404, "contributor": 404, "invited_member": 200},
    ),
    ("content", "get", "/api/v1/campaigns/{slug}/content/", None, {}),
    (
        "content-create",
        "post",
        "/api/v1/campaigns/{slug}/content/",
        {"title": "Post", "body": "Text", "channel": "instagram", "language": "en"},
        {"policy": 403, "lead_member": 201, "contributor": 201},
    ),
    ("approve", "post", "/api/v1/campaigns/{slug}/content/{item}/approve/", {}, {"contributor": 403}),
    ("metrics", "get", "/api/v1/campaigns/{slug}/metrics/", None, {}),
    (
        "metrics-create",
        "post",
        "/api/v1/campaigns/{slug}/metrics/",
        METRIC,
        {"policy": 201, "lead_member": 201, "contributor": 201},
    ),
]


@pytest.fixture
def setting(campaign, contributor, policy, outsider):
    item = item_in(ContentStatus.IN_REVIEW, campaign=campaign, author=contributor, reviewer=policy)
    return {"slug": campaign.slug, "item": item.pk}


def _person(request, persona):
    return None if persona == "anonymous" else request.getfixturevalue(persona)


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method", "path", "data", "table"), PAGES, ids=[p[0] for p in PAGES])
def test_page_access(request, setting, client_for, persona, name, method, path, data, table):
    person = _person(request, persona)
    client = Client() if person is None else client_for(person)
    response = getattr(client, method)(path.format(**setting), data or {})
    assert response.status_code == _expect(table, persona)
    if persona == "anonymous":
        assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("persona", PERSONAS)
@pytest.mark.parametrize(("name", "method", "path", "data", "table"), API, ids=[a[0] for a in API])
def test_api_access(request, setting, api_for, anon_api, persona, name, method, path, data, table):
    person = _person(request, persona)
    client = anon_api if person is None else api_for(person)
    response = getattr(client, method)(path.format(**setting), data, format="json")
    assert response.status_code == {**INSIDE, **API_OUTSIDE, **table}[persona], response.content


def test_invited_organisations_see_only_the_invitation(setting, client_for, invited_member):
    response = client_for(invited_member).get(f"/campaigns/{setting['slug']}/")
    body = response.content.decode()
    assert "Your organisation is invited" in body
    assert "Former extremists tell their stories." in body  # the summary, to decide on
    for hidden in ("Story of Amal", "Key messages", "Context: referrals", "Metrics"):
        assert hidden not in body


@pytest.mark.parametrize("persona", ["invited_member", "outsider", "liaison"])
def test_the_api_list_shows_others_no_campaign(request, setting, api_for, persona):
    response = api_for(request.getfixturevalue(persona)).get("/api/v1/campaigns/")
    assert response.json()["results"] == []

"""`GET, POST /api/v1/templates/`, `GET, PATCH, DELETE /api/v1/templates/{id}/` (SPEC §15):
platform roles read, queue leads write; the templates do not exist for partners (404)."""

import pytest

from portal.models import AuditEvent
from referrals.models import DecisionTemplate
from tests.referrals.workbench.decision_templates import SUSPEND, make_template

pytestmark = pytest.mark.django_db

FIELDS = {"id", "name", "language", "kinds", "action", "ground", "policy", "statement_of_reasons"}
READERS = ["reviewer", "lead", "policy"]
PARTNERS = ["ngo_member", "ngo_admin", "other_ngo_member", "liaison"]


@pytest.fixture
def template(lead):
    return make_template(lead)


def _client(request, api_for, anon_api, persona):
    return anon_api if persona == "anon" else api_for(request.getfixturevalue(persona))


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anon", 401), *((p, 404) for p in PARTNERS), *((p, 200) for p in READERS)],
)
def test_who_reads_the_list_and_one_template(request, api_for, anon_api, template, persona, expected):
    client = _client(request, api_for, anon_api, persona)

    listing = client.get("/api/v1/templates/")
    one = client.get(f"/api/v1/templates/{template.pk}/")

    assert (listing.status_code, one.status_code) == (expected, expected)
    if expected == 200:
        assert listing.json()["next"] is None and set(listing.json()["results"][0]) == FIELDS
        assert one.json() == {**SUSPEND, "id": str(template.pk)}


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anon", 401), *((p, 404) for p in PARTNERS), ("reviewer", 403), ("policy", 403), ("lead", 201)],
)
def test_only_queue_leads_create_templates(request, api_for, anon_api, persona, expected):
    client = _client(request, api_for, anon_api, persona)
    assert DecisionTemplate.objects.count() == 0

    response = client.post("/api/v1/templates/", {**SUSPEND, "name": "New one", "kinds": ["notice"]}, format="json")

    assert response.status_code == expected
    assert DecisionTemplate.objects.count() == (1 if expected == 201 else 0)
    if expected == 201:
        body = response.json()
        assert body["name"] == "New one" and body["kinds"] == ["notice"]
        entry = AuditEvent.objects.get(action="template.create")
        assert entry.object_id == body["id"] and entry.data["outcome"] == "account_suspended"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anon", 401), *((p, 404) for p in PARTNERS), ("reviewer", 403), ("policy", 403), ("lead", 200)],
)
def test_only_queue_leads_change_templates(request, api_for, anon_api, template, persona, expected):
    client = _client(request, api_for, anon_api, persona)

    response = client.patch(f"/api/v1/templates/{template.pk}/", {"policy": "Policy 9.9"}, format="json")

    assert response.status_code == expected
    template.refresh_from_db()
    assert template.policy == ("Policy 9.9" if expected == 200 else SUSPEND["policy"])
    assert template.name == SUSPEND["name"]  # a PATCH changes only what it gives
    if expected == 200:
        entry = AuditEvent.objects.get(action="template.update")
        assert entry.data["before"]["policy"] == SUSPEND["policy"] and entry.data["after"]["policy"] == "Policy 9.9"


@pytest.mark.parametrize(
    ("persona", "expected"),
    [("anon", 401), *((p, 404) for p in PARTNERS), ("reviewer", 403), ("policy", 403), ("lead", 204)],
)
def test_only_queue_leads_delete_templates(request, api_for, anon_api, template, persona, expected):
    client = _client(request, api_for, anon_api, persona)

    response = client.delete(f"/api/v1/templates/{template.pk}/")

    assert response.status_code == expected
    assert DecisionTemplate.objects.filter(pk=template.pk).exists() == (expected != 204)
    assert AuditEvent.objects.filter(action="template.delete").count() == (1 if expected == 204 else 0)


def test_an_unknown_template_is_a_404(api_for, lead):
    assert api_for(lead).get("/api/v1/templates/00000000-0000-0000-0000-000000000000/").status_code == 404


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"name": ""}, "name"),
        ({"language": "english"}, "language"),
        ({"language": "qq"}, "language"),
        ({"kinds": ["ban"]}, "kinds"),
        ({"action": "ban"}, "action"),
        ({"statement_of_reasons": ""}, "statement_of_reasons"),
        ({"action": "data_preserved", "kinds": ["notice"]}, "kinds"),
        ({"action": "", "statement_of_reasons": "x" * 2001}, "statement_of_reasons"),
    ],
)
def test_a_bad_template_gets_an_error_on_its_field_and_nothing_is_saved(api_for, lead, change, field):
    response = api_for(lead).post("/api/v1/templates/", {**SUSPEND, **change}, format="json")

    assert response.status_code == 400
    assert field in response.json()
    assert DecisionTemplate.objects.count() == 0


def test_a_name_is_unique_within_a_language(api_for, lead, template):
    client = api_for(lead)

    same = client.post("/api/v1/templates/", SUSPEND, format="json")
    other_language = client.post("/api/v1/templates/", {**SUSPEND, "language": "fr"}, format="json")

    assert same.status_code == 400 and "name" in same.json()
    assert other_language.status_code == 201


def test_a_request_for_information_template_keeps_no_ground_or_provision(api_for, lead):
    body = {**SUSPEND, "action": "", "statement_of_reasons": "Which post of {account} do you mean?"}

    response = api_for(lead).post("/api/v1/templates/", body, format="json")

    assert response.status_code == 201
    assert response.json()["action"] == "" and response.json()["ground"] == "" and response.json()["policy"] == ""

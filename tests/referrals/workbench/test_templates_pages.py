"""The decision templates' pages (SPEC §15): /queues/templates/ lists them for platform roles;
queue leads create, edit and delete them (with a confirmation first)."""

import pytest

from portal.models import AuditEvent
from referrals.models import DecisionTemplate
from tests.referrals.workbench.decision_templates import SUSPEND, make_template

pytestmark = pytest.mark.django_db

FORM = {
    "name": "Glorification",
    "language": "en",
    "kinds": ["notice", "le_referral"],
    "action": "content_removed",
    "ground": "terms",
    "policy": "Violent extremism policy 3.1",
    "statement_of_reasons": "The post by {account} glorifies an attack.",
}


@pytest.fixture
def template(lead):
    return make_template(lead)


def _pages(template) -> list[str]:
    return [
        "/queues/templates/new/",
        f"/queues/templates/{template.pk}/",
        f"/queues/templates/{template.pk}/delete/",
    ]


def test_anonymous_visitors_are_sent_to_sign_in(client, template):
    for path in ["/queues/templates/", *_pages(template)]:
        assert client.get(path).status_code == 302


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "liaison"])
def test_partners_get_404(request, client_for, template, persona):
    client = client_for(request.getfixturevalue(persona))

    for path in ["/queues/templates/", *_pages(template)]:
        assert client.get(path).status_code == 404
    assert client.post(f"/queues/templates/{template.pk}/delete/").status_code == 404
    assert DecisionTemplate.objects.filter(pk=template.pk).exists()


@pytest.mark.parametrize("persona", ["reviewer", "policy"])
def test_other_platform_roles_read_the_list_but_may_not_write(request, client_for, template, persona):
    client = client_for(request.getfixturevalue(persona))

    listing = client.get("/queues/templates/")

    assert listing.status_code == 200
    assert SUSPEND["name"] in listing.content.decode()
    assert f"/queues/templates/{template.pk}/delete/" not in listing.content.decode()
    for path in _pages(template):
        assert client.get(path).status_code == 403
    assert client.post("/queues/templates/new/", FORM).status_code == 403
    assert client.post(f"/queues/templates/{template.pk}/delete/").status_code == 403
    assert DecisionTemplate.objects.count() == 1


def test_a_lead_creates_a_template(client_for, lead):
    assert not DecisionTemplate.objects.exists()

    response = client_for(lead).post("/queues/templates/new/", FORM)

    assert response.status_code == 302
    template = DecisionTemplate.objects.get()
    assert (template.name, template.language, template.kinds) == ("Glorification", "en", ["notice", "le_referral"])
    assert template.created_by == lead
    assert AuditEvent.objects.filter(action="template.create", actor=lead).exists()


def test_a_lead_edits_a_template(client_for, lead, template):
    client = client_for(lead)
    page = client.get(f"/queues/templates/{template.pk}/").content.decode()
    assert SUSPEND["policy"] in page

    response = client.post(f"/queues/templates/{template.pk}/", {**FORM, "name": "Renamed"})

    assert response.status_code == 302
    template.refresh_from_db()
    assert template.name == "Renamed" and template.action == "content_removed"
    assert AuditEvent.objects.filter(action="template.update", actor=lead).exists()


def test_errors_come_back_on_the_form_and_nothing_is_saved(client_for, lead, template):
    response = client_for(lead).post("/queues/templates/new/", {**FORM, "name": SUSPEND["name"], "language": ""})

    assert response.status_code == 200
    assert "name" in response.context["form"].errors
    assert "There is a problem" in response.content.decode()
    assert DecisionTemplate.objects.count() == 1


def test_deleting_asks_first_then_deletes(client_for, lead, template):
    client = client_for(lead)

    confirm = client.get(f"/queues/templates/{template.pk}/delete/")
    assert confirm.status_code == 200
    assert "This cannot be undone." in confirm.content.decode()
    assert DecisionTemplate.objects.filter(pk=template.pk).exists()

    response = client.post(f"/queues/templates/{template.pk}/delete/")

    assert response.status_code == 302
    assert not DecisionTemplate.objects.filter(pk=template.pk).exists()
    assert AuditEvent.objects.filter(action="template.delete", actor=lead, object_id=str(template.pk)).exists()


def test_the_list_is_paginated(client_for, lead):
    for n in range(55):
        make_template(lead, name=f"Template {n:02d}")

    first = client_for(lead).get("/queues/templates/").content.decode()
    second = client_for(lead).get("/queues/templates/?page=2").content.decode()

    assert "Template 49" in first and "Template 50" not in first
    assert "Template 54" in second

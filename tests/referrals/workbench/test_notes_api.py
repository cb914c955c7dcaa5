"""`GET, POST /api/v1/referrals/{id}/notes/` (SPEC §15) for every persona."""

import uuid

import pytest

from portal.models import AuditEvent
from referrals.models import Note
from referrals.review.services.notes import note_add
from tests.referrals.review_factories import routed

pytestmark = pytest.mark.django_db


def url(referral) -> str:
    return f"/api/v1/referrals/{referral.id}/notes/"


def test_anonymous_callers_are_refused(anon_api, ngo_member):
    referral = routed(ngo_member)

    assert anon_api.get(url(referral)).status_code == 401
    assert anon_api.post(url(referral), {"body": "x"}, format="json").status_code == 401


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "other_ngo_member"])
def test_to_a_partner_the_endpoint_does_not_exist_even_on_its_own_referral(request, api_for, persona, ngo_member, lead):
    referral = routed(ngo_member)
    note_add(by=lead, referral=referral, body="internal")
    client = api_for(request.getfixturevalue(persona))

    assert client.get(url(referral)).status_code == 404
    assert client.post(url(referral), {"body": "a partner writes"}, format="json").status_code == 404
    assert Note.objects.count() == 1


def test_a_liaison_gets_404_on_its_own_request(api_for, liaison, reviewer):
    referral = routed(liaison, "le_referral")
    note_add(by=reviewer, referral=referral, body="internal")

    response = api_for(liaison).get(url(referral))

    assert response.status_code == 404
    assert "internal" not in response.content.decode()


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_add_a_note(request, api_for, persona, ngo_member):
    user = request.getfixturevalue(persona)
    referral = routed(ngo_member)
    assert Note.objects.filter(referral=referral).count() == 0

    response = api_for(user).post(url(referral), {"body": "  Same operator as R-2026-000001?  "}, format="json")

    assert response.status_code == 201, response.content
    note = Note.objects.get(referral=referral)
    assert response.json() == {
        "id": str(note.id),
        "at": response.json()["at"],
        "author": user.display_name,
        "body": "Same operator as R-2026-000001?",
    }
    assert (note.author, note.body) == (user, "Same operator as R-2026-000001?")
    assert AuditEvent.objects.filter(action="referral.note_add", actor=user).count() == 1


def test_the_list_is_oldest_first_and_paginated(api_for, ngo_member, reviewer, lead):
    referral = routed(ngo_member)
    for n in range(5):
        note_add(by=reviewer if n % 2 else lead, referral=referral, body=f"note {n}")
    client = api_for(reviewer)

    first = client.get(url(referral), {"page_size": 3}).json()
    second = client.get(first["next"]).json()

    assert [n["body"] for n in first["results"]] == ["note 0", "note 1", "note 2"]
    assert [n["body"] for n in second["results"]] == ["note 3", "note 4"]
    assert second["next"] is None
    assert first["results"][0]["author"] == lead.display_name
    assert set(first["results"][0]) == {"id", "at", "author", "body"}


def test_notes_of_another_referral_are_not_listed(api_for, ngo_member, reviewer):
    referral, other = routed(ngo_member), routed(ngo_member)
    note_add(by=reviewer, referral=other, body="elsewhere")

    assert api_for(reviewer).get(url(referral)).json()["results"] == []


@pytest.mark.parametrize("body", ["", "   ", "x" * 5001])
def test_a_bad_body_is_a_400_on_body(api_for, ngo_member, reviewer, body):
    referral = routed(ngo_member)

    response = api_for(reviewer).post(url(referral), {"body": body}, format="json")

    assert response.status_code == 400
    assert "body" in response.json()
    assert Note.objects.count() == 0


def test_a_body_of_only_invisible_characters_is_a_400_on_body(api_for, ngo_member, reviewer):
    response = api_for(reviewer).post(url(routed(ngo_member)), {"body": "\u202e\u200b"}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["body"]


def test_an_unknown_referral_is_a_404(api_for, reviewer):
    assert api_for(reviewer).get(f"/api/v1/referrals/{uuid.uuid4()}/notes/").status_code == 404


def test_reading_the_notes_of_a_law_enforcement_request_is_audited(api_for, liaison, reviewer):
    referral = routed(liaison, "le_referral")

    api_for(reviewer).get(url(referral))

    assert AuditEvent.objects.filter(action="referral.view", actor=reviewer, data__view="notes").count() == 1

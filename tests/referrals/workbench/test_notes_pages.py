"""Team notes on the referral page (SPEC §15): the panel, adding a note, the notes page."""

from datetime import timedelta

import pytest
from django.utils import timezone

from referrals.models import Note
from referrals.review.services.notes import note_add
from tests.referrals.review_factories import routed

pytestmark = pytest.mark.django_db


def page(referral) -> str:
    return f"/referrals/{referral.reference}/"


def notes_page(referral) -> str:
    return f"/referrals/{referral.reference}/notes/"


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_see_the_notes_panel_with_its_form(request, client_for, persona, ngo_member, reviewer):
    referral = routed(ngo_member)
    note_add(by=reviewer, referral=referral, body="Handle matches a suspended account")

    html = client_for(request.getfixturevalue(persona)).get(page(referral)).content.decode()

    assert 'id="notes-h"' in html
    assert "Handle matches a suspended account" in html
    assert reviewer.display_name in html
    assert f'action="{notes_page(referral)}"' in html


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin"])
def test_the_submitter_sees_no_notes_panel(request, client_for, persona, ngo_member, reviewer):
    referral = routed(ngo_member)
    note_add(by=reviewer, referral=referral, body="Handle matches a suspended account")

    html = client_for(request.getfixturevalue(persona)).get(page(referral)).content.decode()

    assert 'id="notes-h"' not in html
    assert "Handle matches" not in html
    assert notes_page(referral) not in html


def test_a_reviewer_adds_a_note_from_the_panel(client_for, ngo_member, reviewer):
    referral = routed(ngo_member)
    assert not Note.objects.filter(referral=referral).exists()

    response = client_for(reviewer).post(notes_page(referral), {"body": "Second opinion wanted"})

    assert response.status_code == 302
    assert response["Location"] == page(referral) + "#notes-h"
    assert Note.objects.get(referral=referral).body == "Second opinion wanted"


def test_an_empty_note_comes_back_with_the_error(client_for, ngo_member, reviewer):
    referral = routed(ngo_member)

    response = client_for(reviewer).post(notes_page(referral), {"body": "  "})

    assert response.status_code == 200
    assert "Write the note." in response.content.decode()
    assert Note.objects.count() == 0


def test_a_too_long_note_keeps_what_was_typed(client_for, ngo_member, reviewer):
    referral = routed(ngo_member)

    response = client_for(reviewer).post(notes_page(referral), {"body": "y" * 5001})

    assert response.status_code == 200
    assert "y" * 5001 in response.content.decode()
    assert Note.objects.count() == 0


def test_anonymous_visitors_are_sent_to_sign_in(client, ngo_member):
    referral = routed(ngo_member)

    response = client.post(notes_page(referral), {"body": "x"})

    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]
    assert Note.objects.count() == 0


@pytest.mark.parametrize("persona", ["ngo_member", "other_ngo_member", "liaison"])
def test_the_notes_page_does_not_exist_for_partners(request, client_for, persona, ngo_member, reviewer):
    referral = routed(ngo_member)
    note_add(by=reviewer, referral=referral, body="internal")
    client = client_for(request.getfixturevalue(persona))

    assert client.get(notes_page(referral)).status_code == 404
    assert client.post(notes_page(referral), {"body": "a partner writes"}).status_code == 404
    assert Note.objects.count() == 1


def test_the_panel_shows_the_latest_ten_and_links_to_every_note(client_for, ngo_member, reviewer):
    referral = routed(ngo_member)
    for n in range(12):
        note_add(by=reviewer, referral=referral, body=f"note number {n:02d}")
    client = client_for(reviewer)

    panel = client.get(page(referral)).content.decode()
    assert "note number 01" not in panel
    assert panel.index("note number 02") < panel.index("note number 11")
    assert f'href="{notes_page(referral)}"' in panel

    full = client.get(notes_page(referral)).content.decode()
    assert full.index("note number 00") < full.index("note number 11")


def test_the_notes_page_goes_fifty_notes_a_page(client_for, ngo_member, reviewer):
    referral = routed(ngo_member)
    start = timezone.now() - timedelta(hours=1)
    Note.objects.bulk_create(
        Note(referral=referral, author=reviewer, body=f"bulk note {n:03d}", at=start + timedelta(seconds=n))
        for n in range(55)
    )
    client = client_for(reviewer)

    first = client.get(notes_page(referral)).content.decode()
    second = client.get(notes_page(referral), {"page": 2}).content.decode()

    assert "bulk note 049" in first and "bulk note 050" not in first
    assert "bulk note 050" in second and "bulk note 054" in second
    assert 'rel="next"' in first

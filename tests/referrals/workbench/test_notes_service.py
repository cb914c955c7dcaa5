"""Team notes through the service and the selector (SPEC §15): who writes them, how the text
is kept, the order they are read in, and the audit entry."""

import pytest

from portal.errors import DomainError, NotAllowed
from portal.models import AuditEvent
from referrals.models import Note
from referrals.review.selectors import referral_notes
from referrals.review.services.notes import NOTE_MAX, note_add
from tests.referrals.review_factories import routed

pytestmark = pytest.mark.django_db


def test_every_platform_role_adds_a_note(ngo_member, reviewer, lead, policy):
    referral = routed(ngo_member)
    assert Note.objects.filter(referral=referral).count() == 0

    for author in (reviewer, lead, policy):
        note_add(by=author, referral=referral, body=f"Seen by {author.email}")

    assert [n.author for n in Note.objects.filter(referral=referral)] == [reviewer, lead, policy]


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "liaison"])
def test_partners_cannot_add_notes_even_to_their_own_referral(request, persona, ngo_member):
    user = request.getfixturevalue(persona)
    referral = routed(ngo_member)

    with pytest.raises(NotAllowed):
        note_add(by=user, referral=referral, body="A partner's note")

    assert Note.objects.count() == 0


def test_the_body_is_cleaned_like_other_free_text(ngo_member, reviewer):
    referral = routed(ngo_member)

    note = note_add(by=reviewer, referral=referral, body="  Check\u202e the\u200b handle \u200dx  \n")

    assert note.body == "Check the handle \u200dx"  # bidi override and zero-width space gone, ZWJ kept


@pytest.mark.parametrize("body", ["", "   ", "\u202e\u200b"])
def test_an_empty_note_is_refused(ngo_member, reviewer, body):
    referral = routed(ngo_member)

    with pytest.raises(DomainError) as refused:
        note_add(by=reviewer, referral=referral, body=body)

    assert refused.value.field == "body"
    assert Note.objects.count() == 0


def test_a_note_holds_up_to_five_thousand_characters(ngo_member, reviewer):
    referral = routed(ngo_member)

    assert len(note_add(by=reviewer, referral=referral, body="x" * NOTE_MAX).body) == 5000
    with pytest.raises(DomainError) as refused:
        note_add(by=reviewer, referral=referral, body="x" * (NOTE_MAX + 1))

    assert refused.value.field == "body"
    assert Note.objects.count() == 1


def test_a_nul_is_refused(ngo_member, reviewer):
    with pytest.raises(DomainError):
        note_add(by=reviewer, referral=routed(ngo_member), body="a\x00b")


def test_adding_a_note_is_audited_without_its_text(ngo_member, reviewer):
    referral = routed(ngo_member)

    note = note_add(by=reviewer, referral=referral, body="Looks like the account from last week")

    entry = AuditEvent.objects.get(action="referral.note_add")
    assert (entry.actor, entry.object_id, entry.organisation) == (reviewer, str(referral.pk), referral.organisation)
    assert entry.data["note"] == str(note.pk)
    assert "last week" not in str(entry.data)


def test_notes_are_read_oldest_first_and_only_by_platform_roles(ngo_member, reviewer, lead, liaison):
    referral = routed(ngo_member)
    other = routed(ngo_member)
    first = note_add(by=reviewer, referral=referral, body="first")
    second = note_add(by=lead, referral=referral, body="second")
    note_add(by=lead, referral=other, body="on another referral")

    assert list(referral_notes(reviewer, referral)) == [first, second]
    assert list(referral_notes(ngo_member, referral)) == []
    assert list(referral_notes(liaison, referral)) == []


def test_reading_the_notes_is_one_query_with_the_authors(ngo_member, reviewer, lead, django_assert_num_queries):
    referral = routed(ngo_member)
    for n in range(5):
        note_add(by=reviewer if n % 2 else lead, referral=referral, body=f"note {n}")

    with django_assert_num_queries(1):
        names = [n.author.display_name for n in referral_notes(reviewer, referral)]

    assert len(names) == 5

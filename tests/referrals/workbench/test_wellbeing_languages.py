"""The languages a platform member reads (SPEC §15): set on the preferences page, preferred by
claim next."""

import pytest

from portal.accounts.services import user_set_preferences
from portal.errors import DomainError, NotAllowed
from portal.models import AuditEvent
from referrals.models import Queue, Status
from referrals.review.services.claims import referral_claim_next
from tests.referrals.review_factories import routed

pytestmark = pytest.mark.django_db


def general(*members) -> Queue:
    queue = Queue.objects.get(slug="general")
    queue.members.add(*members)
    return queue


def filed(user, *, language: str, severity: str = "low"):
    return routed(user, severity=severity, category="hateful_conduct", language=language)


# --- Claim next ----------------------------------------------------------------------------------


def test_claim_next_prefers_the_languages_the_reviewer_reads(other_ngo_member, reviewer):
    queue = general(reviewer)
    english_urgent = filed(other_ngo_member, language="en", severity="high")
    arabic = filed(other_ngo_member, language="ar", severity="low")
    reviewer.reads_languages = ["ar", "fr"]
    reviewer.save(update_fields=["reads_languages"])

    first = referral_claim_next(by=reviewer, queue=queue)
    second = referral_claim_next(by=reviewer, queue=queue)

    assert (first.pk, second.pk) == (arabic.pk, english_urgent.pk)
    assert first.status == Status.IN_REVIEW and first.assignee == reviewer


def test_among_the_languages_read_priority_still_decides(other_ngo_member, reviewer):
    queue = general(reviewer)
    filed(other_ngo_member, language="en", severity="high")
    french_low = filed(other_ngo_member, language="fr", severity="low")
    arabic_high = filed(other_ngo_member, language="ar", severity="high")
    reviewer.reads_languages = ["ar", "fr"]
    reviewer.save(update_fields=["reads_languages"])

    assert referral_claim_next(by=reviewer, queue=queue).pk == arabic_high.pk
    assert referral_claim_next(by=reviewer, queue=queue).pk == french_low.pk


def test_without_languages_claim_next_keeps_the_priority_order(other_ngo_member, reviewer):
    queue = general(reviewer)
    filed(other_ngo_member, language="ar", severity="low")
    english_urgent = filed(other_ngo_member, language="en", severity="high")
    assert reviewer.reads_languages == []

    assert referral_claim_next(by=reviewer, queue=queue).pk == english_urgent.pk


def test_a_reviewer_still_gets_work_in_languages_they_do_not_read(other_ngo_member, reviewer):
    queue = general(reviewer)
    english = filed(other_ngo_member, language="en")
    reviewer.reads_languages = ["ar"]
    reviewer.save(update_fields=["reads_languages"])

    assert referral_claim_next(by=reviewer, queue=queue).pk == english.pk


def test_the_claim_next_button_prefers_them_too(client_for, other_ngo_member, reviewer):
    queue = general(reviewer)
    filed(other_ngo_member, language="en", severity="high")
    arabic = filed(other_ngo_member, language="ar")
    reviewer.reads_languages = ["ar"]
    reviewer.save(update_fields=["reads_languages"])

    response = client_for(reviewer).post(f"/queues/{queue.slug}/claim/")

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{arabic.reference}/"


# --- The preferences page ------------------------------------------------------------------------


def test_platform_staff_list_the_languages_they_read(client_for, reviewer):
    client = client_for(reviewer)
    assert 'name="reads_languages"' in client.get("/account/preferences/").content.decode()

    response = client.post("/account/preferences/", {"language": "", "time_zone": "", "reads_languages": "AR, fr ar"})

    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert reviewer.reads_languages == ["ar", "fr"]
    entry = AuditEvent.objects.get(action="user.preferences")
    assert entry.actor == reviewer
    assert entry.data["before"]["reads_languages"] == [] and entry.data["after"]["reads_languages"] == ["ar", "fr"]
    assert 'value="ar, fr"' in client.get("/account/preferences/").content.decode()


def test_unknown_language_codes_are_refused_and_nothing_is_saved(client_for, reviewer):
    response = client_for(reviewer).post(
        "/account/preferences/", {"language": "fr", "time_zone": "", "reads_languages": "ar, xx, english"}
    )

    assert response.status_code == 200
    page = response.content.decode()
    assert "error-summary" in page and "xx, english" in page
    reviewer.refresh_from_db()
    assert (reviewer.reads_languages, reviewer.language) == ([], "")
    assert not AuditEvent.objects.filter(action="user.preferences").exists()


def test_clearing_the_languages_saves_an_empty_list(client_for, reviewer):
    reviewer.reads_languages = ["ar"]
    reviewer.save(update_fields=["reads_languages"])

    client_for(reviewer).post("/account/preferences/", {"language": "", "time_zone": "", "reads_languages": ""})

    reviewer.refresh_from_db()
    assert reviewer.reads_languages == []


def test_partners_have_no_such_field_and_cannot_set_it(client_for, ngo_member):
    client = client_for(ngo_member)
    assert "reads_languages" not in client.get("/account/preferences/").content.decode()

    client.post("/account/preferences/", {"language": "fr", "time_zone": "", "reads_languages": "ar"})

    ngo_member.refresh_from_db()
    assert (ngo_member.language, ngo_member.reads_languages) == ("fr", [])


def test_the_service_refuses_languages_for_partners(ngo_member):
    with pytest.raises(NotAllowed):
        user_set_preferences(user=ngo_member, language="", time_zone="", reads_languages=["ar"])


def test_the_service_checks_the_codes(reviewer):
    with pytest.raises(DomainError) as refused:
        user_set_preferences(user=reviewer, language="", time_zone="", reads_languages=["ar", "zz"])
    assert refused.value.field == "reads_languages"
    reviewer.refresh_from_db()
    assert reviewer.reads_languages == []


def test_changing_only_the_language_keeps_the_languages_read(client_for, reviewer):
    reviewer.reads_languages = ["ar"]
    reviewer.save(update_fields=["reads_languages"])

    client_for(reviewer).post("/i18n/language/", {"language": "fr", "next": "/"})

    reviewer.refresh_from_db()
    assert (reviewer.language, reviewer.reads_languages) == ("fr", ["ar"])

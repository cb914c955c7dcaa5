"""Revealing one image at a time, and exposure counted per reviewer per day (SPEC §15)."""

from datetime import date, timedelta

import pytest
from django.test import Client

from portal.models import AuditEvent
from referrals.intake.services.evidence import evidence_path
from referrals.models import ExposureDay
from referrals.review.services import exposure
from tests.conftest import login
from tests.referrals.workbench.wellbeing_files import referral_with_media

pytestmark = pytest.mark.django_db


@pytest.fixture
def media(ngo_member):
    return referral_with_media(ngo_member)


def url(referral, row, action: str = "") -> str:
    return f"/referrals/{referral.reference}/evidence/{row.id}/{action + '/' if action else ''}"


def counts(user) -> tuple[int, int]:
    row = ExposureDay.objects.filter(user=user, day=exposure.exposure_day()).first()
    return (row.reveals, row.downloads) if row else (0, 0)


# --- Revealing ---------------------------------------------------------------------------------


def test_a_reveal_is_counted_audited_and_shows_that_original_only(client_for, reviewer, media):
    referral, rows = media
    photo, screenshot = rows["photo.jpg"], rows["screenshot.png"]
    client = client_for(reviewer)
    assert counts(reviewer) == (0, 0)

    response = client.post(url(referral, photo, "reveal"))

    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/#evidence-{photo.id}"
    assert counts(reviewer) == (1, 0)
    entry = AuditEvent.objects.get(action="evidence.reveal")
    assert (entry.actor, entry.object_id) == (reviewer, str(photo.id))
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert url(referral, photo, "original") in page
    assert url(referral, photo, "preview") not in page
    assert url(referral, screenshot, "preview") in page
    assert url(referral, screenshot, "original") not in page


def test_revealing_another_image_blurs_the_first_again(client_for, reviewer, media):
    referral, rows = media
    photo, screenshot = rows["photo.jpg"], rows["screenshot.png"]
    client = client_for(reviewer)
    client.post(url(referral, photo, "reveal"))

    client.post(url(referral, screenshot, "reveal"))

    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert url(referral, screenshot, "original") in page
    assert url(referral, photo, "original") not in page and url(referral, photo, "preview") in page
    assert client.get(url(referral, photo, "original")).status_code == 403
    assert counts(reviewer) == (2, 0)


def test_blur_again_hides_the_original(client_for, reviewer, media):
    referral, rows = media
    photo = rows["photo.jpg"]
    client = client_for(reviewer)
    client.post(url(referral, photo, "reveal"))

    assert client.post(url(referral, photo, "conceal")).status_code == 302

    assert client.get(url(referral, photo, "original")).status_code == 403
    assert url(referral, photo, "preview") in client.get(f"/referrals/{referral.reference}/").content.decode()


def test_the_revealed_original_is_served_inline_never_cached(client_for, reviewer, media):
    referral, rows = media
    photo = rows["photo.jpg"]
    client = client_for(reviewer)
    assert client.get(url(referral, photo, "original")).status_code == 403

    client.post(url(referral, photo, "reveal"))
    response = client.get(url(referral, photo, "original"))

    assert response.status_code == 200
    assert b"".join(response.streaming_content) == evidence_path(photo.stored_name).read_bytes()
    assert response["Content-Type"] == "image/jpeg"
    assert "attachment" not in response.get("Content-Disposition", "")
    assert response["X-Content-Type-Options"] == "nosniff"
    assert "no-store" in response["Cache-Control"]
    assert counts(reviewer) == (1, 0)  # showing the revealed image is not a second exposure


def test_reveal_needs_a_post(client_for, reviewer, media):
    referral, rows = media
    assert client_for(reviewer).get(url(referral, rows["photo.jpg"], "reveal")).status_code == 405
    assert counts(reviewer) == (0, 0)


def test_reveal_needs_the_csrf_token(reviewer, media):
    referral, rows = media
    client = login(Client(enforce_csrf_checks=True), reviewer)
    assert client.post(url(referral, rows["photo.jpg"], "reveal")).status_code == 403
    assert counts(reviewer) == (0, 0)


def test_anonymous_reveals_are_sent_to_sign_in(client, media):
    referral, rows = media
    response = client.post(url(referral, rows["photo.jpg"], "reveal"))
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]
    assert not ExposureDay.objects.exists()


def test_another_organisation_gets_404(client_for, other_ngo_member, media):
    referral, rows = media
    client = client_for(other_ngo_member)
    assert client.post(url(referral, rows["photo.jpg"], "reveal")).status_code == 404
    assert client.get(url(referral, rows["photo.jpg"], "original")).status_code == 404


def test_partners_do_not_reveal_their_own_evidence(client_for, ngo_member, media):
    referral, rows = media
    client = client_for(ngo_member)
    assert client.post(url(referral, rows["photo.jpg"], "reveal")).status_code == 403
    assert client.get(url(referral, rows["photo.jpg"], "original")).status_code == 403
    assert not ExposureDay.objects.exists()


def test_a_pdf_is_not_revealed_nor_counted(client_for, reviewer, media):
    referral, rows = media
    client = client_for(reviewer)

    response = client.post(url(referral, rows["manifesto.pdf"], "reveal"), follow=True)

    assert "Only images are blurred" in response.content.decode()
    assert counts(reviewer) == (0, 0)
    assert client.get(url(referral, rows["manifesto.pdf"], "original")).status_code == 404


# --- Downloads ----------------------------------------------------------------------------------


def test_downloads_by_platform_staff_are_counted_on_the_page_and_the_api(client_for, api_for, reviewer, media):
    referral, rows = media

    assert client_for(reviewer).get(url(referral, rows["manifesto.pdf"])).status_code == 200
    assert counts(reviewer) == (0, 1)
    response = api_for(reviewer).get(f"/api/v1/referrals/{referral.id}/evidence/{rows['photo.jpg'].id}/")
    assert response.status_code == 200, response.content

    assert counts(reviewer) == (0, 2)
    assert AuditEvent.objects.filter(action="evidence.download").count() == 2


def test_partners_downloads_are_not_counted(client_for, ngo_member, media):
    referral, rows = media
    assert client_for(ngo_member).get(url(referral, rows["photo.jpg"])).status_code == 200
    assert not ExposureDay.objects.exists()


def test_counts_are_kept_per_day(reviewer, media, monkeypatch):
    _, rows = media
    exposure.evidence_reveal(user=reviewer, evidence=rows["photo.jpg"])
    exposure.exposure_record(user=reviewer, downloads=1)
    tomorrow = exposure.exposure_day() + timedelta(days=1)
    monkeypatch.setattr(exposure, "exposure_day", lambda now=None: tomorrow)

    exposure.evidence_reveal(user=reviewer, evidence=rows["photo.jpg"])

    by_day = {row.day: (row.reveals, row.downloads) for row in ExposureDay.objects.filter(user=reviewer)}
    assert by_day == {tomorrow - timedelta(days=1): (1, 1), tomorrow: (1, 0)}


def test_the_day_is_the_utc_date(settings):
    from datetime import UTC, datetime
    from zoneinfo import ZoneInfo

    late_in_sydney = datetime(2026, 3, 1, 23, 30, tzinfo=ZoneInfo("Australia/Sydney"))
    assert exposure.exposure_day(late_in_sydney) == date(2026, 3, 1)
    assert exposure.exposure_day(datetime(2026, 3, 1, 23, 30, tzinfo=UTC)) == date(2026, 3, 1)
    assert exposure.exposure_day(datetime(2026, 3, 2, 0, 30, tzinfo=ZoneInfo("Europe/Paris"))) == date(2026, 3, 1)


def test_a_lost_insert_race_still_counts_once(reviewer, monkeypatch):
    """Two first reveals of the day at once: the slower INSERT hits the unique constraint and
    falls back to the UPDATE, so both count."""
    exposure.exposure_record(user=reviewer, reveals=1)
    real_filter = ExposureDay.objects.filter
    calls = {"n": 0}

    class NothingUpdatedOnce:
        def __init__(self, qs):
            self.qs = qs

        def update(self, **kwargs):
            calls["n"] += 1
            return 0 if calls["n"] == 1 else self.qs.update(**kwargs)

        def get(self):
            return self.qs.get()

    monkeypatch.setattr(ExposureDay.objects, "filter", lambda **kw: NothingUpdatedOnce(real_filter(**kw)))

    row = exposure.exposure_record(user=reviewer, reveals=1)

    monkeypatch.undo()
    assert row.reveals == 2
    assert ExposureDay.objects.filter(user=reviewer).count() == 1


# --- A break, past the daily limit ----------------------------------------------------------------


def test_past_the_limit_a_break_is_suggested_and_reveals_still_work(client_for, reviewer, media, settings):
    settings.PORTAL_EXPOSURE_DAILY_LIMIT = 2
    referral, rows = media
    client = client_for(reviewer)
    client.get(url(referral, rows["manifesto.pdf"]))  # a download counts towards it
    first = client.post(url(referral, rows["photo.jpg"], "reveal"), follow=True).content.decode()
    assert "Consider a short break" not in first  # 2: at the limit, not past it

    after = client.post(url(referral, rows["screenshot.png"], "reveal"), follow=True).content.decode()

    assert "Consider a short break" in after
    assert "You have opened 3 images and files of evidence today." in after
    assert counts(reviewer) == (2, 1)
    assert url(referral, rows["screenshot.png"], "original") in after
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Consider a short break" in page  # on the referral page too, not only after a reveal


def test_under_the_default_limit_no_break_is_suggested(client_for, reviewer, media):
    referral, rows = media
    client = client_for(reviewer)
    ExposureDay.objects.create(user=reviewer, day=exposure.exposure_day(), reveals=99)
    reveal = url(referral, rows["photo.jpg"], "reveal")
    assert "Consider a short break" not in client.post(reveal, follow=True).content.decode()  # 100: at the limit
    assert "Consider a short break" in client.post(reveal, follow=True).content.decode()  # 101: past it


# --- The leads see everyone's counts -----------------------------------------------------------------


def test_leads_see_todays_counts_and_who_is_past_the_limit(client_for, lead, reviewer, policy, settings):
    settings.PORTAL_EXPOSURE_DAILY_LIMIT = 10
    today = exposure.exposure_day()
    reviewer.name = "Rana Reviewer"
    reviewer.save(update_fields=["name"])
    ExposureDay.objects.create(user=reviewer, day=today, reveals=9, downloads=3)
    ExposureDay.objects.create(user=policy, day=today, reveals=2, downloads=0)
    ExposureDay.objects.create(user=policy, day=today - timedelta(days=1), reveals=50)

    response = client_for(lead).get("/queues/exposure/")

    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert [(r.user, r.reveals, r.downloads, r.total, r.past_limit) for r in rows] == [
        (reviewer, 9, 3, 12, True),
        (policy, 2, 0, 2, False),
    ]
    page = response.content.decode()
    assert "Rana Reviewer" in page and "past the limit" in page
    assert "1 person past the daily limit" in client_for(lead).get("/queues/").content.decode()


def test_leads_look_back_at_another_day(client_for, lead, policy):
    yesterday = exposure.exposure_day() - timedelta(days=1)
    ExposureDay.objects.create(user=policy, day=yesterday, reveals=50)

    response = client_for(lead).get(f"/queues/exposure/?day={yesterday.isoformat()}")

    assert [r.reveals for r in response.context["page"].object_list] == [50]
    assert client_for(lead).get("/queues/exposure/?day=not-a-day").status_code == 200


def test_the_leads_page_is_paginated(client_for, lead, platform):
    from partners.models import Role
    from tests.factories import make_member

    today = exposure.exposure_day()
    for _ in range(51):
        ExposureDay.objects.create(user=make_member(platform, Role.REVIEWER), day=today, reveals=1)

    first = client_for(lead).get("/queues/exposure/")
    second = client_for(lead).get("/queues/exposure/?page=2")

    assert len(first.context["page"].object_list) == 50
    assert len(second.context["page"].object_list) == 1


def test_reviewers_do_not_see_others_counts(client_for, reviewer, policy, media):
    referral, _ = media
    ExposureDay.objects.create(user=policy, day=exposure.exposure_day(), reveals=313, downloads=0)
    ExposureDay.objects.create(user=reviewer, day=exposure.exposure_day(), reveals=4, downloads=1)
    client = client_for(reviewer)

    assert client.get("/queues/exposure/").status_code == 403
    queues = client.get("/queues/").content.decode()
    assert "/queues/exposure/" not in queues
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "Your exposure today: 4 revealed, 1 downloaded." in page
    # (Not a bare "313": evidence hashes on the page are hexadecimal and may hold it.)
    assert "313 revealed" not in page and policy.email not in page


def test_partners_and_anonymous_visitors_never_reach_the_leads_page(client, client_for, ngo_member):
    assert client_for(ngo_member).get("/queues/exposure/").status_code == 404
    response = client.get("/queues/exposure/")
    assert response.status_code == 302 and "/accounts/login/" in response["Location"]

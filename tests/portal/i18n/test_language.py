"""Which language and time zone a page, an API answer and an e-mail are in (SPEC §20)."""

import json
import re

import pytest
from django.core import mail
from django.test import Client
from django.utils import timezone

from portal.locale import TIME_ZONE_COOKIE
from portal.models import AuditEvent
from portal.notifications import notify_users


def html_tag(response) -> str:
    return re.search(r"<html[^>]*>", response.content.decode()).group(0)


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("accept", "tag", "skip_link"),
    [
        ("", '<html lang="en" dir="ltr">', "Skip to content"),
        ("fr-FR,fr;q=0.9,en;q=0.5", '<html lang="fr" dir="ltr">', "Aller au contenu"),
        ("ar-MA,ar;q=0.9", '<html lang="ar" dir="rtl">', "الانتقال إلى المحتوى"),
        ("de-DE,de;q=0.9", '<html lang="en" dir="ltr">', "Skip to content"),
    ],
)
def test_a_visitor_gets_the_browsers_language_else_english(accept, tag, skip_link):
    response = Client(HTTP_ACCEPT_LANGUAGE=accept).get("/accounts/login/")
    assert html_tag(response) == tag
    assert skip_link in response.content.decode()


@pytest.mark.django_db
def test_the_switcher_sets_a_visitors_language_and_returns_to_the_page():
    client = Client(HTTP_ACCEPT_LANGUAGE="en")
    response = client.post("/i18n/language/", {"language": "ar", "next": "/transparency/"})
    assert response.status_code == 302
    assert response.url == "/transparency/"
    assert html_tag(client.get("/transparency/")) == '<html lang="ar" dir="rtl">'


@pytest.mark.django_db
def test_the_switcher_refuses_to_send_a_visitor_to_another_site():
    response = Client().post("/i18n/language/", {"language": "fr", "next": "https://evil.example/"})
    assert response.status_code == 302
    assert "evil.example" not in response.url


def test_the_sign_in_page_offers_every_language_named_in_itself(db):
    page = Client().get("/accounts/login/").content.decode()
    assert 'action="/i18n/language/"' in page
    for code, name in [("en", "English"), ("fr", "Français"), ("ar", "العربية")]:
        assert f'<option value="{code}" lang="{code}"' in page
        assert name in page


def test_a_persons_saved_language_wins_over_the_browsers(client_for, ngo_member):
    ngo_member.language = "fr"
    ngo_member.save()
    response = client_for(ngo_member).get("/", HTTP_ACCEPT_LANGUAGE="ar")
    assert html_tag(response) == '<html lang="fr" dir="ltr">'


def test_the_switcher_saves_a_signed_in_persons_language_with_an_audit_entry(client_for, ngo_member):
    client = client_for(ngo_member)
    assert ngo_member.language == ""
    response = client.post("/i18n/language/", {"language": "ar", "next": "/"})
    assert response.status_code == 302
    ngo_member.refresh_from_db()
    assert ngo_member.language == "ar"
    entry = AuditEvent.objects.get(action="user.preferences")
    assert entry.data["after"] == {"language": "ar", "time_zone": ""}
    # A new session, another browser: still Arabic.
    assert html_tag(client_for(ngo_member).get("/", HTTP_ACCEPT_LANGUAGE="en")) == '<html lang="ar" dir="rtl">'


def test_an_unenrolled_liaison_can_switch_language_while_setting_up_two_factor(client, liaison):
    client.force_login(liaison, backend="django.contrib.auth.backends.ModelBackend")
    response = client.post("/i18n/language/", {"language": "fr", "next": "/accounts/2fa/totp/activate"})
    assert response.status_code == 302
    liaison.refresh_from_db()
    assert liaison.language == "fr"


def test_the_preferences_page_needs_a_signed_in_person(client):
    response = client.get("/account/preferences/")
    assert response.status_code == 302
    assert response.url.startswith("/accounts/login/")


def test_preferences_save_language_and_time_zone(client_for, ngo_member):
    client = client_for(ngo_member)
    page = client.get("/account/preferences/")
    assert page.status_code == 200
    response = client.post("/account/preferences/", {"language": "fr", "time_zone": "Africa/Casablanca"})
    assert response.status_code == 302
    ngo_member.refresh_from_db()
    assert (ngo_member.language, ngo_member.time_zone) == ("fr", "Africa/Casablanca")
    # The confirmation is in the language just chosen.
    assert "Vos préférences sont enregistrées." in client.get(response.url).content.decode()


def test_preferences_refuse_an_unknown_time_zone_and_save_nothing(client_for, ngo_member):
    client = client_for(ngo_member)
    response = client.post("/account/preferences/", {"language": "fr", "time_zone": "Mars/Olympus"})
    assert response.status_code == 200
    assert "error-summary" in response.content.decode()
    assert response.content.decode().count("<title>Error:") == 1
    ngo_member.refresh_from_db()
    assert (ngo_member.language, ngo_member.time_zone) == ("", "")
    assert not AuditEvent.objects.filter(action="user.preferences").exists()


def test_the_api_answers_in_the_requests_language_not_the_persons(api_for, ngo_member, anon_api):
    ngo_member.language = "ar"
    ngo_member.save()
    api = api_for(ngo_member)
    response = api.post("/api/v1/referrals/", {}, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert response["Content-Language"] == "fr"
    assert anon_api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="fr").json() == {
        "detail": "Informations d'authentification non fournies."
    }
    # The codes stay codes.
    assert api.get("/api/v1/me/", HTTP_ACCEPT_LANGUAGE="ar").json()["role"] == "ngo_member"


def test_times_are_shown_in_the_persons_zone_else_the_browsers(client_for, ngo_member):
    client = client_for(ngo_member)
    client.cookies[TIME_ZONE_COOKIE] = "Asia/Tokyo"
    response = client.get("/notifications/")
    assert response.context["TIME_ZONE"] == "Asia/Tokyo"
    ngo_member.time_zone = "America/Montreal"
    ngo_member.save()
    assert client.get("/notifications/").context["TIME_ZONE"] == "America/Montreal"


def test_an_unknown_browser_zone_is_ignored(client_for, ngo_member):
    client = client_for(ngo_member)
    client.cookies[TIME_ZONE_COOKIE] = "Nowhere/Land"
    assert client.get("/notifications/").context["TIME_ZONE"] == "UTC"


def test_each_recipient_is_written_to_in_their_language_and_time_zone(
    django_capture_on_commit_callbacks, ngo_member, ngo_admin
):
    ngo_member.language, ngo_member.time_zone = "ar", "Asia/Riyadh"
    ngo_member.save()
    ngo_admin.language, ngo_admin.time_zone = "fr", "Europe/Paris"
    ngo_admin.save()
    with django_capture_on_commit_callbacks(execute=True):
        notes = notify_users(
            [ngo_member, ngo_admin],
            "platform_role_changed",
            {"organisation": ngo_member.membership.organisation, "member": "x@example.org", "change": "", "by": None},
        )
    by_address = {m.to[0]: m for m in mail.outbox}
    arabic, french = by_address[ngo_member.email], by_address[ngo_admin.email]
    assert 'lang="ar" dir="rtl"' in arabic.alternatives[0][0]
    assert 'lang="fr" dir="ltr"' in french.alternatives[0][0]
    assert arabic.subject != french.subject
    assert {n.user_id: n.subject for n in notes} == {ngo_member.pk: arabic.subject, ngo_admin.pk: french.subject}
    assert timezone.get_current_timezone_name() == "UTC"  # nothing leaks into the caller


def test_the_scripts_strings_come_once_a_day_per_language_even_for_a_signed_in_person(client_for, ngo_member):
    client = client_for(ngo_member)
    page = client.get("/", HTTP_ACCEPT_LANGUAGE="fr").content.decode()
    assert '<script src="/jsi18n/fr/"></script>' in page

    catalogue = client.get("/jsi18n/fr/")
    assert catalogue.status_code == 200
    assert "en retard de %(time)s" in catalogue.content.decode()
    assert catalogue["Cache-Control"] == "public, max-age=86400"
    # Pages stay private.
    assert client.get("/").get("Cache-Control") == "private, no-store"
    # The address names the language, whatever the person's own setting; unknown: English.
    assert json.dumps("متأخر بمقدار")[1:-1] in client.get("/jsi18n/ar/").content.decode()  # as JavaScript escapes it
    assert "en retard" not in client.get("/jsi18n/xx/").content.decode()

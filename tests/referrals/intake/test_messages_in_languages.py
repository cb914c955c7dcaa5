"""A filer reads why a referral was refused in their language: the form's and the API's
messages, the routing engine's included (it marks its text without importing Django)."""

from referrals.engine.normalise import TargetError, normalise_target
from referrals.engine.text import Text
from referrals.models import Referral
from referrals.services.labels import engine_text
from tests.referrals.factories import referral_data


def test_an_engine_message_with_values_reads_in_english_and_keeps_its_id():
    try:
        normalise_target({"url": "https://x.com/" + "a" * 300})
    except TargetError as exc:
        message = exc.args[0]
    assert isinstance(message, Text)
    assert message.msgid == "The account is longer than %(max)d characters."
    assert str(message) == f"The account is longer than {message.values['max']} characters."


def test_the_api_says_why_a_target_is_refused_in_the_requests_language(api_for, ngo_member):
    data = referral_data(targets=[{"url": "ftp://example.org/file"}])
    response = api_for(ngo_member).post("/api/v1/referrals/", data, format="json", HTTP_ACCEPT_LANGUAGE="fr")
    assert response.status_code == 400
    assert "Seules les URL http:// et https:// sont acceptées." in str(response.json())
    assert not Referral.objects.exists()


def test_the_form_says_it_in_the_persons_language(client_for, ngo_member):
    ngo_member.language = "ar"
    ngo_member.save()
    response = client_for(ngo_member).post(
        "/referrals/new/",
        {
            "kind": "notice",
            "category": "propaganda",
            "severity": "medium",
            "explanation": "The account spreads a proscribed group's propaganda.",
            "targets": "https://x.com/" + "a" * 300,
            "good_faith_confirmed": "on",
        },
    )
    assert response.status_code == 200
    assert "يتجاوز اسم الحساب" in response.content.decode()


def test_engine_text_without_values_and_unknown_text(settings):
    from django.utils import translation

    with translation.override("fr"):
        assert engine_text("The URL has no host name.") == "L'URL n'a pas de nom d'hôte."
        assert (
            engine_text(Text("The URL is longer than %(max)d characters.", max=2048))
            == "L'URL dépasse 2048 caractères."
        )
        assert engine_text("text nobody marked") == "text nobody marked"


def test_the_received_line_is_stored_in_english_whatever_the_filers_language(api_for, liaison):
    client = api_for(liaison)
    for language in ("fr", "ar"):
        response = client.post(
            "/api/v1/referrals/", referral_data("le_referral"), format="json", HTTP_ACCEPT_LANGUAGE=language
        )
        assert response.status_code == 201, response.json()

    for referral in Referral.objects.all():
        event = referral.events.get(type="received")
        assert event.message.startswith("Law-enforcement referral received at ")
        assert event.data["said"]["values"]["kind"] == "Law-enforcement referral"

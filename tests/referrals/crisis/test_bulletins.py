"""Bulletins of an incident (SPEC §18): policy staff and queue leads post what partners should
report; every member of every verified partner organisation gets it in-app and by e-mail, in
their language, and sees a banner while the incident is active."""

from __future__ import annotations

import pytest
from django.core import mail
from django.db import connection
from django.template.loader import render_to_string
from django.test import RequestFactory
from django.test.utils import CaptureQueriesContext

from partners.models import OrganisationKind, Role
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.models import AuditEvent, Notification
from referrals.crisis.services.bulletins import bulletin_post
from referrals.models import Bulletin, IncidentStatus
from tests.factories import OrganisationFactory, make_member
from tests.referrals.crisis.factories import incident

pytestmark = pytest.mark.django_db

BODY = "Report any copy of the attacker's livestream or manifesto, with the URL where you saw it."


@pytest.fixture
def live():
    return incident(title="Riverside attack", keywords=["manifesto"])


@pytest.fixture
def partners(ngo_member, ngo_admin, other_ngo_member, liaison):
    """A member and an admin of a verified NGO, a member of another verified NGO, and a liaison
    of a verified agency."""
    return [ngo_member, ngo_admin, other_ngo_member, liaison]


@pytest.fixture
def outsiders(unverified_liaison, reviewer, policy):
    """Who never gets a bulletin: an unverified agency's liaison, a member of an unverified
    NGO, a deactivated partner, and platform staff."""
    unverified_ngo_member = make_member(OrganisationFactory(verified=False), Role.NGO_MEMBER)
    inactive = make_member(OrganisationFactory(), Role.NGO_MEMBER)
    inactive.is_active = False
    inactive.save()
    return [unverified_liaison, unverified_ngo_member, inactive, reviewer, policy]


def post(by, on, body=BODY, capture=None):
    if capture is None:
        return bulletin_post(by=by, incident=on, body=body)
    with capture(execute=True):
        return bulletin_post(by=by, incident=on, body=body)


# --- Delivery -------------------------------------------------------------------------------------


def test_every_member_of_every_verified_partner_gets_it_in_app_and_by_email(
    lead, live, partners, outsiders, django_capture_on_commit_callbacks
):
    assert Notification.objects.count() == 0

    bulletin = post(lead, live, capture=django_capture_on_commit_callbacks)

    assert bulletin.recipients == len(partners) == 4
    assert set(Notification.objects.values_list("user", flat=True)) == {p.pk for p in partners}
    assert sorted(m.to[0] for m in mail.outbox) == sorted(p.email for p in partners)
    assert all(len(m.to) == 1 for m in mail.outbox)  # nobody sees the others' addresses
    for outsider in outsiders:
        assert not Notification.objects.filter(user=outsider).exists()
    assert Bulletin.objects.get().body == BODY


def test_the_platform_organisation_is_never_a_partner_even_when_verified(
    lead, live, platform, django_capture_on_commit_callbacks
):
    assert platform.kind == OrganisationKind.PLATFORM and platform.verified
    make_member(platform, Role.REVIEWER)

    bulletin = post(lead, live, capture=django_capture_on_commit_callbacks)

    assert bulletin.recipients == 0
    assert mail.outbox == [] and Notification.objects.count() == 0


def test_each_partner_gets_it_in_their_own_language(
    lead, live, ngo_member, other_ngo_member, liaison, django_capture_on_commit_callbacks
):
    ngo_member.language = "fr"
    ngo_member.save()
    liaison.language = "ar"
    liaison.save()

    post(lead, live, capture=django_capture_on_commit_callbacks)

    # Each e-mail is one document rendered in its recipient's language (and direction); the
    # wording is whatever the catalogues say, so the rendering language is what is checked.
    html = {m.to[0]: m.alternatives[0][0] for m in mail.outbox}
    assert '<html lang="fr" dir="ltr">' in html[ngo_member.email]
    assert '<html lang="ar" dir="rtl">' in html[liaison.email]
    assert '<html lang="en" dir="ltr">' in html[other_ngo_member.email]
    assert len({m.subject for m in mail.outbox}) >= 1


def test_the_email_and_the_notification_name_the_incident_quote_the_bulletin_and_link_to_it(
    lead, live, ngo_member, settings, django_capture_on_commit_callbacks
):
    post(lead, live, capture=django_capture_on_commit_callbacks)

    (message,) = mail.outbox
    link = f"{settings.PORTAL_BASE_URL}/incidents/{live.slug}/"
    assert message.subject == "Incident bulletin: Riverside attack"
    assert BODY in message.body and link in message.body
    assert "attacker&#x27;s livestream" in message.alternatives[0][0] and f'href="{link}"' in message.alternatives[0][0]
    note = Notification.objects.get(user=ngo_member)
    assert note.subject == message.subject and BODY in note.body
    assert note.link == f"/incidents/{live.slug}/"


def test_posting_is_audited_with_how_many_it_reached(lead, live, partners):
    bulletin = post(lead, live)

    event = AuditEvent.objects.get(action="incident.bulletin")
    assert event.actor == lead and event.object_id == str(live.pk)
    assert event.data["recipients"] == 4 and event.data["bulletin"] == bulletin.pk


def test_the_queries_do_not_grow_with_the_number_of_partners(lead, live, ngo, django_capture_on_commit_callbacks):
    make_member(ngo, Role.NGO_MEMBER)
    post(lead, live)  # the poster's membership is read once

    def queries() -> int:
        with django_capture_on_commit_callbacks(execute=False), CaptureQueriesContext(connection) as captured:
            post(lead, live)
        return len(captured)

    few = queries()
    for n in range(30):
        organisation = OrganisationFactory(kind=OrganisationKind.LAW_ENFORCEMENT if n % 2 else OrganisationKind.NGO)
        make_member(organisation, Role.LE_LIAISON if n % 2 else Role.NGO_MEMBER)
    for language in ("fr", "ar"):
        member = make_member(ngo, Role.NGO_MEMBER)
        member.language = language
        member.save()

    # SAVEPOINT, the incident locked, the recipients, the bulletin, the notifications (one
    # insert), the audit entry, the partners' webhooks listening (SPEC §19: none here),
    # RELEASE SAVEPOINT: the same for 1 partner or 33.
    assert queries() == few == 8
    assert Bulletin.objects.order_by("-pk").first().recipients == 33


# --- Refusals -------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["reviewer", "ngo_member", "liaison"])
def test_only_policy_staff_and_queue_leads_post_bulletins(request, persona, live, partners):
    with pytest.raises(NotAllowed):
        post(request.getfixturevalue(persona), live)

    assert Bulletin.objects.count() == 0 and Notification.objects.count() == 0


def test_policy_staff_post_bulletins_too(policy, live, partners):
    assert post(policy, live).recipients == 4


def test_a_closed_incident_takes_no_bulletin(lead, partners):
    closed = incident(status=IncidentStatus.CLOSED)

    with pytest.raises(TransitionError):
        post(lead, closed)

    assert Bulletin.objects.count() == 0 and Notification.objects.count() == 0


@pytest.mark.parametrize(
    "body",
    [
        "",
        "   ",
        "Too short to help.",  # 18 characters
        "\u202e\u2066" * 20 + "Report it.",  # format characters do not count
        "x" * 5001,
        "Report every copy\x00 of the video.",
    ],
)
def test_a_body_outside_20_to_5000_characters_is_refused_and_nothing_is_sent(
    lead, live, partners, body, django_capture_on_commit_callbacks
):
    with pytest.raises(DomainError) as refused:
        post(lead, live, body=body, capture=django_capture_on_commit_callbacks)

    assert refused.value.field == "body"
    assert Bulletin.objects.count() == 0 and Notification.objects.count() == 0 and mail.outbox == []


def test_format_characters_are_stripped_from_the_body(lead, live):
    bulletin = post(lead, live, body="\u202eReport every copy of the video\u2069 you find, with its URL.")

    assert bulletin.body == "Report every copy of the video you find, with its URL."


def test_a_body_of_exactly_20_and_5000_characters_is_taken(lead, live):
    assert len(post(lead, live, body="r" * 20).body) == 20
    assert len(post(lead, live, body="r" * 5000).body) == 5000


# --- API ------------------------------------------------------------------------------------------


def url(on) -> str:
    return f"/api/v1/incidents/{on.slug}/bulletins/"


def test_the_api_posts_a_bulletin_and_says_how_many_it_reached(api_for, lead, live, partners):
    response = api_for(lead).post(url(live), {"body": BODY}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == {"body", "posted_at", "recipients"}
    assert body["body"] == BODY and body["recipients"] == 4
    assert Bulletin.objects.get().posted_at.isoformat().startswith(body["posted_at"][:19])


def test_the_api_refuses_a_short_body_with_the_field(api_for, lead, live):
    response = api_for(lead).post(url(live), {"body": "Too short."}, format="json")

    assert response.status_code == 400
    assert list(response.json()) == ["body"]
    assert Bulletin.objects.count() == 0


def test_the_api_refuses_a_missing_body(api_for, lead, live):
    response = api_for(lead).post(url(live), {}, format="json")

    assert response.status_code == 400 and "body" in response.json()


@pytest.mark.parametrize("persona", ["reviewer", "ngo_member", "liaison"])
def test_those_who_see_the_incident_but_may_not_post_get_403(request, api_for, persona, live):
    response = api_for(request.getfixturevalue(persona)).post(url(live), {"body": BODY}, format="json")

    assert response.status_code == 403 and "detail" in response.json()
    assert Bulletin.objects.count() == 0


def test_those_who_cannot_see_the_incident_get_404(api_for, unverified_liaison, live):
    response = api_for(unverified_liaison).post(url(live), {"body": BODY}, format="json")

    assert response.status_code == 404


def test_an_unknown_incident_is_404(api_for, lead):
    assert (
        api_for(lead).post("/api/v1/incidents/nothing-here/bulletins/", {"body": BODY}, format="json").status_code
        == 404
    )


def test_a_closed_incident_is_409_for_leads_and_404_for_partners(api_for, lead, ngo_member):
    closed = incident(status=IncidentStatus.CLOSED)

    assert api_for(lead).post(url(closed), {"body": BODY}, format="json").status_code == 409
    assert api_for(ngo_member).post(url(closed), {"body": BODY}, format="json").status_code == 404
    assert Bulletin.objects.count() == 0


def test_the_anonymous_get_401(anon_api, live):
    assert anon_api.post(url(live), {"body": BODY}, format="json").status_code == 401


# --- The page ---------------------------------------------------------------------------------------


def page_url(on) -> str:
    return f"/incidents/{on.slug}/bulletins/"


def test_a_lead_posts_from_the_page_and_is_told_how_many_it_reached(client_for, lead, live, partners):
    response = client_for(lead).post(page_url(live), {"body": BODY}, follow=False)

    assert response.status_code == 302
    assert response["Location"] == f"/incidents/{live.slug}/#bulletins"
    assert Bulletin.objects.get().recipients == 4
    messages = [str(m) for m in response.wsgi_request._messages]
    assert messages == ["Bulletin sent to 4 people in the verified partner organisations."]


def test_a_refused_body_comes_back_as_a_message_and_nothing_is_sent(client_for, lead, live, partners):
    response = client_for(lead).post(page_url(live), {"body": "Too short."})

    assert response.status_code == 302
    assert Bulletin.objects.count() == 0
    assert [m.level_tag for m in response.wsgi_request._messages] == ["error"]


@pytest.mark.parametrize(("persona", "code"), [("reviewer", 403), ("ngo_member", 403), ("unverified_liaison", 404)])
def test_the_page_refuses_others(request, client_for, persona, code, live):
    response = client_for(request.getfixturevalue(persona)).post(page_url(live), {"body": BODY})

    assert response.status_code == code
    assert Bulletin.objects.count() == 0


def test_the_page_takes_posts_only(client_for, lead, live):
    assert client_for(lead).get(page_url(live)).status_code == 405


def _section(user, on) -> str:
    request = RequestFactory().get(f"/incidents/{on.slug}/")
    request.user = user
    return render_to_string("crisis/_bulletins.html", {"incident": on}, request=request)


def test_the_section_lists_the_bulletins_newest_first_with_the_form_for_leads(lead, live):
    post(lead, live, body="First bulletin: report the livestream copies.")
    post(lead, live, body="Second bulletin: report the manifesto\nwith its URL.")

    section = _section(lead, live)

    assert section.index("Second bulletin") < section.index("First bulletin")
    assert (
        '<div class="bulletin-body" dir="auto"><p>Second bulletin: report the manifesto<br>with its URL.</p></div>'
        in section
    )
    assert f'action="/incidents/{live.slug}/bulletins/"' in section


@pytest.mark.parametrize("persona", ["reviewer", "ngo_member"])
def test_the_section_has_no_form_for_those_who_may_not_post(request, persona, lead, live):
    post(lead, live)

    section = _section(request.getfixturevalue(persona), live)

    assert BODY.replace("'", "&#x27;") in section
    assert "<form" not in section


def test_the_section_has_no_form_once_the_incident_is_closed(lead, live):
    post(lead, live)
    live.status = IncidentStatus.CLOSED
    live.save()

    assert "<form" not in _section(lead, live)


def test_partners_are_not_told_how_many_people_a_bulletin_reached(lead, ngo_member, live, partners):
    post(lead, live)

    assert "sent to 4 people" in _section(lead, live)
    assert "sent to" not in _section(ngo_member, live)


# --- The banner -------------------------------------------------------------------------------------

BANNER = "data-incident-banner"


def test_partners_see_the_banner_with_the_latest_bulletins_first_line_while_it_is_active(
    client_for, lead, live, ngo_member, liaison
):
    post(lead, live, body="An older bulletin that the banner no longer shows.")
    post(lead, live, body="Report copies of the livestream first.\nThen the manifesto, with its URL.")

    for partner in (ngo_member, liaison):
        page = client_for(partner).get("/").content.decode()
        assert BANNER in page
        assert "Incident: <bdi>Riverside attack</bdi>" in page
        assert "Report copies of the livestream first." in page
        assert "Then the manifesto" not in page and "older bulletin" not in page
        assert f'href="/incidents/{live.slug}/"' in page


def test_the_banner_shows_an_incident_without_a_bulletin_by_its_title(client_for, live, ngo_member):
    page = client_for(ngo_member).get("/notifications/").content.decode()

    assert BANNER in page and "Riverside attack" in page


def test_the_banner_is_gone_once_the_incident_is_closed(client_for, lead, live, ngo_member):
    post(lead, live)
    client = client_for(ngo_member)
    assert BANNER in client.get("/").content.decode()

    live.status = IncidentStatus.CLOSED
    live.save()

    assert BANNER not in client.get("/").content.decode()


@pytest.mark.parametrize("persona", ["unverified_liaison", "reviewer", "lead"])
def test_platform_staff_and_unverified_organisations_see_no_banner(request, client_for, persona, lead, live):
    post(lead, live)

    assert BANNER not in client_for(request.getfixturevalue(persona)).get("/").content.decode()


def test_the_anonymous_see_no_banner(client, live):
    assert BANNER not in client.get("/transparency/").content.decode()


def _incident_queries(client, url: str) -> list[str]:
    client.get(url)  # warm: the first request of a session records its use
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "referrals_incident" in q["sql"]]


def test_the_banner_costs_partners_one_query_and_others_none(
    client_for, lead, reviewer, unverified_liaison, live, ngo_member
):
    post(lead, live)

    assert len(_incident_queries(client_for(ngo_member), "/notifications/")) == 1
    for other in (lead, reviewer, unverified_liaison):
        assert _incident_queries(client_for(other), "/notifications/") == []


def test_the_live_page_shows_the_bulletins_to_partners_and_the_form_to_leads(client_for, lead, ngo_member, live):
    post(lead, live)

    for_partner = client_for(ngo_member).get(f"/incidents/{live.slug}/").content.decode()
    for_lead = client_for(lead).get(f"/incidents/{live.slug}/").content.decode()

    assert 'id="bulletins"' in for_partner and "attacker&#x27;s livestream" in for_partner
    assert f'action="/incidents/{live.slug}/bulletins/"' not in for_partner
    assert f'action="/incidents/{live.slug}/bulletins/"' in for_lead

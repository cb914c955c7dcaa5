"""Outbound notices (SPEC §17; DSA Art. 18): platform staff tell an agency of a threat to life
or safety they found; the agency's liaisons are alerted, read it on their desk and acknowledge
it; nobody else sees it; everything is audited."""

import uuid

import pytest
from django.core import mail

from partners.models import OrganisationKind, Role
from portal.errors import NotAllowed
from portal.models import AuditEvent, Notification
from referrals.law_enforcement.services.outbound import outbound_notice_acknowledge, outbound_notice_create
from referrals.models import OutboundNotice
from tests.factories import OrganisationFactory, make_member
from tests.referrals.factories import make_referral

SUMMARY = "A user announced an attack on a named school tomorrow morning and posted a photo of a weapon."
URL = "/api/v1/outbound-notices/"


def body(**overrides) -> dict:
    data = {
        "agency": "test-police",
        "summary": SUMMARY,
        "targets": [{"url": "https://twitter.com/Threatening_User/"}, {"platform": "Telegram", "account": "@Chan"}],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


@pytest.fixture
def other_agency_liaison(db):
    agency = OrganisationFactory(
        name="Other Police", slug="other-police", kind=OrganisationKind.LAW_ENFORCEMENT, email_domains=["op.test"]
    )
    return make_member(agency, Role.LE_LIAISON)


@pytest.fixture
def notice(reviewer, liaison):
    """A notice to the liaison's agency, sent through the service."""
    return outbound_notice_create(
        by=reviewer, agency_slug="test-police", summary=SUMMARY, targets=[{"platform": "x", "account": "someone"}]
    )


# --- Sending --------------------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_staff_send_a_notice_with_normalised_accounts(
    api_for, request, persona, liaison, django_capture_on_commit_callbacks
):
    sender = request.getfixturevalue(persona)
    assert OutboundNotice.objects.count() == 0
    targets = [
        {"url": "HTTPS://X.com/Threatening_User/"},
        {"platform": "Telegram", "account": "@Chan"},
        {"url": "https://x.com/Threatening_User"},  # the same again
    ]
    with django_capture_on_commit_callbacks(execute=True):
        response = api_for(sender).post(URL, body(targets=targets), format="json")

    assert response.status_code == 201, response.json()
    notice = OutboundNotice.objects.get()
    assert response.json() == {
        "id": str(notice.id),
        "agency": "test-police",
        "summary": SUMMARY,
        "referral": None,
        "targets": [
            {"url": "https://x.com/Threatening_User", "platform": "x", "account": "threatening_user", "content_id": ""},
            {"platform": "telegram", "account": "chan", "content_id": ""},
        ],
        "created_at": notice.created_at.isoformat().replace("+00:00", "Z"),
        "acknowledged_at": None,
    }
    assert notice.created_by == sender
    assert notice.agency.slug == "test-police"
    entry = AuditEvent.objects.get(action="outbound_notice.create")
    assert entry.actor == sender
    assert entry.object_id == str(notice.id)
    assert entry.organisation == notice.agency


@pytest.mark.django_db
def test_the_agencys_liaisons_are_alerted_in_app_and_by_email(
    reviewer, liaison, agency, other_agency_liaison, ngo_member, django_capture_on_commit_callbacks
):
    colleague = make_member(agency, Role.LE_LIAISON)
    mail.outbox.clear()
    with django_capture_on_commit_callbacks(execute=True):
        notice = outbound_notice_create(
            by=reviewer,
            agency_slug="test-police",
            summary=SUMMARY,
            targets=[{"url": "https://x.com/threatening_user"}, {"platform": "telegram", "account": "chan"}],
        )
    assert sorted(to for m in mail.outbox for to in m.to) == sorted([liaison.email, colleague.email])
    message = mail.outbox[0]
    assert message.subject == "Threat to life or safety reported by the platform"
    assert SUMMARY in message.body
    assert "https://x.com/threatening_user" in message.body
    assert "telegram:chan" in message.body
    assert f"/outbound-notices/{notice.id}/" in message.body
    assert reviewer.email not in message.body  # the platform's author stays the platform's
    for user in (liaison, colleague):
        assert Notification.objects.filter(user=user, link=f"/outbound-notices/{notice.id}/").count() == 1
    for outsider in (other_agency_liaison, ngo_member, reviewer):
        assert not Notification.objects.filter(user=outsider).exists()


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"agency": None}, "agency"),
        ({"agency": "no-such-agency"}, "agency"),
        ({"agency": "peace-voices-test"}, "agency"),  # an NGO
        ({"agency": "new-police"}, "agency"),  # an agency not verified
        ({"agency": 12}, "agency"),
        ({"summary": None}, "summary"),
        ({"summary": "Too short to act on"}, "summary"),  # 19 characters
        ({"summary": "x" * 5001}, "summary"),
        ({"summary": "\u202e\u200b" + "short" + "\u2066"}, "summary"),  # format characters do not count
        ({"summary": ["not", "text"]}, "summary"),
        ({"targets": None}, "targets"),
        ({"targets": []}, "targets"),
        ({"targets": "https://x.com/someone"}, "targets"),
        ({"targets": [{"url": f"https://x.com/user{n}"} for n in range(101)]}, "targets"),
        ({"targets": [{"url": "https://x.com/fine"}, {"url": "not a url"}]}, "targets"),
        ({"referral": str(uuid.uuid4())}, "referral"),
        ({"referral": "R-2026-999999"}, "referral"),
        ({"referral": 5}, "referral"),
    ],
)
def test_each_invalid_field_is_a_400_on_that_field_and_nothing_is_stored(
    api_for, reviewer, liaison, ngo, unverified_agency, overrides, field
):
    mail.outbox.clear()
    response = api_for(reviewer).post(URL, body(**overrides), format="json")
    assert response.status_code == 400
    assert list(response.json()) == [field]
    assert OutboundNotice.objects.count() == 0
    assert not Notification.objects.exists()
    assert not AuditEvent.objects.filter(action="outbound_notice.create").exists()


@pytest.mark.django_db
def test_every_problem_is_reported_at_once_and_per_account(api_for, reviewer):
    response = api_for(reviewer).post(
        URL, {"targets": [{"url": "https://x.com/fine"}, {"url": "ftp://nowhere"}]}, format="json"
    )
    assert response.status_code == 400
    errors = response.json()
    assert set(errors) == {"agency", "summary", "targets"}
    assert errors["targets"][0] == {}
    assert list(errors["targets"][1]) == ["url"]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["liaison", "unverified_liaison", "ngo_member", "ngo_admin"])
def test_partners_may_not_send_notices(api_for, request, persona, liaison):
    user = request.getfixturevalue(persona)
    response = api_for(user).post(URL, body(), format="json")
    assert response.status_code == 403
    assert "platform staff" in response.json()["detail"]
    assert OutboundNotice.objects.count() == 0
    with pytest.raises(NotAllowed):
        outbound_notice_create(by=user, agency_slug="test-police", summary=SUMMARY, targets=body()["targets"])


@pytest.mark.django_db
def test_sending_needs_a_signed_in_user(anon_api, liaison):
    assert anon_api.post(URL, body(), format="json").status_code == 401
    assert anon_api.get(URL).status_code == 401


@pytest.mark.django_db
def test_a_notice_names_its_referral_to_the_agency_only_when_the_referral_is_its_own(
    api_for, reviewer, liaison, ngo_member
):
    own = make_referral(liaison, "le_referral", targets=[{"platform": "x", "account": "someone"}])
    ngo_notice = make_referral(ngo_member, targets=[{"platform": "x", "account": "someone"}])
    sent = [
        api_for(reviewer).post(URL, body(referral=str(referral.id)), format="json").json()
        for referral in (own, ngo_notice)
    ]
    assert [s["referral"] for s in sent] == [str(own.id), str(ngo_notice.id)]  # the platform sees both
    seen = {n["id"]: n["referral"] for n in api_for(liaison).get(URL).json()["results"]}
    assert seen == {sent[0]["id"]: str(own.id), sent[1]["id"]: None}  # another organisation's stays out
    assert OutboundNotice.objects.filter(referral=ngo_notice).exists()


# --- Scope ---------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_agencys_liaisons_and_the_platform_see_the_notice(api_for, notice, liaison, reviewer, policy):
    for user in (liaison, reviewer, policy):
        listed = api_for(user).get(URL).json()
        assert set(listed) == {"next", "previous", "results"}
        assert [n["id"] for n in listed["results"]] == [str(notice.id)]
        detail = api_for(user).get(f"{URL}{notice.id}/")
        assert detail.status_code == 200
        assert detail.json()["summary"] == SUMMARY


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["other_agency_liaison", "ngo_member", "ngo_admin", "unverified_liaison"])
def test_nobody_else_sees_the_notice(api_for, request, notice, persona):
    user = request.getfixturevalue(persona)
    assert api_for(user).get(URL).json()["results"] == []
    assert api_for(user).get(f"{URL}{notice.id}/").status_code == 404
    assert api_for(user).post(f"{URL}{notice.id}/acknowledge/").status_code == 404
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


@pytest.mark.django_db
def test_the_list_is_paginated_with_a_cursor_newest_first(api_for, reviewer, liaison):
    sent = [
        outbound_notice_create(by=reviewer, agency_slug="test-police", summary=SUMMARY, targets=body()["targets"])
        for _ in range(3)
    ]
    first = api_for(liaison).get(URL, {"page_size": 2}).json()
    assert [n["id"] for n in first["results"]] == [str(sent[2].id), str(sent[1].id)]
    second = api_for(liaison).get(first["next"]).json()
    assert [n["id"] for n in second["results"]] == [str(sent[0].id)]


@pytest.mark.django_db
def test_every_read_by_the_agency_is_audited(api_for, notice, liaison, other_agency_liaison):
    api_for(liaison).get(URL)
    api_for(liaison).get(f"{URL}{notice.id}/")
    api_for(other_agency_liaison).get(URL)  # saw nothing: nothing to record
    entries = AuditEvent.objects.filter(action="outbound_notice.view").order_by("pk")
    assert [(e.actor, e.data["view"], e.data["ids"]) for e in entries] == [
        (liaison, "api.outbound_notices", [str(notice.id)]),
        (liaison, "api.outbound_notice", [str(notice.id)]),
    ]
    assert entries[1].object_id == str(notice.id)
    assert {e.organisation_id for e in entries} == {notice.agency_id}


# --- Acknowledging ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_liaison_acknowledges_once(api_for, notice, liaison, agency):
    colleague = make_member(agency, Role.LE_LIAISON)
    assert notice.acknowledged_at is None
    response = api_for(liaison).post(f"{URL}{notice.id}/acknowledge/")
    assert response.status_code == 200
    notice.refresh_from_db()
    assert notice.acknowledged_by == liaison
    assert response.json()["acknowledged_at"] == notice.acknowledged_at.isoformat().replace("+00:00", "Z")

    # A colleague at the same moment: no error, and the first acknowledgement stands.
    again = api_for(colleague).post(f"{URL}{notice.id}/acknowledge/")
    assert again.status_code == 200
    assert again.json()["acknowledged_at"] == response.json()["acknowledged_at"]
    notice.refresh_from_db()
    assert notice.acknowledged_by == liaison
    entries = AuditEvent.objects.filter(action="outbound_notice.acknowledge")
    assert [(e.actor, e.object_id) for e in entries] == [(liaison, str(notice.id))]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_the_platform_does_not_acknowledge_its_own_notice(api_for, request, notice, persona):
    user = request.getfixturevalue(persona)
    response = api_for(user).post(f"{URL}{notice.id}/acknowledge/")
    assert response.status_code == 403
    with pytest.raises(NotAllowed):
        outbound_notice_acknowledge(by=user, notice=notice)
    notice.refresh_from_db()
    assert notice.acknowledged_at is None


# --- Pages -----------------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_platform_staff_send_a_notice_from_a_referral_page(client_for, reviewer, liaison, ngo_member):
    referral = make_referral(
        ngo_member, targets=[{"url": "https://x.com/threatening_user"}, {"platform": "telegram", "account": "chan"}]
    )
    client = client_for(reviewer)
    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert f'href="/outbound-notices/new/?referral={referral.reference}"' in page
    assert "Notify an agency" in page

    form = client.get(f"/outbound-notices/new/?referral={referral.reference}").content.decode()
    assert "https://x.com/threatening_user\ntelegram:chan" in form
    assert f'value="{referral.reference}"' in form
    assert "Test Police Unit" in form

    response = client.post(
        "/outbound-notices/new/",
        {
            "agency": "test-police",
            "summary": SUMMARY,
            "targets": "https://x.com/threatening_user\ntelegram:chan",
            "referral": referral.reference,
        },
    )
    notice = OutboundNotice.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/outbound-notices/{notice.id}/"
    assert notice.referral == referral
    assert [t["account"] for t in notice.targets] == ["threatening_user", "chan"]


@pytest.mark.django_db
def test_the_form_shows_every_problem_at_once(client_for, reviewer, liaison):
    response = client_for(reviewer).post(
        "/outbound-notices/new/",
        {"agency": "", "summary": "short", "targets": "https://x.com/fine\nftp://nowhere", "referral": "R-2026-9"},
    )
    assert response.status_code == 200
    page = response.content.decode()
    assert "There is a problem" in page
    assert "Write between 20 and 5000 characters; this has 5." in page
    assert "Line 2:" in page
    assert "No such referral." in page
    assert OutboundNotice.objects.count() == 0


@pytest.mark.django_db
def test_the_sending_page_is_for_platform_staff(client_for, liaison, ngo_member):
    assert client_for(liaison).get("/outbound-notices/new/").status_code == 403
    assert client_for(ngo_member).get("/outbound-notices/new/").status_code == 404
    assert client_for(ngo_member).get("/outbound-notices/").status_code == 404


@pytest.mark.django_db
def test_the_notices_link_is_in_the_platforms_navigation(client_for, reviewer, ngo_member):
    assert 'href="/outbound-notices/"' in client_for(reviewer).get("/").content.decode()
    assert 'href="/outbound-notices/"' not in client_for(ngo_member).get("/").content.decode()


@pytest.mark.django_db
def test_the_desk_shows_notices_unacknowledged_first_and_acknowledges_them(client_for, reviewer, liaison):
    older = outbound_notice_create(
        by=reviewer, agency_slug="test-police", summary="Older notice: " + SUMMARY, targets=body()["targets"]
    )
    newer = outbound_notice_create(
        by=reviewer, agency_slug="test-police", summary="Newer notice: " + SUMMARY, targets=body()["targets"]
    )
    outbound_notice_acknowledge(by=liaison, notice=newer)
    client = client_for(liaison)
    page = client.get("/").content.decode()
    assert "Notices from the platform" in page
    assert page.index("Older notice") < page.index("Newer notice")  # not yet acknowledged comes first
    assert page.count(f'action="/outbound-notices/{older.id}/acknowledge/"') == 1
    assert f'action="/outbound-notices/{newer.id}/acknowledge/"' not in page
    viewed = AuditEvent.objects.filter(action="outbound_notice.view", data__view="home").get()
    assert sorted(viewed.data["ids"]) == sorted([str(older.id), str(newer.id)])

    response = client.post(f"/outbound-notices/{older.id}/acknowledge/", {"back": "home"})
    assert response.status_code == 302
    assert response["Location"] == "/"
    older.refresh_from_db()
    assert older.acknowledged_by == liaison


@pytest.mark.django_db
def test_the_liaison_reads_the_notice_page_and_it_is_audited(client_for, notice, liaison, reviewer):
    page = client_for(liaison).get(f"/outbound-notices/{notice.id}/").content.decode()
    assert SUMMARY in page
    assert "someone" in page
    assert ">Acknowledge<" in page
    assert reviewer.email not in page
    entry = AuditEvent.objects.get(action="outbound_notice.view", data__view="outbound_notice")
    assert (entry.actor, entry.object_id) == (liaison, str(notice.id))


@pytest.mark.django_db
def test_the_pages_hide_the_notice_from_others(client_for, notice, other_agency_liaison, ngo_member, reviewer):
    for user in (other_agency_liaison, ngo_member):
        assert client_for(user).get(f"/outbound-notices/{notice.id}/").status_code == 404
        assert client_for(user).post(f"/outbound-notices/{notice.id}/acknowledge/").status_code == 404
    assert "No notice yet." in client_for(other_agency_liaison).get("/outbound-notices/").content.decode()
    assert client_for(reviewer).post(f"/outbound-notices/{notice.id}/acknowledge/").status_code == 403
    page = client_for(reviewer).get("/outbound-notices/").content.decode()
    assert f'href="/outbound-notices/{notice.id}/"' in page
    notice.refresh_from_db()
    assert notice.acknowledged_at is None

"""Filing referrals through POST /api/v1/referrals/ (SPEC §3.1, §3.2, §3.3)."""

import pytest

from portal.models import AuditEvent
from referrals.models import Referral, Subject, Target, TimelineEvent
from tests.referrals.factories import referral_data

URL = "/api/v1/referrals/"
PLATFORM_ONLY = {"queue", "priority", "assignee", "routing_reasons", "routed_at", "related_count"}


def post(client, data, **headers):
    return client.post(URL, data, format="json", **headers)


@pytest.mark.django_db
def test_three_forms_of_one_account_name_one_subject(api_for, ngo_member, django_capture_on_commit_callbacks):
    client = api_for(ngo_member)
    targets = [
        {"url": "https://twitter.com/SomeOne/status/1?s=20"},
        {"url": "https://mobile.x.com/someone"},
        {"platform": "x", "account": "@SomeOne"},
    ]
    with django_capture_on_commit_callbacks(execute=False):
        response = post(client, referral_data(targets=targets))
    assert response.status_code == 201, response.json()
    body = response.json()
    subjects = {t["subject"] for t in body["targets"]}
    assert len(subjects) == 1
    assert Subject.objects.get().account == "someone"
    assert [t["account"] for t in body["targets"]] == ["someone", "someone", "someone"]
    assert body["targets"][0]["content_id"] == "1"


@pytest.mark.django_db
def test_same_subject_across_referrals_and_organisations(api_for, ngo_member, other_ngo_member):
    first = post(api_for(ngo_member), referral_data(targets=[{"url": "https://x.com/someone"}])).json()
    second = post(api_for(other_ngo_member), referral_data(targets=[{"platform": "twitter", "account": "SomeOne"}]))
    assert second.json()["targets"][0]["subject"] == first["targets"][0]["subject"]
    assert Subject.objects.count() == 1


@pytest.mark.django_db
def test_subjects_named_together_are_linked(api_for, ngo_member):
    targets = [{"url": "https://x.com/hyper"}, {"url": "https://t.me/amplifier"}, {"url": "https://youtu.be/abc"}]
    response = post(api_for(ngo_member), referral_data(targets=targets))
    assert response.status_code == 201
    hyper = Subject.objects.get(account="hyper")
    assert [s.account for s in hyper.linked.all()] == ["amplifier"]
    assert response.json()["targets"][2]["subject"] is None  # a video names content, not an account


@pytest.mark.django_db
def test_notice_is_stored_received_with_timeline_and_routing_enqueued(
    api_for, ngo_member, django_capture_on_commit_callbacks
):
    assert Referral.objects.count() == 0
    with django_capture_on_commit_callbacks(execute=False) as callbacks:
        response = post(api_for(ngo_member), referral_data())
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert referral.status == "received"
    assert referral.submitted_by == ngo_member
    assert response.json()["reference"] == referral.reference
    assert response.json()["id"] == str(referral.id)
    assert TimelineEvent.objects.get(referral=referral).type == "received"
    assert AuditEvent.objects.filter(action="referral.submit", object_id=str(referral.pk)).exists()
    assert len(callbacks) == 2  # the routing task and the receipt notice, published after commit


@pytest.mark.django_db
def test_partners_never_see_platform_fields(api_for, ngo_member):
    body = post(api_for(ngo_member), referral_data()).json()
    assert PLATFORM_ONLY.isdisjoint(body)
    assert body["organisation"]["slug"] == "peace-voices-test"


@pytest.mark.django_db
def test_platform_roles_see_platform_fields(api_for, ngo_member, reviewer):
    referral_id = post(api_for(ngo_member), referral_data()).json()["id"]
    body = api_for(reviewer).get(f"{URL}{referral_id}/").json()
    assert set(body) >= PLATFORM_ONLY


@pytest.mark.django_db
def test_removal_order_acknowledges_receipt_and_starts_the_60_minute_clock(api_for, liaison):
    response = post(api_for(liaison), referral_data("removal_order"))
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert (referral.due_at - referral.received_at).total_seconds() == 3600
    event = TimelineEvent.objects.get(referral=referral)
    assert "60-minute clock" in event.message


@pytest.mark.django_db
def test_emergency_request_is_always_imminent(api_for, liaison):
    response = post(api_for(liaison), referral_data("emergency_request", severity="low"))
    assert response.status_code == 201
    assert response.json()["severity"] == "imminent"


@pytest.mark.django_db
def test_preservation_request_defaults_to_90_days(api_for, liaison):
    from datetime import timedelta

    from django.utils import timezone

    response = post(api_for(liaison), referral_data("preservation_request"))
    assert response.status_code == 201
    assert response.json()["preserve_until"] == str(timezone.localdate() + timedelta(days=90))


# --- Who may file what -----------------------------------------------------------------------

ALLOWED = [
    ("ngo_member", "notice"),
    ("ngo_admin", "notice"),
    ("liaison", "le_referral"),
    ("liaison", "removal_order"),
    ("liaison", "preservation_request"),
    ("liaison", "emergency_request"),
    ("unverified_liaison", "le_referral"),
]
REFUSED = [
    ("ngo_member", "le_referral"),
    ("ngo_member", "removal_order"),
    ("ngo_admin", "emergency_request"),
    ("liaison", "notice"),
    ("unverified_liaison", "removal_order"),
    ("unverified_liaison", "preservation_request"),
    ("unverified_liaison", "emergency_request"),
    ("reviewer", "notice"),
    ("lead", "le_referral"),
    ("policy", "notice"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "kind"), ALLOWED)
def test_allowed_roles_file_their_kinds(request, api_for, persona, kind):
    user = request.getfixturevalue(persona)
    response = post(api_for(user), referral_data(kind))
    assert response.status_code == 201, response.json()
    assert Referral.objects.get().kind == kind


@pytest.mark.django_db
@pytest.mark.parametrize(("persona", "kind"), REFUSED)
def test_other_roles_are_refused_with_403_and_nothing_stored(request, api_for, persona, kind):
    user = request.getfixturevalue(persona)
    response = post(api_for(user), referral_data(kind))
    assert response.status_code == 403
    assert "detail" in response.json()
    assert Referral.objects.count() == 0
    assert Target.objects.count() == 0


@pytest.mark.django_db
def test_anonymous_cannot_file(anon_api):
    assert post(anon_api, referral_data()).status_code in (401, 403)
    assert Referral.objects.count() == 0


# --- Bad input ---------------------------------------------------------------------------------

BAD = [
    ("notice", {"kind": None}, "kind"),
    ("notice", {"kind": "complaint"}, "kind"),
    ("notice", {"category": None}, "category"),
    ("notice", {"category": "spam"}, "category"),
    ("notice", {"severity": None}, "severity"),
    ("notice", {"severity": "critical"}, "severity"),
    ("notice", {"explanation": None}, "explanation"),
    ("notice", {"explanation": "too short"}, "explanation"),
    ("notice", {"explanation": "x" * 5001}, "explanation"),
    ("notice", {"explanation": 42}, "explanation"),
    ("notice", {"targets": None}, "targets"),
    ("notice", {"targets": []}, "targets"),
    ("notice", {"targets": "https://x.com/someone"}, "targets"),
    ("notice", {"targets": [{"url": f"https://x.com/a{i}"} for i in range(101)]}, "targets"),
    ("notice", {"language": "english"}, "language"),
    ("notice", {"country": "UK"}, "country"),
    ("notice", {"good_faith_confirmed": False}, "good_faith_confirmed"),
    ("notice", {"good_faith_confirmed": None}, "good_faith_confirmed"),
    ("notice", {"good_faith_confirmed": "maybe"}, "good_faith_confirmed"),
    ("le_referral", {"authority_reference": None}, "authority_reference"),
    ("le_referral", {"authority_reference": "x" * 121}, "authority_reference"),
    ("removal_order", {"legal_basis": None}, "legal_basis"),
    ("removal_order", {"issuing_authority": None}, "issuing_authority"),
    ("preservation_request", {"legal_basis": ""}, "legal_basis"),
    ("emergency_request", {"legal_basis": None}, "legal_basis"),
    ("preservation_request", {"preserve_until": "2020-01-01"}, "preserve_until"),
    ("preservation_request", {"preserve_until": "next week"}, "preserve_until"),
]


@pytest.mark.django_db
@pytest.mark.parametrize(("kind", "change", "field"), BAD)
def test_bad_field_gives_400_naming_it_and_stores_nothing(api_for, ngo_member, liaison, kind, change, field):
    user = ngo_member if kind == "notice" else liaison
    data = referral_data(kind)
    for key, value in change.items():
        data[key] = value
        if value is None:
            del data[key]
    response = post(api_for(user), data)
    assert response.status_code == 400
    body = response.json()
    assert field in body, body
    assert body[field]
    assert Referral.objects.count() == 0
    assert Subject.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize(
    "target",
    [
        {"url": "ftp://x.com/someone"},
        {"url": "javascript:alert(1)"},
        {"url": "https://user:secret@x.com/someone"},
        {"url": "https://x.com/home"},
        {"platform": "x"},
        "https://x.com/someone",
    ],
)
def test_bad_target_is_reported_per_item(api_for, ngo_member, target):
    targets = [{"url": "https://x.com/fine"}, target]
    response = post(api_for(ngo_member), referral_data(targets=targets))
    assert response.status_code == 400
    errors = response.json()["targets"]
    assert errors[0] == {}
    assert next(iter(errors[1].values()))
    assert Referral.objects.count() == 0
    assert Subject.objects.count() == 0


@pytest.mark.django_db
def test_every_error_is_reported_at_once(api_for, ngo_member):
    response = post(api_for(ngo_member), {"kind": "notice"})
    assert response.status_code == 400
    assert {"category", "severity", "explanation", "targets", "good_faith_confirmed"} <= set(response.json())


@pytest.mark.django_db
def test_non_object_body_is_400(api_for, ngo_member):
    response = api_for(ngo_member).post(URL, [1, 2], format="json")
    assert response.status_code == 400
    assert Referral.objects.count() == 0

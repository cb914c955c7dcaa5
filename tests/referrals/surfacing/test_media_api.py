"""Near-duplicate media end to end (SPEC §14): a near copy of evidence on an actioned referral
is flagged to reviewers (never to the partner), moves a partner's routed referral up once,
and, posted by the platform to `POST /api/v1/surfacing/media/`, raises a signal."""

import pytest

from portal.models import AuditEvent
from referrals.intake.services.evidence import evidence_add, evidence_inspect
from referrals.models import Detector, Evidence, Kind, MediaMatch, Referral, Status, Subject
from referrals.surfacing.services.media import NEAR_MATCH_POINTS, REASON_PREFIX, hamming, referral_near_match_boost
from tests.referrals.evidence_files import pdf_bytes, upload
from tests.referrals.review_factories import decided, received, routed
from tests.referrals.surfacing.images import image_upload, inspected, near_copy, scene

pytestmark = pytest.mark.django_db

URL = "/api/v1/surfacing/media/"


@pytest.fixture
def actioned(lead, ngo_member) -> Referral:
    """A notice decided `actioned` (its account suspended) with a poster as evidence."""
    poster = [inspected(scene(3))]
    referral = decided(lead, ngo_member, accounts=("poster_account",), category="propaganda", evidence=poster)
    assert referral.status == Status.ACTIONED
    return referral


def copy_upload(name="copy.jpg"):
    return image_upload(near_copy(scene(3)), "JPEG", name)


def page(client, referral) -> str:
    response = client.get(f"/referrals/{referral.reference}/")
    assert response.status_code == 200
    return response.content.decode()


# --- Flagged to reviewers -------------------------------------------------------------------------


def test_a_near_copy_filed_with_a_referral_is_recorded_as_a_match(actioned, other_ngo_member):
    assert MediaMatch.objects.count() == 0

    later = received(other_ngo_member, accounts=("reposter",), evidence=[inspected(near_copy(scene(3)), "JPEG")])

    match = MediaMatch.objects.get()
    assert match.evidence.referral == later
    assert match.earlier == actioned.evidence.get()
    assert match.distance == hamming(match.evidence.media_hash.pdq, match.earlier.media_hash.pdq) <= 16
    assert AuditEvent.objects.filter(action="evidence.near_match", object_id=str(match.evidence_id)).exists()


def test_an_unrelated_image_is_no_match(actioned, other_ngo_member):
    received(other_ngo_member, accounts=("reposter",), evidence=[inspected(scene(53))])

    assert MediaMatch.objects.count() == 0


def test_the_reviewer_sees_the_match_beside_the_evidence_and_the_partner_does_not(
    actioned, other_ngo_member, client_for, api_for, reviewer
):
    later = routed(other_ngo_member, accounts=("reposter",), evidence=[inspected(near_copy(scene(3)), "JPEG")])
    distance = MediaMatch.objects.get().distance

    seen = page(client_for(reviewer), later)
    link = f'<a href="/referrals/{actioned.reference}/"><bdi>{actioned.reference}</bdi></a>'
    assert f"Near match of evidence on {link}, distance {distance}/256" in seen

    partner = page(client_for(other_ngo_member), later)
    assert "Near match" not in partner and "near match" not in partner
    assert actioned.reference not in partner
    api = api_for(other_ngo_member).get(f"/api/v1/referrals/{later.id}/")
    assert api.status_code == 200
    assert actioned.reference not in api.content.decode()


# --- Priority after routing -------------------------------------------------------------------------


def test_evidence_matching_after_routing_adds_the_points_once(actioned, other_ngo_member):
    later = routed(other_ngo_member, accounts=("reposter",))
    before, reasons = later.priority, list(later.routing_reasons)

    evidence_add(referral=later, uploads=[copy_upload()], user=other_ngo_member)
    later.refresh_from_db()

    distance = MediaMatch.objects.get().distance
    assert later.priority == before + NEAR_MATCH_POINTS
    assert later.routing_reasons == [
        *reasons,
        f"Near-duplicate media: evidence added after routing matches evidence on {actioned.reference} "
        f"(distance {distance}/256): +{NEAR_MATCH_POINTS} priority",
    ]
    assert AuditEvent.objects.filter(action="referral.near_match_boost", object_id=str(later.pk)).count() == 1

    evidence_add(referral=later, uploads=[copy_upload("again.jpg")], user=other_ngo_member)
    later.refresh_from_db()

    assert MediaMatch.objects.count() == 2
    assert later.priority == before + NEAR_MATCH_POINTS
    assert sum(r.startswith(REASON_PREFIX) for r in later.routing_reasons) == 1


def test_two_matching_files_in_one_upload_add_the_points_once(actioned, other_ngo_member):
    later = routed(other_ngo_member, accounts=("reposter",))
    before = later.priority

    evidence_add(referral=later, uploads=[copy_upload("a.jpg"), copy_upload("b.jpg")], user=other_ngo_member)
    later.refresh_from_db()

    assert MediaMatch.objects.count() == 2
    assert later.priority == before + NEAR_MATCH_POINTS


def test_a_match_filed_with_the_referral_is_left_to_routing(actioned, other_ngo_member):
    later = received(other_ngo_member, accounts=("reposter",), evidence=[inspected(near_copy(scene(3)), "JPEG")])

    later.refresh_from_db()
    assert later.status == Status.RECEIVED
    assert not any(r.startswith(REASON_PREFIX) for r in later.routing_reasons)
    assert not AuditEvent.objects.filter(action="referral.near_match_boost").exists()


def test_a_later_match_adds_nothing_when_a_file_filed_with_the_referral_matched(actioned, other_ngo_member):
    later = routed(other_ngo_member, accounts=("reposter",), evidence=[inspected(near_copy(scene(3)), "JPEG")])
    assert sum(r.startswith(REASON_PREFIX) for r in later.routing_reasons) == 1  # routing counted it
    before = later.priority

    evidence_add(referral=later, uploads=[copy_upload()], user=other_ngo_member)
    later.refresh_from_db()

    assert later.priority == before
    assert sum(r.startswith(REASON_PREFIX) for r in later.routing_reasons) == 1


def test_the_points_are_not_added_to_a_signal_or_a_decided_referral(actioned, other_ngo_member, lead, reviewer):
    later = routed(other_ngo_member, accounts=("reposter",))
    evidence_add(referral=later, uploads=[copy_upload()], user=other_ngo_member)
    match = MediaMatch.objects.get()
    Referral.objects.filter(pk=later.pk).update(status=Status.ACTIONED)
    assert referral_near_match_boost(referral=later, match=match) is False
    Referral.objects.filter(pk=later.pk).update(status=Status.ROUTED, kind=Kind.SIGNAL)
    assert referral_near_match_boost(referral=later, match=match) is False


# --- POST /api/v1/surfacing/media/ -------------------------------------------------------------------


def post(client, file=None, platform="x", account="@Reposter"):
    data = {"platform": platform, "account": account}
    if file is not None:
        data["file"] = file
    return client.post(URL, data, format="multipart")


def test_anonymous_callers_are_refused(anon_api, actioned):
    response = post(anon_api, copy_upload())

    assert response.status_code == 401
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 0


@pytest.mark.parametrize("persona", ["ngo_member", "ngo_admin", "liaison"])
def test_to_a_partner_the_endpoint_does_not_exist(request, api_for, persona, actioned):
    response = post(api_for(request.getfixturevalue(persona)), copy_upload())

    assert response.status_code == 404
    assert actioned.reference not in response.content.decode()
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 0


def test_policy_staff_may_not_raise_signals(api_for, policy, actioned):
    response = post(api_for(policy), copy_upload())

    assert response.status_code == 403
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 0


@pytest.mark.parametrize("persona", ["reviewer", "lead"])
def test_a_near_copy_raises_a_signal_naming_the_account_with_the_image(request, api_for, persona, actioned):
    user = request.getfixturevalue(persona)
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 0
    evidence_before = Evidence.objects.count()

    response = post(api_for(user), copy_upload(), platform="Twitter", account="@Reposter")

    assert response.status_code == 201, response.content
    body = response.json()
    signal = Referral.objects.get(kind=Kind.SIGNAL)
    distance = body["matches"][0]["distance"]
    assert body == {
        "signal": {"id": str(signal.id), "reference": signal.reference},
        "matches": [{"referral": actioned.reference, "distance": distance}],
    }
    assert distance <= 16
    assert signal.detector == Detector.NEAR_DUPLICATE
    assert signal.category == actioned.category
    assert signal.surfaced_subject == Subject.objects.get(platform="x", account="reposter")
    assert signal.signal_reasons == [f"Near match of evidence on {actioned.reference}, distance {distance}/256"]
    (attached,) = signal.evidence.all()
    assert Evidence.objects.count() == evidence_before + 1
    assert attached.original_name == "copy.jpg" and attached.content_type == "image/jpeg"
    assert MediaMatch.objects.get(evidence=attached).earlier == actioned.evidence.get()
    entry = AuditEvent.objects.get(action="media.check")
    assert entry.actor == user and entry.data["signal"] == signal.reference


def test_an_image_matching_nothing_raises_nothing(api_for, reviewer, actioned):
    evidence_before = Evidence.objects.count()

    response = post(api_for(reviewer), image_upload(scene(53)))

    assert response.status_code == 200, response.content
    assert response.json() == {"signal": None, "matches": []}
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 0
    assert Evidence.objects.count() == evidence_before
    assert AuditEvent.objects.filter(action="media.check").count() == 1


def test_an_account_with_an_open_signal_gets_no_second_one(api_for, reviewer, actioned):
    client = api_for(reviewer)
    assert post(client, copy_upload()).status_code == 201

    response = post(client, copy_upload(), account="reposter")

    assert response.status_code == 200
    assert response.json()["signal"] is None
    assert [m["referral"] for m in response.json()["matches"]] == [actioned.reference]
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 1


def test_a_suspended_account_gets_no_signal(api_for, reviewer, actioned):
    assert Subject.objects.get(platform="x", account="poster_account").suspended_at is not None

    response = post(api_for(reviewer), copy_upload(), account="poster_account")

    assert response.status_code == 200
    assert response.json()["signal"] is None and len(response.json()["matches"]) == 1
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 0


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"file": None}, {"file"}),
        ({"file": "pdf"}, {"file"}),
        ({"file": "text-as-png"}, {"file"}),
        ({"platform": ""}, {"platform"}),
        ({"platform": "not a platform"}, {"platform"}),
        ({"account": "a/b"}, {"account"}),
        ({"account": ""}, {"account"}),
        ({"file": None, "platform": "", "account": ""}, {"file", "platform", "account"}),
    ],
)
def test_each_bad_field_is_a_400_on_that_field_and_nothing_is_stored(api_for, reviewer, actioned, fields, errors):
    files = {
        None: None,
        "pdf": upload("scan.pdf", pdf_bytes()),
        "text-as-png": upload("poster.png", b"just some text"),
    }
    data = {"file": copy_upload(), "platform": "x", "account": "reposter"}
    data.update({k: files[v] if k == "file" else v for k, v in fields.items()})
    evidence_before = Evidence.objects.count()

    response = post(api_for(reviewer), data["file"], data["platform"], data["account"])

    assert response.status_code == 400, response.content
    assert set(response.json()) == errors
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 0
    assert Evidence.objects.count() == evidence_before


def test_a_file_past_the_size_limit_is_refused(api_for, reviewer, actioned, settings):
    settings.PORTAL_EVIDENCE_MAX_BYTES = 1000

    response = post(api_for(reviewer), copy_upload())

    assert response.status_code == 400
    assert list(response.json()) == ["file"]


def test_an_image_that_cannot_be_decoded_is_refused(api_for, reviewer, actioned):
    broken = evidence_inspect(upload("broken.png", b"\x89PNG\r\n\x1a\n" + b"\x00" * 100)).upload

    response = post(api_for(reviewer), broken)

    assert response.status_code == 400
    assert list(response.json()) == ["file"]
    assert Referral.objects.filter(kind=Kind.SIGNAL).count() == 0

"""The create response is built by `NewReferralSerializer`, not `ReferralSerializer`; both
must give the same bytes for a referral just filed, for every kind, to partners and to
platform roles (SPEC §9: the response is the referral)."""

import pytest
from rest_framework.renderers import JSONRenderer

from referrals import selectors
from referrals.intake.api.serializers import NewReferralSerializer, ReferralSerializer
from referrals.intake.services.evidence import evidence_inspect_all
from referrals.intake.services.filing import referral_submit
from referrals.review.services.claims import referral_claim
from referrals.review.services.routing import referral_route_batch
from tests.referrals.evidence_files import pdf_bytes, png_bytes, upload
from tests.referrals.factories import referral_data

pytestmark = pytest.mark.django_db

# An account's post with the time it was posted, content without an account (no subject),
# and a second account: every shape a target takes in a response.
TARGETS = [
    {"url": "https://x.com/SomeOne/status/1?s=20", "posted_at": "2026-01-02T03:04:05+01:00"},
    {"url": "https://youtu.be/abc123"},
    {"url": "https://t.me/a_channel"},
]

FILERS = [
    ("ngo_member", "notice"),
    ("liaison", "le_referral"),
    ("liaison", "removal_order"),
    ("liaison", "preservation_request"),
    ("liaison", "emergency_request"),
    ("reviewer", "signal"),
]


def _rendered(serializer_class, referral, *, platform: bool) -> bytes:
    return JSONRenderer().render(serializer_class(referral, context={"platform": platform}).data)


@pytest.mark.parametrize("platform_reader", [False, True], ids=["partner", "platform"])
@pytest.mark.parametrize(("persona", "kind"), FILERS)
def test_the_create_response_is_the_referral_representation_to_the_byte(request, persona, kind, platform_reader):
    referral = referral_submit(user=request.getfixturevalue(persona), data=referral_data(kind, targets=TARGETS))

    lean = _rendered(NewReferralSerializer, referral, platform=platform_reader)

    assert lean == _rendered(ReferralSerializer, referral, platform=platform_reader)
    assert b'"posted_at":"2026-01-02T02:04:05Z"' in lean
    assert (b'"queue":null' in lean) is platform_reader


def test_evidence_filed_with_the_referral_is_in_the_response_as_in_a_read(ngo_member):
    files = evidence_inspect_all([upload("a.png", png_bytes()), upload("b.pdf", pdf_bytes())])
    referral = referral_submit(user=ngo_member, data=referral_data(targets=TARGETS), evidence=files)

    for platform_reader in (False, True):
        lean = _rendered(NewReferralSerializer, referral, platform=platform_reader)
        assert lean == _rendered(ReferralSerializer, referral, platform=platform_reader)
        assert lean.count(b'"sha256"') == 2
        assert (b'"known_content"' in lean) is platform_reader


def test_a_routed_and_claimed_referral_gives_the_same_bytes_as_a_read(ngo_member, reviewer):
    """Not the create path, but every field away from its default: queue, priority,
    assignee, routing reasons, routed_at and the related count."""
    filed = referral_submit(user=ngo_member, data=referral_data(targets=TARGETS, language="fr"))
    referral_submit(user=ngo_member, data=referral_data(targets=TARGETS[:1]))
    referral_route_batch(seqs=[filed.seq])
    referral = selectors.referrals_visible_to(reviewer).get(pk=filed.pk)
    referral.queue.members.add(reviewer)
    referral_claim(by=reviewer, referral=referral)
    referral = selectors.referrals_visible_to(reviewer).get(pk=filed.pk)

    lean = _rendered(NewReferralSerializer, referral, platform=True)

    assert lean == _rendered(ReferralSerializer, referral, platform=True)
    assert f'"assignee":"{reviewer.email}"'.encode() in lean
    assert b'"related_count":1' in lean

"""SPEC §18 surge routing through the database: while an incident is active, a referral
naming one of its URLs or subjects, with one of its keywords, or with evidence matching the
incident's goes to the incident's queue with the level's points and a reason, and is marked
with the incident; legal kinds keep their queue and clock."""

from datetime import timedelta

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent
from referrals.intake.services.evidence import evidence_inspect_all
from referrals.models import HashType, IncidentStatus, MediaHash, Referral, SharedHash, Status, TimelineEvent
from referrals.review.services.routing import referral_route_batch
from tests.referrals.crisis.factories import incident
from tests.referrals.evidence_files import pdf_bytes, upload
from tests.referrals.review.test_routing_batch_queries import BATCH_QUERIES
from tests.referrals.review_factories import received, routed
from tests.referrals.surfacing.images import inspected, near_copy, scene

pytestmark = pytest.mark.django_db

BASE = 20  # a notice (20) of low severity (0) from an organisation that is no trusted flagger
ATTACK_URL = "https://x.com/attacker/status/555"
MANIFESTO = "He keeps sharing the attacker's Manifesto with his followers, in every group he joins."


@pytest.fixture
def attack(db):
    return incident(title="Harbour attack", slug="harbour", level=1, keywords=["manifesto"], urls=[ATTACK_URL])


def reason(referral: Referral) -> str:
    [found] = [r for r in referral.routing_reasons if r.startswith("Matches incident")]
    return found


def assert_in_incident(referral: Referral, incident_, why: str, points: int = 60) -> None:
    assert referral.status == Status.ROUTED
    assert referral.queue == incident_.queue
    assert referral.incident == incident_
    assert referral.priority == BASE + points
    assert reason(referral) == f"Matches incident {incident_.title}: {why}"


def assert_not_in_incident(referral: Referral) -> None:
    assert referral.status == Status.ROUTED
    assert referral.queue.slug == "general"
    assert referral.incident is None
    assert referral.priority == BASE
    assert not any("incident" in r.casefold() for r in referral.routing_reasons)


# --- Each rule ---------------------------------------------------------------------------------------


def test_a_referral_naming_an_incident_url_goes_to_its_queue_with_the_points(other_ngo_member, attack):
    referral = routed(other_ngo_member, targets=[{"url": "https://X.com/attacker/status/555/"}])

    assert_in_incident(referral, attack, "names x.com/attacker/status/555")
    assert referral.queue.slug == "incident-harbour"
    assert referral.due_at == referral.received_at + timedelta(minutes=60)  # the incident queue's SLA
    assert referral.routing_reasons[-2].endswith("+ boost 0 + incident 60")


def test_a_referral_naming_the_same_post_under_another_address_matches(other_ngo_member, attack):
    referral = routed(other_ngo_member, targets=[{"url": "https://twitter.com/attacker/status/555"}])

    assert_in_incident(referral, attack, "names post 555 on x")


def test_a_referral_naming_an_incident_subject_matches(other_ngo_member, attack):
    referral = routed(other_ngo_member, accounts=("bystander", "@Attacker"))

    assert_in_incident(referral, attack, "names the account attacker on x")


def test_a_subject_added_to_the_incident_matches_too(other_ngo_member, attack):
    accomplice = routed(other_ngo_member, accounts=("accomplice",)).targets.get().subject
    attack.subjects.add(accomplice)

    referral = routed(other_ngo_member, accounts=("accomplice",))

    assert_in_incident(referral, attack, "names the account accomplice on x")


def test_a_keyword_in_the_explanation_matches(other_ngo_member, attack):
    referral = routed(other_ngo_member, explanation=MANIFESTO)

    assert_in_incident(referral, attack, 'keyword "manifesto"')


def test_a_referral_matching_nothing_is_routed_as_before(other_ngo_member, attack):
    referral = routed(other_ngo_member, accounts=("attacker_fan",))

    assert_not_in_incident(referral)


def _pdf(text="Perpetrator's document"):
    return evidence_inspect_all([upload("document.pdf", pdf_bytes(text), "application/pdf")])


def test_evidence_identical_to_evidence_already_in_the_incident_matches(other_ngo_member, ngo_member, attack):
    first = routed(ngo_member, explanation=MANIFESTO, evidence=_pdf(), category="other")
    assert first.incident == attack

    again = routed(other_ngo_member, accounts=("reposter",), evidence=_pdf())
    other_file = routed(other_ngo_member, accounts=("reposter",), evidence=_pdf("Something else entirely"))

    assert_in_incident(again, attack, "evidence matches the incident's evidence (SHA-256)")
    assert_not_in_incident(other_file)


def test_an_image_near_one_already_in_the_incident_matches_with_its_distance(other_ngo_member, ngo_member, attack):
    original = scene(7)
    routed(ngo_member, explanation=MANIFESTO, evidence=[inspected(original)])
    copy = received(other_ngo_member, accounts=("reposter",), evidence=[inspected(near_copy(original), "JPEG")])
    unrelated = received(other_ngo_member, accounts=("reposter",), evidence=[inspected(scene(99))])
    first_hash, copy_hash = (MediaHash.objects.get(evidence__referral=r) for r in (attack.referrals.get(), copy))
    distance = (int(first_hash.pdq, 16) ^ int(copy_hash.pdq, 16)).bit_count()
    assert 0 < distance <= 31

    referral_route_batch(seqs=[copy.seq, unrelated.seq])
    copy.refresh_from_db()
    unrelated.refresh_from_db()

    # Surfacing's near-duplicate points are for evidence of actioned referrals; this one is not decided.
    assert_in_incident(copy, attack, f"evidence matches the incident's evidence (PDQ distance {distance}/256)")
    assert_not_in_incident(unrelated)


def test_at_the_largest_distance_allowed_near_images_are_still_found(settings, other_ngo_member, ngo_member, attack):
    settings.PORTAL_NEAR_DUPLICATE_MAX_DISTANCE = 63  # 697 values a chunk: one image a statement
    original = scene(8)
    routed(ngo_member, explanation=MANIFESTO, evidence=[inspected(original)])
    copies = [
        received(other_ngo_member, accounts=(f"reposter{n}",), evidence=[inspected(near_copy(original), "JPEG")])
        for n in range(2)
    ]

    referral_route_batch(seqs=[c.seq for c in copies])

    assert Referral.objects.filter(pk__in=[c.pk for c in copies], incident=attack).count() == 2


def test_evidence_on_the_incident_s_imported_hash_list_matches(other_ngo_member, attack):
    document = _pdf("Listed by another platform")
    SharedHash.objects.create(incident=attack, hash_type=HashType.SHA256, hash=document[0].sha256, label="video")

    referral = routed(other_ngo_member, accounts=("reposter",), evidence=document)

    assert_in_incident(referral, attack, "evidence matches the incident's hash list (SHA-256)")


def test_an_image_near_a_pdq_hash_on_the_imported_list_matches(other_ngo_member, attack):
    probe = received(other_ngo_member, accounts=("probe",), evidence=[inspected(scene(11))])
    pdq = MediaHash.objects.get(evidence__referral=probe).pdq
    listed = f"{int(pdq, 16) ^ 0b1011:064x}"  # three bits apart
    SharedHash.objects.create(incident=attack, hash_type=HashType.PDQ, hash=listed)

    referral_route_batch(seqs=[probe.seq])
    probe.refresh_from_db()

    assert_in_incident(probe, attack, "evidence matches the incident's hash list (PDQ distance 3/256)")


# --- Points, incidents, legal kinds --------------------------------------------------------------


@pytest.mark.parametrize(("level", "points"), [(1, 60), (2, 40), (3, 20)])
def test_each_level_gives_its_points(other_ngo_member, level, points):
    surge = incident(title="Surge", level=level, keywords=["manifesto"])

    referral = routed(other_ngo_member, explanation=MANIFESTO)

    assert_in_incident(referral, surge, 'keyword "manifesto"', points=points)


def test_the_gravest_matching_incident_wins(other_ngo_member):
    milder = incident(title="Milder", level=2, keywords=["manifesto"])
    graver = incident(title="Graver", level=1, keywords=["manifesto"])
    earlier_same_level = incident(title="Earlier", level=2, keywords=["manifesto"])
    earlier_same_level.declared_at = milder.declared_at - timedelta(hours=1)
    earlier_same_level.save()

    referral = routed(other_ngo_member, explanation=MANIFESTO)

    assert_in_incident(referral, graver, 'keyword "manifesto"')
    assert sum(r.startswith("Matches incident") for r in referral.routing_reasons) == 1
    graver.status = IncidentStatus.CLOSED
    graver.save()
    assert routed(other_ngo_member, explanation=MANIFESTO).incident == earlier_same_level


@pytest.mark.parametrize(
    ("kind", "queue", "minutes", "base"),
    [
        ("removal_order", "legal-orders", 60, 100),
        ("emergency_request", "legal-orders", 60, 100 + 80),
        ("preservation_request", "preservation", 24 * 60, 50),
    ],
)
def test_legal_kinds_keep_their_queue_and_clock_but_get_the_points_and_the_reason(
    liaison, attack, kind, queue, minutes, base
):
    referral = routed(liaison, kind, targets=[{"url": ATTACK_URL}])

    assert referral.queue.slug == queue
    assert referral.due_at == referral.received_at + timedelta(minutes=minutes)
    assert referral.priority == base + 60
    assert referral.incident == attack
    assert reason(referral) == "Matches incident Harbour attack: names x.com/attacker/status/555"


def test_a_law_enforcement_referral_goes_to_the_incident_queue(liaison, attack):
    referral = routed(liaison, "le_referral", targets=[{"url": ATTACK_URL}])

    assert referral.queue == attack.queue
    assert referral.priority == 40 + 0 + 60


def test_a_closed_incident_no_longer_matches(other_ngo_member, attack):
    attack.status = IncidentStatus.CLOSED
    attack.save()

    referral = routed(other_ngo_member, targets=[{"url": ATTACK_URL}], explanation=MANIFESTO)

    assert_not_in_incident(referral)


def test_the_timeline_and_the_audit_say_where_it_went_and_why(other_ngo_member, attack):
    referral = routed(other_ngo_member, explanation=MANIFESTO)

    event = TimelineEvent.objects.get(referral=referral, type="routed")
    assert event.data["queue"] == "incident-harbour"
    audit = AuditEvent.objects.get(action="referral.route", object_id=str(referral.seq))
    assert (audit.data["queue"], audit.data["incident"], audit.data["priority"]) == ("incident-harbour", "harbour", 80)


# --- Queries ---------------------------------------------------------------------------------------


def _queries(user, n: int, *, image: int | None = None) -> tuple[int, int]:
    referrals = [
        received(
            user,
            accounts=(f"acct{n}_{i}", "attacker"),
            evidence=[inspected(scene(image))] if image is not None else None,
        )
        for i in range(n)
    ]
    with CaptureQueriesContext(connection) as captured:
        routed_now = referral_route_batch(seqs=[r.seq for r in referrals])
    return routed_now, len(captured)


def test_without_an_active_incident_a_batch_only_reads_that_there_is_none(other_ngo_member):
    incident(title="Over", keywords=["attacker"], urls=["https://x.com/attacker"], status=IncidentStatus.CLOSED)

    # BATCH_QUERIES counts the read of the active incidents.
    assert _queries(other_ngo_member, 3) == (3, BATCH_QUERIES)
    assert _queries(other_ngo_member, 30) == (30, BATCH_QUERIES)
    assert not Referral.objects.filter(incident__isnull=False).exists()


def test_with_active_incidents_a_batch_costs_the_same_queries_whatever_its_size(other_ngo_member, attack):
    incident(title="Another", level=2, urls=["https://t.me/somechannel"])

    # + the incidents' subjects, the batch's targets, and its evidence (none here).
    assert _queries(other_ngo_member, 3) == (3, BATCH_QUERIES + 3)
    assert _queries(other_ngo_member, 30) == (30, BATCH_QUERIES + 3)
    assert Referral.objects.filter(incident=attack).count() == 33


def test_evidence_costs_a_fixed_number_of_queries_too(other_ngo_member, attack):
    # + the incidents' evidence with the same SHA-256, the incidents' hash lists, and their
    # images near the batch's, read through the chunk indexes (one query per 18 images).
    with_files = BATCH_QUERIES + 3 + 3
    assert _queries(other_ngo_member, 2, image=5) == (2, with_files)
    assert _queries(other_ngo_member, 12, image=6) == (12, with_files)

"""SPEC §5: every view of a law-enforcement request is audited, lists included. A list, work
list, dashboard or export that returns law-enforcement requests writes one audit entry per
read naming them and the filters; a read that returns none writes nothing."""

import pytest

from portal.models import AuditEvent
from referrals.models import Queue
from referrals.review.services.claims import referral_claim
from tests.referrals.review_factories import received, routed

pytestmark = pytest.mark.django_db

LIST = "referral.list_view"


def list_reads(user=None):
    qs = AuditEvent.objects.filter(action=LIST)
    return list(qs.filter(actor=user) if user is not None else qs)


@pytest.fixture
def requests(liaison):
    """A routed removal order and a routed LE referral of the agency."""
    return [
        routed(liaison, "removal_order", accounts=("a",)),
        routed(liaison, "le_referral", accounts=("b",)),
    ]


def assert_names(entry: AuditEvent, referrals, *, view: str) -> None:
    assert entry.data["view"] == view
    assert sorted(entry.data["references"]) == sorted(r.reference for r in referrals)
    assert sorted(entry.data["ids"]) == sorted(str(r.id) for r in referrals)


# --- GET /api/v1/referrals/ and /referrals/ ------------------------------------------------------


def test_the_api_list_of_an_agencys_requests_is_audited_with_its_filters(liaison, requests, api_for):
    response = api_for(liaison).get("/api/v1/referrals/", {"status": "routed"})

    assert response.status_code == 200
    (entry,) = list_reads(liaison)
    assert_names(entry, requests, view="api.referrals")
    assert entry.data["filters"] == {"status": "routed"}
    assert entry.organisation == liaison.membership.organisation


def test_a_platform_list_audits_only_the_law_enforcement_requests_in_the_page(
    liaison, requests, other_ngo_member, policy, api_for
):
    routed(other_ngo_member, accounts=("c",))

    api_for(policy).get("/api/v1/referrals/")

    (entry,) = list_reads(policy)
    assert_names(entry, requests, view="api.referrals")


def test_a_list_without_law_enforcement_requests_writes_no_audit_entry(ngo_member, api_for, client_for):
    routed(ngo_member, accounts=("c",))

    api_for(ngo_member).get("/api/v1/referrals/")
    client_for(ngo_member).get("/referrals/")

    assert list_reads() == []


def test_the_referral_list_page_is_audited(liaison, requests, client_for):
    response = client_for(liaison).get("/referrals/", {"kind": "removal_order"})

    assert response.status_code == 200
    (entry,) = list_reads(liaison)
    assert_names(entry, requests[:1], view="referrals")
    assert entry.data["filters"] == {"kind": "removal_order"}


# --- Work lists -----------------------------------------------------------------------------------


def test_the_worklist_api_is_audited(liaison, requests, reviewer, api_for):
    response = api_for(reviewer).get("/api/v1/queues/legal-orders/referrals/")

    assert response.status_code == 200
    (entry,) = list_reads(reviewer)
    assert_names(entry, requests[:1], view="api.worklist")
    assert entry.data["filters"] == {"queue": "legal-orders", "status": "routed"}


def test_the_worklist_page_is_audited(liaison, requests, reviewer, client_for):
    response = client_for(reviewer).get("/queues/le-referrals/")

    assert response.status_code == 200
    (entry,) = list_reads(reviewer)
    assert_names(entry, requests[1:], view="worklist")
    assert entry.data["filters"] == {"queue": "le-referrals", "tab": "waiting"}


def test_a_worklist_of_notices_only_writes_no_audit_entry(ngo_member, reviewer, api_for, client_for):
    routed(ngo_member, accounts=("c",), category="propaganda")

    api_for(reviewer).get("/api/v1/queues/trusted-flaggers/referrals/")
    client_for(reviewer).get("/queues/trusted-flaggers/")

    assert list_reads() == []


def test_my_assigned_requests_on_the_queues_page_are_audited(liaison, requests, reviewer, client_for):
    Queue.objects.get(slug="legal-orders").members.add(reviewer)
    referral_claim(by=reviewer, referral=requests[0])

    client_for(reviewer).get("/queues/")

    (entry,) = list_reads(reviewer)
    assert_names(entry, requests[:1], view="assigned")


# --- The liaison's desk, subjects and the export --------------------------------------------------


def test_the_liaisons_home_page_is_audited(liaison, requests, client_for):
    response = client_for(liaison).get("/")

    assert response.status_code == 200
    (entry,) = list_reads(liaison)
    assert_names(entry, requests, view="home")


def test_the_subject_page_and_api_name_the_law_enforcement_requests_they_list(
    liaison, requests, ngo_member, reviewer, client_for, api_for
):
    notice = routed(ngo_member, accounts=("a",))
    subject = notice.targets.get().subject

    client_for(reviewer).get(f"/subjects/{subject.id}/")
    api_for(reviewer).get(f"/api/v1/subjects/{subject.id}/")

    (page,) = list_reads(reviewer)
    assert_names(page, requests[:1], view="subject")
    api = AuditEvent.objects.get(action="subject.view", actor=reviewer)
    assert api.data["references"] == [requests[0].reference]


def test_the_export_names_every_request_it_contains(liaison, client_for):
    order = received(liaison, "removal_order", accounts=("a",))
    le_referral = received(liaison, "le_referral", accounts=("b",))

    response = client_for(liaison).get("/referrals/export.csv", {"kind": "le_referral"})
    b"".join(response.streaming_content)

    entry = AuditEvent.objects.get(action="referral.export")
    assert entry.data["references"] == [le_referral.reference]
    assert entry.data["ids"] == [str(le_referral.id)]
    assert entry.data["filters"] == {"kind": "le_referral"}
    assert order.reference not in entry.data["references"]

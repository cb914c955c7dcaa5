"""The liaison's desk: figures, the CSV export, feedback to the authority, the request page,
renewals, and the audit entry every view of a law-enforcement request leaves."""

import csv
import io
from datetime import timedelta
from unittest import mock

import pytest
from django.utils import timezone

from partners.models import OrganisationKind, Role
from portal.models import AuditEvent
from referrals.intake.services.filing import referral_reply
from referrals.law_enforcement import selectors as le_selectors
from referrals.models import Referral
from referrals.review.services.claims import referral_claim, referral_request_info
from referrals.review.services.deadlines import referrals_mark_breached
from referrals.review.services.decisions import referral_decide
from tests.factories import OrganisationFactory, make_member
from tests.referrals.review_factories import claimed, received, routed

REMOVED = {
    "action": "content_removed",
    "ground": "legal",
    "policy": "Regulation (EU) 2021/784, Article 3",
    "statement_of_reasons": "The video incites terrorist offences and was removed on the order.",
}
UNABLE = {
    "action": "unable_to_comply",
    "ground": "legal",
    "policy": "Regulation (EU) 2021/784, Article 3(8)",
    "statement_of_reasons": "The URL in the order does not exist on the platform.",
    "non_compliance_reason": "manifest_error",
}
PRESERVED = {
    "action": "data_preserved",
    "ground": "legal",
    "policy": "Code of Criminal Procedure s.12",
    "statement_of_reasons": "Account and content data preserved as requested by the agency.",
}


def decided(reviewer, liaison, kind="removal_order", *, minutes: float, decision=REMOVED, **kwargs) -> Referral:
    """Received a day ago, decided `minutes` after receipt."""
    t = timezone.now() - timedelta(days=1)
    order = claimed(reviewer, liaison, kind, received_at=t, **kwargs)
    referral_decide(by=reviewer, referral=order, now=t + timedelta(minutes=minutes), **decision)
    return Referral.objects.select_related("decision").get(pk=order.pk)


@pytest.fixture
def other_agency_liaison(db):
    agency = OrganisationFactory(
        name="Other Police", slug="other-police", kind=OrganisationKind.LAW_ENFORCEMENT, email_domains=["op.test"]
    )
    return make_member(agency, Role.LE_LIAISON)


# --- Figures ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_liaisons_figures_match_a_hand_computed_set_of_requests(liaison, reviewer, other_agency_liaison):
    decided(reviewer, liaison, minutes=30, accounts=("a",))  # on time, 30 min
    decided(reviewer, liaison, minutes=90, accounts=("b",))  # late, 90 min
    # Paused 10 minutes for a clarification: due at +70, decided at +65, 55 minutes of work.
    t = timezone.now() - timedelta(days=1)
    paused = claimed(reviewer, liaison, "removal_order", received_at=t, accounts=("c",))
    referral_request_info(by=reviewer, referral=paused, message="Which video?", now=t + timedelta(minutes=5))
    with mock.patch("django.utils.timezone.now", return_value=t + timedelta(minutes=15)):
        referral_reply(referral=paused, user=liaison, body="The second one.")
    paused.refresh_from_db()
    paused = referral_claim(by=reviewer, referral=paused)
    referral_decide(by=reviewer, referral=paused, now=t + timedelta(minutes=65), **REMOVED)
    # Open past its deadline: counted as a miss. Open within its deadline: not counted yet.
    routed(liaison, "removal_order", received_at=timezone.now() - timedelta(hours=2), accounts=("d",))
    referrals_mark_breached()
    routed(liaison, "removal_order", accounts=("e",))
    decided(reviewer, liaison, "preservation_request", minutes=120, decision=PRESERVED, accounts=("p",))
    received(liaison, "le_referral", accounts=("l",))
    # Another agency's late order changes nothing here.
    decided(reviewer, other_agency_liaison, minutes=200, accounts=("z",))

    figures = le_selectors.agency_figures(liaison)

    assert figures["total"] == 7
    by_kind = {row["kind"]: row for row in figures["by_kind"]}
    assert by_kind["removal_order"] == {
        "kind": "removal_order",
        "label": "Removal order",
        "total": 5,
        "open": 2,
        "decided": 3,
        "median_minutes": 55.0,  # of 30, 55 and 90
    }
    assert by_kind["preservation_request"]["decided"] == 1
    assert by_kind["preservation_request"]["median_minutes"] == 120.0
    assert by_kind["le_referral"]["open"] == 1
    assert by_kind["le_referral"]["median_minutes"] is None
    assert by_kind["emergency_request"]["total"] == 0
    assert figures["removal"] == {"counted": 4, "within": 2, "share": 0.5}


@pytest.mark.django_db
def test_the_liaisons_home_page_shows_open_requests_with_live_clocks_outcomes_and_figures(
    client_for, liaison, reviewer
):
    decided(reviewer, liaison, minutes=30, accounts=("a",))
    decided(reviewer, liaison, minutes=61, accounts=("b",))
    open_order = routed(liaison, "removal_order", accounts=("c",))
    page = client_for(liaison).get("/").content.decode()
    assert "Your agency's requests" in page
    assert open_order.reference in page
    assert f'data-module="countdown" data-due="{open_order.due_at.isoformat()}"' in page
    assert "Removed within 60 minutes" in page
    assert "Decided after the 60-minute deadline" in page
    assert "<strong>1 of 2</strong> (50 %)" in page
    assert 'href="/referrals/export.csv"' in page


@pytest.mark.django_db
def test_ngo_members_keep_their_own_home_section(client_for, ngo_member):
    page = client_for(ngo_member).get("/").content.decode()
    assert "Your referrals" in page
    assert "Your agency" not in page


# --- Export ------------------------------------------------------------------------------------------


def rows_of(response) -> list[dict]:
    text = b"".join(response.streaming_content).decode()
    return list(csv.DictReader(io.StringIO(text)))


@pytest.mark.django_db
def test_the_export_lists_the_agencys_requests_only_and_is_audited(client_for, liaison, reviewer, other_agency_liaison):
    order = decided(reviewer, liaison, minutes=30, accounts=("a",))
    request = received(liaison, "preservation_request", accounts=("b",))
    received(other_agency_liaison, "removal_order", accounts=("z",))

    response = client_for(liaison).get("/referrals/export.csv")

    assert response.status_code == 200
    assert response["Content-Type"] == "text/csv; charset=utf-8"
    assert response["Content-Disposition"].startswith('attachment; filename="requests-')
    rows = rows_of(response)
    assert [r["reference"] for r in rows] == [order.reference, request.reference]
    assert rows[0]["minutes_to_decision"] == "30.0"
    assert rows[0]["on_time"] == "true"
    assert rows[0]["action"] == "content_removed"
    assert rows[0]["legal_grounds"] == "incitement"
    assert rows[0]["targets"] == "https://x.com/a"
    assert rows[1]["on_time"] == ""
    entry = AuditEvent.objects.get(action="referral.export")
    assert entry.actor == liaison
    assert entry.data["count"] == 2


@pytest.mark.django_db
def test_the_export_filters_by_kind(client_for, liaison):
    received(liaison, "removal_order", accounts=("a",))
    received(liaison, "le_referral", accounts=("b",))
    rows = rows_of(client_for(liaison).get("/referrals/export.csv?kind=le_referral"))
    assert [r["kind"] for r in rows] == ["le_referral"]


@pytest.mark.django_db
def test_the_export_defuses_spreadsheet_formulas(client_for, liaison):
    received(liaison, "le_referral", authority_reference="=HYPERLINK(1)")
    (row,) = rows_of(client_for(liaison).get("/referrals/export.csv"))
    assert row["authority_reference"] == "'=HYPERLINK(1)"


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ngo_member", "reviewer", "lead", "policy"])
def test_only_liaisons_export(client_for, request, persona):
    response = client_for(request.getfixturevalue(persona)).get("/referrals/export.csv")
    assert response.status_code == 403
    assert not AuditEvent.objects.filter(action="referral.export").exists()


@pytest.mark.django_db
def test_the_export_needs_a_signed_in_user(client):
    response = client.get("/referrals/export.csv")
    assert response.status_code == 302
    assert "/accounts/login/" in response["Location"]


# --- Feedback to the authority ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["liaison", "reviewer", "lead", "policy"])
def test_the_agency_and_the_platform_read_the_feedback_page(client_for, request, liaison, reviewer, persona):
    order = decided(reviewer, liaison, minutes=42)
    page = client_for(request.getfixturevalue(persona)).get(f"/referrals/{order.reference}/feedback/")
    assert page.status_code == 200
    text = page.content.decode()
    assert "Removed within 60 minutes" in text
    assert "42.0 minutes" in text
    assert "National Counter-Terrorism Authority" in text
    assert "Incites the commission of terrorist offences" in text


@pytest.mark.django_db
def test_the_feedback_document_says_what_was_done_and_when(client_for, liaison, reviewer):
    order = decided(reviewer, liaison, minutes=42)
    body = client_for(liaison).get(f"/referrals/{order.reference}/feedback.json").json()
    assert body["reference"] == order.reference
    assert body["received_at"] == order.received_at.isoformat()
    assert body["decided_at"] == order.decided_at.isoformat()
    assert body["minutes_to_decision"] == 42.0
    assert body["on_time"] is True
    assert body["deadline"] == "Removed within 60 minutes"
    assert body["complied"] is True
    assert body["action"] == "content_removed"
    assert body["legal_grounds"] == [
        {"ground": "incitement", "label": "Incites the commission of terrorist offences (Art. 2(7)(a))"}
    ]
    assert body["non_compliance_reason"] is None


@pytest.mark.django_db
def test_the_feedback_gives_the_reason_the_platform_could_not_comply(client_for, api_for, liaison, reviewer):
    order = decided(reviewer, liaison, minutes=75, decision=UNABLE)
    body = api_for(liaison).get(f"/api/v1/referrals/{order.id}/feedback/").json()
    assert body["complied"] is False
    assert body["on_time"] is False
    assert body["deadline"] == "Decided after the 60-minute deadline"
    assert body["non_compliance_reason"]["reason"] == "manifest_error"
    assert body["non_compliance_reason"]["label"] == "Manifest error in the order"
    page = client_for(liaison).get(f"/referrals/{order.reference}/feedback/").content.decode()
    assert "Why the order could not be complied with" in page
    assert "Manifest error in the order" in page


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["other_agency_liaison", "ngo_member", "other_ngo_member"])
def test_the_feedback_is_not_found_for_others(client_for, api_for, request, liaison, reviewer, persona):
    order = decided(reviewer, liaison, minutes=42)
    user = request.getfixturevalue(persona)
    assert client_for(user).get(f"/referrals/{order.reference}/feedback/").status_code == 404
    assert client_for(user).get(f"/referrals/{order.reference}/feedback.json").status_code == 404
    assert api_for(user).get(f"/api/v1/referrals/{order.id}/feedback/").status_code == 404


@pytest.mark.django_db
def test_there_is_no_feedback_before_the_decision_nor_for_other_kinds(client_for, api_for, liaison, reviewer):
    open_order = routed(liaison, "removal_order", accounts=("a",))
    preserved = decided(reviewer, liaison, "preservation_request", minutes=30, decision=PRESERVED, accounts=("b",))
    for referral in (open_order, preserved):
        assert client_for(liaison).get(f"/referrals/{referral.reference}/feedback/").status_code == 404
        assert api_for(liaison).get(f"/api/v1/referrals/{referral.id}/feedback/").status_code == 404


@pytest.mark.django_db
def test_the_feedback_needs_a_signed_in_user(client, anon_api, liaison, reviewer):
    order = decided(reviewer, liaison, minutes=42)
    assert client.get(f"/referrals/{order.reference}/feedback/").status_code == 302
    assert anon_api.get(f"/api/v1/referrals/{order.id}/feedback/").status_code in (401, 403)


# --- The request page ----------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_open_removal_order_shows_its_countdown(client_for, liaison):
    order = routed(liaison, "removal_order")
    page = client_for(liaison).get(f"/referrals/{order.reference}/").content.decode()
    assert f'data-module="countdown" data-due="{order.due_at.isoformat()}"' in page
    assert 'role="timer"' in page


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("minutes", "decision", "text"),
    [
        (59, REMOVED, "Removed within 60 minutes"),
        (61, REMOVED, "Decided after the 60-minute deadline"),
        (20, UNABLE, "Decided within 60 minutes"),
    ],
)
def test_a_decided_removal_order_says_whether_it_met_the_deadline(
    client_for, liaison, reviewer, minutes, decision, text
):
    order = decided(reviewer, liaison, minutes=minutes, decision=decision)
    page = client_for(liaison).get(f"/referrals/{order.reference}/").content.decode()
    assert text in page
    assert 'data-module="countdown"' not in page
    assert f'href="/referrals/{order.reference}/feedback/"' in page


@pytest.mark.django_db
def test_a_preserved_request_lists_its_holds_and_offers_a_renewal(client_for, liaison, reviewer):
    request = decided(reviewer, liaison, "preservation_request", minutes=30, decision=PRESERVED, accounts=("p",))
    client = client_for(liaison)
    page = client.get(f"/referrals/{request.reference}/").content.decode()
    assert "x:p" in page
    assert "Request a renewal" in page

    until = request.preserve_until + timedelta(days=30)
    response = client.post(f"/referrals/{request.reference}/renew/", {"preserve_until": until.isoformat()})
    renewal = Referral.objects.get(renewal_of=request)
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{renewal.reference}/"
    assert renewal.preserve_until == until
    assert request.reference in client.get(response["Location"]).content.decode()


@pytest.mark.django_db
def test_a_reviewer_may_not_renew_an_agencys_request(client_for, liaison, reviewer):
    request = decided(reviewer, liaison, "preservation_request", minutes=30, decision=PRESERVED, accounts=("p",))
    assert "Request a renewal" not in client_for(reviewer).get(f"/referrals/{request.reference}/").content.decode()
    assert client_for(reviewer).post(f"/referrals/{request.reference}/renew/").status_code == 403
    assert not Referral.objects.filter(renewal_of=request).exists()


@pytest.mark.django_db
def test_another_agency_cannot_find_the_request_to_renew(client_for, liaison, reviewer, other_agency_liaison):
    request = decided(reviewer, liaison, "preservation_request", minutes=30, decision=PRESERVED, accounts=("p",))
    assert client_for(other_agency_liaison).post(f"/referrals/{request.reference}/renew/").status_code == 404


# --- Every view is audited ---------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["liaison", "reviewer", "lead", "policy"])
def test_every_view_of_a_law_enforcement_request_leaves_an_audit_entry(
    client_for, api_for, request, liaison, reviewer, persona
):
    order = decided(reviewer, liaison, minutes=42)
    user = request.getfixturevalue(persona)
    web, api = client_for(user), api_for(user)
    reads = [
        lambda: web.get(f"/referrals/{order.reference}/"),
        lambda: web.get(f"/referrals/{order.reference}/feedback/"),
        lambda: web.get(f"/referrals/{order.reference}/feedback.json"),
        lambda: api.get(f"/api/v1/referrals/{order.id}/"),
        lambda: api.get(f"/api/v1/referrals/{order.id}/events/"),
        lambda: api.get(f"/api/v1/referrals/{order.id}/feedback/"),
    ]
    for n, read in enumerate(reads, start=1):
        assert read().status_code == 200
        views = AuditEvent.objects.filter(action="referral.view", object_id=str(order.pk), actor=user)
        assert views.count() == n

"""The appeal and complaint endpoints (SPEC §16), persona by persona, and the referral's `appeal`."""

from datetime import timedelta

import pytest

from referrals.models import Appeal, AppealStatus, Decision, Referral, Subject
from referrals.redress.selectors import APPEAL_WINDOW
from tests.referrals.redress.redress_factories import REASON, STATEMENT, appealed, complained, no_violation, suspended

pytestmark = pytest.mark.django_db

PARTNER_SHAPE = {
    "id",
    "status",
    "source",
    "referral",
    "reason",
    "filed_at",
    "due_at",
    "outcome",
    "statement",
    "decided_at",
    "decision",
}
PLATFORM_EXTRA = {"reference", "filed_by", "recorded_by", "decided_by", "original_decided_by", "queue"}


def appeal_url(referral) -> str:
    return f"/api/v1/referrals/{referral.id}/appeal/"


def complaints_url(referral) -> str:
    return f"/api/v1/referrals/{referral.id}/complaints/"


def decision_url(appeal) -> str:
    return f"/api/v1/appeals/{appeal.pk}/decision/"


# --- POST /referrals/{id}/appeal/ -------------------------------------------------------------------


def test_the_submitter_appeals_and_gets_the_appeal(api_for, ngo_member, lead):
    referral = no_violation(lead, ngo_member)

    response = api_for(ngo_member).post(appeal_url(referral), {"reason": REASON}, format="json")

    assert response.status_code == 201, response.json()
    body = response.json()
    assert set(body) == PARTNER_SHAPE
    appeal = Appeal.objects.get()
    assert body["id"] == str(appeal.pk)
    assert (body["status"], body["source"], body["referral"]) == ("open", "notifier", str(referral.id))
    assert (body["reason"], body["outcome"], body["statement"], body["decided_at"]) == (REASON, None, "", None)
    assert body["decision"]["action"] == "no_action"
    assert body["due_at"] and body["filed_at"]


def test_anonymous_callers_are_refused(anon_api, ngo_member, lead):
    referral = no_violation(lead, ngo_member)

    assert anon_api.post(appeal_url(referral), {"reason": REASON}, format="json").status_code == 401
    assert anon_api.post(complaints_url(referral), {"reason": REASON}, format="json").status_code == 401
    assert anon_api.get("/api/v1/appeals/").status_code == 401
    appeal = appealed(referral, ngo_member)
    assert anon_api.get(f"/api/v1/appeals/{appeal.pk}/").status_code == 401
    assert anon_api.post(decision_url(appeal), {"outcome": "upheld"}, format="json").status_code == 401


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("other_ngo_member", 404),
        ("liaison", 404),
        ("reviewer", 403),
        ("lead", 403),
        ("policy", 403),
        ("ngo_admin", 201),
    ],
)
def test_only_the_submitting_organisation_appeals(request, api_for, persona, expected, ngo_member, lead):
    referral = no_violation(lead, ngo_member)

    response = api_for(request.getfixturevalue(persona)).post(appeal_url(referral), {"reason": REASON}, format="json")

    assert response.status_code == expected, response.json()
    assert Appeal.objects.count() == (1 if expected == 201 else 0)


def test_a_second_appeal_is_a_409(api_for, ngo_member, ngo_admin, lead):
    referral = no_violation(lead, ngo_member)
    assert api_for(ngo_member).post(appeal_url(referral), {"reason": REASON}, format="json").status_code == 201

    response = api_for(ngo_admin).post(appeal_url(referral), {"reason": REASON}, format="json")

    assert response.status_code == 409
    assert "already been appealed" in response.json()["detail"]


def test_an_appeal_after_six_months_is_a_409(api_for, ngo_member, lead):
    referral = no_violation(lead, ngo_member)
    Decision.objects.filter(referral=referral).update(
        decided_at=referral.decision.decided_at - APPEAL_WINDOW - timedelta(minutes=1)
    )

    response = api_for(ngo_member).post(appeal_url(referral), {"reason": REASON}, format="json")

    assert response.status_code == 409
    assert "time to appeal ended" in response.json()["detail"]
    assert not Appeal.objects.exists()


@pytest.mark.parametrize("body", [{}, {"reason": ""}, {"reason": "too short"}, {"reason": "x" * 5001}])
def test_a_bad_reason_is_a_400_on_the_field(api_for, ngo_member, lead, body):
    referral = no_violation(lead, ngo_member)

    response = api_for(ngo_member).post(appeal_url(referral), body, format="json")

    assert response.status_code == 400
    assert set(response.json()) == {"reason"}
    assert not Appeal.objects.exists()


def test_an_undecided_referral_is_a_409(api_for, ngo_member):
    from tests.referrals.review_factories import routed

    referral = routed(ngo_member)

    response = api_for(ngo_member).post(appeal_url(referral), {"reason": REASON}, format="json")

    assert response.status_code == 409


# --- POST /referrals/{id}/complaints/ ----------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ngo_member", 404),
        ("other_ngo_member", 404),
        ("liaison", 404),
        ("reviewer", 201),
        ("lead", 201),
        ("policy", 201),
    ],
)
def test_platform_roles_record_complaints_and_partners_get_404(request, api_for, persona, expected, ngo_member, lead):
    referral = suspended(lead, ngo_member)

    response = api_for(request.getfixturevalue(persona)).post(
        complaints_url(referral), {"reason": REASON}, format="json"
    )

    assert response.status_code == expected
    if expected == 201:
        body = response.json()
        assert set(body) == PARTNER_SHAPE | PLATFORM_EXTRA
        assert (body["source"], body["status"], body["filed_by"]) == ("account_holder", "open", None)
        assert body["recorded_by"] == request.getfixturevalue(persona).email
        assert body["original_decided_by"] == lead.email
    assert Appeal.objects.count() == (1 if expected == 201 else 0)


def test_a_complaint_about_no_restriction_is_a_409(api_for, ngo_member, lead, reviewer):
    referral = no_violation(lead, ngo_member)

    response = api_for(reviewer).post(complaints_url(referral), {"reason": REASON}, format="json")

    assert response.status_code == 409


# --- POST /appeals/{id}/decision/ ------------------------------------------------------------------


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("ngo_member", 404),
        ("other_ngo_member", 404),
        ("liaison", 404),
        ("policy", 403),
        ("lead", 403),  # took the decision under appeal
        ("reviewer", 200),
    ],
)
def test_who_decides_an_appeal(request, api_for, persona, expected, ngo_member, lead):
    referral = suspended(lead, ngo_member, accounts=("hyper",))
    appeal = appealed(referral, ngo_member)

    response = api_for(request.getfixturevalue(persona)).post(
        decision_url(appeal), {"outcome": "reversed", "statement": STATEMENT}, format="json"
    )

    assert response.status_code == expected, response.json()
    appeal.refresh_from_db()
    if expected == 200:
        body = response.json()
        assert (body["status"], body["outcome"], body["statement"]) == ("decided", "reversed", STATEMENT)
        assert body["decided_by"] == request.getfixturevalue(persona).email
        assert Subject.objects.get(account="hyper").status == "active"
    else:
        assert appeal.status == AppealStatus.OPEN
        assert Subject.objects.get(account="hyper").status == "suspended"


def test_the_original_decider_hears_why(api_for, ngo_member, lead):
    appeal = appealed(suspended(lead, ngo_member), ngo_member)

    response = api_for(lead).post(decision_url(appeal), {"outcome": "upheld", "statement": STATEMENT}, format="json")

    assert response.status_code == 403
    assert "You took the decision under appeal" in response.json()["detail"]


def test_deciding_twice_is_a_409_and_a_bad_outcome_a_400(api_for, ngo_member, lead, reviewer):
    appeal = appealed(no_violation(lead, ngo_member), ngo_member)
    api = api_for(reviewer)

    bad = api.post(decision_url(appeal), {"outcome": "maybe", "statement": STATEMENT}, format="json")
    first = api.post(decision_url(appeal), {"outcome": "upheld", "statement": STATEMENT}, format="json")
    second = api.post(decision_url(appeal), {"outcome": "reversed", "statement": STATEMENT}, format="json")

    assert bad.status_code == 400 and set(bad.json()) == {"outcome"}
    assert first.status_code == 200
    assert second.status_code == 409


def test_a_reversed_no_action_reads_back_in_review_through_the_api(api_for, ngo_member, lead, reviewer):
    referral = no_violation(lead, ngo_member)
    appeal = appealed(referral, ngo_member)

    api_for(reviewer).post(decision_url(appeal), {"outcome": "reversed", "statement": STATEMENT}, format="json")

    body = api_for(ngo_member).get(f"/api/v1/referrals/{referral.id}/").json()
    assert (body["status"], body["decision"], body["decided_at"]) == ("routed", None, None)
    assert body["appeal"]["outcome"] == "reversed"


# --- GET /appeals/ and /appeals/{id}/ ---------------------------------------------------------------


@pytest.fixture
def three(ngo_member, other_ngo_member, lead, reviewer):
    """Our appeal, a complaint about our referral, another organisation's appeal."""
    ours = appealed(no_violation(lead, ngo_member), ngo_member)
    complaint = complained(suspended(lead, ngo_member, accounts=("hyper",)), reviewer)
    theirs = appealed(no_violation(lead, other_ngo_member, accounts=("other",)), other_ngo_member)
    return ours, complaint, theirs


def ids(response) -> set[str]:
    assert response.status_code == 200, response.json()
    assert {"next", "previous", "results"} <= set(response.json())
    return {row["id"] for row in response.json()["results"]}


def test_submitters_list_their_organisation_s_appeals_only(api_for, three, ngo_member, ngo_admin, other_ngo_member):
    ours, _complaint, theirs = three

    assert ids(api_for(ngo_member).get("/api/v1/appeals/")) == {str(ours.pk)}
    assert ids(api_for(ngo_admin).get("/api/v1/appeals/")) == {str(ours.pk)}
    assert ids(api_for(other_ngo_member).get("/api/v1/appeals/")) == {str(theirs.pk)}
    rows = api_for(ngo_member).get("/api/v1/appeals/").json()["results"]
    assert set(rows[0]) == PARTNER_SHAPE


@pytest.mark.parametrize("persona", ["reviewer", "lead", "policy"])
def test_platform_roles_list_every_appeal_and_complaint(request, api_for, three, persona):
    api = api_for(request.getfixturevalue(persona))

    assert ids(api.get("/api/v1/appeals/")) == {str(a.pk) for a in three}
    assert ids(api.get("/api/v1/appeals/?source=account_holder")) == {str(three[1].pk)}
    assert ids(api.get("/api/v1/appeals/?status=decided")) == set()


def test_a_liaison_lists_none_of_them(api_for, three, liaison):
    assert ids(api_for(liaison).get("/api/v1/appeals/")) == set()


def test_one_appeal_is_scoped_like_the_list(api_for, three, ngo_member, reviewer):
    ours, complaint, theirs = three
    api = api_for(ngo_member)

    assert api.get(f"/api/v1/appeals/{ours.pk}/").status_code == 200
    assert api.get(f"/api/v1/appeals/{theirs.pk}/").status_code == 404
    assert api.get(f"/api/v1/appeals/{complaint.pk}/").status_code == 404  # about our referral, still not ours
    platform = api_for(reviewer).get(f"/api/v1/appeals/{complaint.pk}/").json()
    assert set(platform) == PARTNER_SHAPE | PLATFORM_EXTRA


def test_partners_never_read_who_decided(api_for, ngo_member, lead, reviewer):
    appeal = appealed(no_violation(lead, ngo_member), ngo_member)
    api_for(reviewer).post(decision_url(appeal), {"outcome": "upheld", "statement": STATEMENT}, format="json")

    text = api_for(ngo_member).get(f"/api/v1/appeals/{appeal.pk}/").content.decode()

    assert reviewer.email not in text and lead.email not in text
    assert "decided_by" not in text


# --- The referral's `appeal` ---------------------------------------------------------------------------


def test_the_referral_says_whether_and_how_it_was_appealed(api_for, ngo_member, lead, reviewer):
    referral = no_violation(lead, ngo_member)
    api = api_for(ngo_member)
    assert api.get(f"/api/v1/referrals/{referral.id}/").json()["appeal"] is None

    appeal = appealed(referral, ngo_member)
    opened = api.get(f"/api/v1/referrals/{referral.id}/").json()["appeal"]
    appeal_decision = api_for(reviewer).post(
        decision_url(appeal), {"outcome": "upheld", "statement": STATEMENT}, format="json"
    )
    decided = api.get("/api/v1/referrals/").json()["results"][0]["appeal"]

    assert opened == {"id": str(appeal.pk), "status": "open", "outcome": None, "decided_at": None}
    assert decided["status"] == "decided" and decided["outcome"] == "upheld"
    assert decided["decided_at"] == appeal_decision.json()["decided_at"]


def test_a_complaint_is_not_the_referral_s_appeal(api_for, ngo_member, lead, reviewer):
    referral = suspended(lead, ngo_member)
    complained(referral, reviewer)

    assert api_for(ngo_member).get(f"/api/v1/referrals/{referral.id}/").json()["appeal"] is None
    assert api_for(reviewer).get(f"/api/v1/referrals/{referral.id}/").json()["appeal"] is None


def test_a_freshly_filed_referral_has_no_appeal(api_for, ngo_member):
    from tests.referrals.factories import referral_data

    response = api_for(ngo_member).post("/api/v1/referrals/", referral_data(), format="json")

    assert response.status_code == 201
    assert response.json()["appeal"] is None
    assert Referral.objects.count() == 1

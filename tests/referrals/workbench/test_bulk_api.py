"""`POST /api/v1/decisions/bulk/` (SPEC §15): many referrals decided at once, each in its own
transaction through referral_decide; what is not decided is listed with the reason."""

import uuid

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from portal.models import AuditEvent, Notification
from referrals.models import Referral, Status
from referrals.review.services.routing import referral_route_batch
from tests.referrals.review_factories import DECISION, claimed, decided, received, routed
from tests.referrals.workbench.decision_templates import make_template

pytestmark = pytest.mark.django_db

URL = "/api/v1/decisions/bulk/"


def _bulk(api, referrals, **body):
    ids = [str(r.id) if hasattr(r, "id") else str(r) for r in referrals]
    return api.post(URL, {"referrals": ids, **body}, format="json")


def _status(referral) -> str:
    return Referral.objects.get(pk=referral.pk).status


@pytest.mark.parametrize(
    ("persona", "expected"),
    [
        ("anon", 401),
        ("ngo_member", 404),
        ("ngo_admin", 404),
        ("other_ngo_member", 404),
        ("liaison", 404),
        ("policy", 403),
        ("lead", 200),
    ],
)
def test_who_may_decide_in_bulk(request, api_for, anon_api, ngo_member, persona, expected):
    notice = routed(ngo_member)
    client = anon_api if persona == "anon" else api_for(request.getfixturevalue(persona))

    response = _bulk(client, [notice], **DECISION)

    assert response.status_code == expected
    assert _status(notice) == (Status.ACTIONED if expected == 200 else Status.ROUTED)


def test_a_lead_decides_the_open_ones_and_hears_why_the_others_were_skipped(
    api_for, lead, reviewer, ngo_member, other_ngo_member, liaison
):
    mine = routed(ngo_member, accounts=("a",))
    theirs = claimed(reviewer, other_ngo_member, accounts=("b",))
    order = routed(liaison, "removal_order", accounts=("c",))
    own_order = claimed(lead, liaison, "removal_order", accounts=("d",))
    done = decided(lead, ngo_member, accounts=("e",))
    unknown = uuid.uuid4()

    response = _bulk(api_for(lead), [mine, theirs, order, own_order, done, unknown], **DECISION)

    assert response.status_code == 200
    body = response.json()
    assert body["decided"] == [str(mine.id), str(theirs.id), str(own_order.id)]
    skipped = {s["id"]: s for s in body["skipped"]}
    assert set(skipped) == {str(order.id), str(done.id), str(unknown)}
    assert skipped[str(order.id)]["code"] == "legal_kind"
    assert "assigned" in skipped[str(order.id)]["reason"]
    assert skipped[str(done.id)]["code"] == "closed"
    assert skipped[str(unknown)] == {"id": str(unknown), "code": "not_found", "reason": skipped[str(unknown)]["reason"]}
    assert [_status(r) for r in (mine, theirs, order, own_order)] == [
        Status.ACTIONED,
        Status.ACTIONED,
        Status.ROUTED,
        Status.ACTIONED,
    ]


def test_an_unknown_id_says_no_more_than_not_found(api_for, lead, other_ngo_member):
    response = _bulk(api_for(lead), [uuid.uuid4()], **DECISION)

    (skipped,) = response.json()["skipped"]
    assert skipped["reason"] == "No referral you can see has this id."


def test_a_reviewer_decides_only_the_referrals_assigned_to_them(api_for, reviewer, lead, ngo_member, liaison):
    own = claimed(reviewer, ngo_member, accounts=("a",))
    own_order = claimed(reviewer, liaison, "removal_order", accounts=("b",))
    waiting = routed(ngo_member, accounts=("c",))
    leads = claimed(lead, ngo_member, accounts=("d",))

    response = _bulk(api_for(reviewer), [own, own_order, waiting, leads], **DECISION)

    assert response.status_code == 200
    assert response.json()["decided"] == [str(own.id), str(own_order.id)]
    assert {s["code"] for s in response.json()["skipped"]} == {"not_assigned"}
    assert _status(waiting) == Status.ROUTED and _status(leads) == Status.IN_REVIEW


def test_each_referral_gets_its_decision_audit_timeline_and_notification(api_for, lead, ngo_member, other_ngo_member):
    first = routed(ngo_member, accounts=("a",))
    second = routed(other_ngo_member, accounts=("b",))

    _bulk(api_for(lead), [first, second], **DECISION)

    for referral in (first, second):
        referral.refresh_from_db()
        assert referral.decision.decided_by == lead
        assert referral.events.filter(type="decided").count() == 1
        assert AuditEvent.objects.filter(action="referral.decide", object_id=str(referral.pk)).count() == 1
        assert Notification.objects.filter(link=f"/referrals/{referral.reference}/").exists()
    entry = AuditEvent.objects.get(action="referral.bulk_decide")
    assert entry.actor == lead and entry.data["decided"] == [str(first.id), str(second.id)]


def test_a_template_fills_each_statement_for_its_own_referral(api_for, lead, ngo_member):
    template = make_template(lead)
    first = routed(ngo_member, accounts=("alpha",))
    second = routed(ngo_member, accounts=("beta",))

    response = _bulk(api_for(lead), [first, second], template=str(template.pk))

    assert len(response.json()["decided"]) == 2
    for referral, account in ((first, "alpha"), (second, "beta")):
        statement = Referral.objects.get(pk=referral.pk).decision.statement_of_reasons
        assert statement.startswith(f"The account {account} on x recruits")
        assert referral.reference in statement


def test_a_template_for_another_kind_skips_the_referral(api_for, lead, ngo_member):
    template = make_template(lead, kinds=["le_referral"])
    notice = routed(ngo_member)

    response = _bulk(api_for(lead), [notice], template=str(template.pk))

    assert response.json()["decided"] == []
    assert response.json()["skipped"][0]["code"] == "template"
    assert _status(notice) == Status.ROUTED


def test_an_invalid_decision_skips_every_referral_with_the_reason(api_for, lead, ngo_member, liaison):
    order = claimed(lead, liaison, "removal_order", accounts=("a",))

    response = _bulk(api_for(lead), [order], **{**DECISION, "action": "unable_to_comply", "ground": "legal"})

    (skipped,) = response.json()["skipped"]
    assert skipped["code"] == "invalid"
    assert skipped["reason"].startswith("Give the reason the removal order cannot be complied with")
    assert _status(order) == Status.IN_REVIEW


def test_notices_closed_by_an_earlier_decision_of_the_same_call_count_as_decided(api_for, lead, ngo_member):
    first = routed(ngo_member, accounts=("same",))
    second = routed(ngo_member, accounts=("same",))

    response = _bulk(api_for(lead), [first, second], **DECISION)

    assert response.json() == {"decided": [str(first.id), str(second.id)], "skipped": []}
    assert Referral.objects.get(pk=second.pk).decision.applied_from_id is not None


def test_more_than_500_referrals_is_a_400_and_nothing_is_decided(api_for, lead, ngo_member):
    notice = routed(ngo_member)
    ids = [notice.id, *(uuid.uuid4() for _ in range(500))]

    response = _bulk(api_for(lead), ids, **DECISION)

    assert response.status_code == 400
    assert "referrals" in response.json()
    assert _status(notice) == Status.ROUTED


def test_decision_fields_or_a_template_are_required(api_for, lead, ngo_member):
    notice = routed(ngo_member)

    response = _bulk(api_for(lead), [notice])

    assert response.status_code == 400
    assert {"action", "ground", "policy", "statement_of_reasons"} <= set(response.json())


# Per referral decided with a template (referral_decide, as for a referral decided alone): its
# savepoint, the referral locked (with queue and organisation), the referral's update, the
# decision's insert, the subjects it names, their suspension (the subjects and their linked
# accounts locked in key order, the subjects' update, their neighbours' `suspended_links`
# counts), the timeline entry, the audit
# entry, the submitting organisation's members, the referral's appeals (for the notice's "how
# to appeal"), their in-app notification, the organisation's webhooks listening for the status
# change and for the decision (SPEC §19: one cheap query each, nothing serialised without one),
# the other open notices naming the same subjects, and the savepoint's release (a transaction
# of its own outside the test's).
PER_REFERRAL = 17
# Once per call: the token with its user, membership, organisation and the second factor an
# MFA role must have, the template, the referrals, their targets (for the placeholders), the
# bulk audit entry.
FIXED = 5


def _notices(user, count: int, prefix: str) -> list:
    referrals = [received(user, accounts=(f"{prefix}{n}",)) for n in range(count)]
    referral_route_batch(seqs=[r.seq for r in referrals])
    return referrals


def test_the_queries_of_a_bulk_decision_grow_by_a_fixed_number_per_referral(api_for, lead, ngo_member):
    template = make_template(lead)
    api = api_for(lead)
    api.get("/api/v1/templates/")  # the token's first use is recorded once
    few, many = _notices(ngo_member, 5, "few"), _notices(ngo_member, 20, "many")

    with CaptureQueriesContext(connection) as small:
        response = _bulk(api, few, template=str(template.pk))
    assert len(response.json()["decided"]) == 5
    with CaptureQueriesContext(connection) as large:
        response = _bulk(api, many, template=str(template.pk))
    assert len(response.json()["decided"]) == 20

    assert len(small) == FIXED + 5 * PER_REFERRAL
    assert len(large) == FIXED + 20 * PER_REFERRAL

"""Every review endpoint × every persona (SPEC §2 access rule, §9).

A referral filed by the NGO, routed, claimed by `reviewer`. Outsiders get 404; people who can
see it but may not act get 403; the assignee and leads act; anonymous callers get 401.
"""

import pytest

from partners.models import Role
from referrals.models import Subject
from referrals.review.services.decisions import referral_decide
from tests.factories import make_member
from tests.referrals.review_factories import claimed

pytestmark = pytest.mark.django_db

DECISION = {
    "action": "content_removed",
    "ground": "terms",
    "policy": "Violent extremism policy 3.1",
    "statement_of_reasons": "The post glorifies an attack and its perpetrator.",
}
OK, FORBIDDEN, MISSING, ANON = 200, 403, 404, 401

# endpoint → {persona: status}
MATRIX = {
    "request-info": {
        "anon": ANON,
        "ngo_member": FORBIDDEN,
        "ngo_admin": FORBIDDEN,
        "other_ngo_member": MISSING,
        "liaison": MISSING,
        "colleague": FORBIDDEN,
        "policy": FORBIDDEN,
        "reviewer": OK,
        "lead": OK,
    },
    "release": {
        "anon": ANON,
        "ngo_member": FORBIDDEN,
        "ngo_admin": FORBIDDEN,
        "other_ngo_member": MISSING,
        "liaison": MISSING,
        "colleague": FORBIDDEN,
        "policy": FORBIDDEN,
        "reviewer": OK,
        "lead": OK,
    },
    "decision": {
        "anon": ANON,
        "ngo_member": FORBIDDEN,
        "ngo_admin": FORBIDDEN,
        "other_ngo_member": MISSING,
        "liaison": MISSING,
        "colleague": FORBIDDEN,
        "policy": FORBIDDEN,
        "reviewer": OK,
        "lead": OK,
    },
    "statement-of-reasons": {
        "anon": ANON,
        "ngo_member": FORBIDDEN,
        "ngo_admin": FORBIDDEN,
        "other_ngo_member": MISSING,
        "liaison": MISSING,
        "colleague": OK,
        "policy": OK,
        "reviewer": OK,
        "lead": OK,
    },
    "subject": {
        "anon": ANON,
        "ngo_member": MISSING,
        "ngo_admin": MISSING,
        "other_ngo_member": MISSING,
        "liaison": MISSING,
        "colleague": OK,
        "policy": OK,
        "reviewer": OK,
        "lead": OK,
    },
    "statements-of-reasons": {
        "anon": ANON,
        "ngo_member": MISSING,
        "ngo_admin": MISSING,
        "other_ngo_member": MISSING,
        "liaison": MISSING,
        "colleague": OK,
        "policy": OK,
        "reviewer": OK,
        "lead": OK,
    },
    "queues": {
        "anon": ANON,
        "ngo_member": MISSING,
        "ngo_admin": MISSING,
        "other_ngo_member": MISSING,
        "liaison": MISSING,
        "colleague": OK,
        "policy": OK,
        "reviewer": OK,
        "lead": OK,
    },
}
CASES = [(endpoint, persona, expected) for endpoint, row in MATRIX.items() for persona, expected in row.items()]


@pytest.fixture
def colleague(platform):
    """A reviewer in the same queue who is not the assignee."""
    return make_member(platform, Role.REVIEWER)


@pytest.mark.parametrize(("endpoint", "persona", "expected"), CASES)
def test_review_endpoint_access(
    request, api_for, anon_api, reviewer, ngo_member, colleague, endpoint, persona, expected
):
    referral = claimed(reviewer, ngo_member, accounts=("hyper",))
    referral.queue.members.add(colleague)
    if endpoint in ("statement-of-reasons", "statements-of-reasons"):
        referral_decide(by=reviewer, referral=referral, **DECISION)
    client = anon_api if persona == "anon" else api_for(request.getfixturevalue(persona))
    base = f"/api/v1/referrals/{referral.id}"

    if endpoint == "request-info":
        response = client.post(f"{base}/request-info/", {"message": "Which post?"}, format="json")
    elif endpoint == "release":
        response = client.post(f"{base}/release/")
    elif endpoint == "decision":
        response = client.post(f"{base}/decision/", DECISION, format="json")
    elif endpoint == "statement-of-reasons":
        response = client.get(f"{base}/statement-of-reasons/")
    elif endpoint == "statements-of-reasons":
        response = client.get("/api/v1/statements-of-reasons/")
    elif endpoint == "subject":
        response = client.get(f"/api/v1/subjects/{Subject.objects.get(account='hyper').id}/")
    else:
        response = client.get("/api/v1/queues/")

    assert response.status_code == expected, response.content
    if expected in (MISSING, FORBIDDEN):
        assert set(response.json()) == {"detail"}


@pytest.mark.parametrize("persona", ["ngo_member", "other_ngo_member", "liaison"])
def test_partners_never_see_queue_priority_or_assignee(request, api_for, reviewer, ngo_member, persona):
    referral = claimed(reviewer, ngo_member)
    client = api_for(request.getfixturevalue(persona))

    response = client.get(f"/api/v1/referrals/{referral.id}/")

    if persona != "ngo_member":
        assert response.status_code == 404
        return
    body = response.json()
    for hidden in ("queue", "priority", "assignee", "routing_reasons"):
        assert hidden not in body
    assert reviewer.email not in response.content.decode()

"""Unicode format characters (category Cf: bidi overrides and isolates, zero-width spaces, the
invisible "tag" letters) are stripped from free text at input, in the shared validation, so
no reviewer reads "moc.elpmaxe" reversed by a U+202E, on any page, API, e-mail or export.

Kept: the joiners ZWNJ and ZWJ and the direction marks LRM, RLM and ALM, which cannot
reorder text and which Persian, Arabic, Indic scripts and emoji sequences need.
"""

import pytest

from partners.models import PartnerApplication, Role
from partners.services import invitation_create
from portal.models import User
from portal.text import strip_format_characters
from referrals.models import Decision, Referral, TimelineEvent
from tests.partners.test_applications import APPLICATION
from tests.partners.test_invitations import _signup
from tests.referrals.factories import EXPLANATION, make_referral, referral_data
from tests.referrals.review_factories import claimed

HIDDEN = "\u202e\u2066\u200b\u2060\ufeff\u00ad\U000e0041"  # override, isolate, zero-widths, soft hyphen, a tag
KEPT = "می\u200cخواهم 👩\u200d💻 \u200fa\u200e\u061c"


@pytest.mark.parametrize(
    ("raw", "clean"),
    [
        (f"evil{HIDDEN}.example", "evil.example"),
        (KEPT, KEPT),
        ("plain ASCII", "plain ASCII"),
    ],
)
def test_format_characters_are_stripped_and_the_needed_ones_kept(raw, clean):
    assert strip_format_characters(raw) == clean


def test_a_referral_explanation_and_the_law_enforcement_texts_lose_them(api_for, liaison, routing_table):
    data = referral_data("le_referral", explanation=f"{EXPLANATION}\u202e gnp.tsop", authority_reference="CASE\u200b-7")
    response = api_for(liaison).post("/api/v1/referrals/", data, format="json")
    assert response.status_code == 201, response.json()
    referral = Referral.objects.get()
    assert referral.explanation == f"{EXPLANATION} gnp.tsop"
    assert referral.authority_reference == "CASE-7"


def test_the_filing_form_strips_them_too(client_for, ngo_member):
    form = {**referral_data(), "targets": "https://x.com/someone", "explanation": f"{EXPLANATION}{HIDDEN}"}
    response = client_for(ngo_member).post("/referrals/new/", form)
    assert response.status_code == 302
    assert Referral.objects.get().explanation == EXPLANATION


def test_messages_both_ways_lose_them(api_for, client_for, ngo_member, reviewer, routing_table):
    referral = claimed(reviewer, ngo_member)
    api_for(reviewer).post(
        f"/api/v1/referrals/{referral.id}/request-info/", {"message": f"Which{HIDDEN} post?"}, format="json"
    )
    api_for(ngo_member).post(
        f"/api/v1/referrals/{referral.id}/messages/", {"body": f"The{HIDDEN} first."}, format="json"
    )
    messages = list(TimelineEvent.objects.filter(referral=referral).values_list("type", "message"))
    assert ("info_requested", "Which post?") in messages
    assert any(message == "The first." for _, message in messages)


def test_a_decisions_policy_and_statement_lose_them(api_for, ngo_member, reviewer, routing_table):
    referral = claimed(reviewer, ngo_member)
    response = api_for(reviewer).post(
        f"/api/v1/referrals/{referral.id}/decision/",
        {
            "action": "content_removed",
            "ground": "terms",
            "policy": f"Policy{HIDDEN} 3.1",
            "statement_of_reasons": f"The post recruits{HIDDEN} for a proscribed group.",
        },
        format="json",
    )
    assert response.status_code == 200, response.json()
    decision = Decision.objects.get(referral=referral)
    assert (decision.policy, decision.statement_of_reasons) == (
        "Policy 3.1",
        "The post recruits for a proscribed group.",
    )


def test_a_withdrawal_reason_loses_them(client_for, ngo_member):
    referral = make_referral(ngo_member)
    client_for(ngo_member).post(f"/referrals/{referral.reference}/withdraw/", {"reason": f"Filed{HIDDEN} twice"})
    assert TimelineEvent.objects.get(referral=referral, type="withdrawn").message == "Filed twice"


def test_names_lose_them_in_applications_and_at_sign_up(client, ngo, ngo_admin):
    client.post(
        "/partners/apply/",
        {**APPLICATION, "organisation_name": f"Bridges{HIDDEN} Not Walls", "contact_name": f"Claire{HIDDEN}"},
    )
    application = PartnerApplication.objects.get()
    assert (application.organisation_name, application.contact_name) == ("Bridges Not Walls", "Claire")

    invitation, token = invitation_create(
        by=ngo_admin, organisation=ngo, email=f"new@{ngo.email_domains[0]}", role=Role.NGO_MEMBER
    )
    _signup(client, token, invitation.email, name=f"Amal{HIDDEN} Haddad")
    assert User.objects.get(email=invitation.email).name == "Amal Haddad"

"""Decisions fit the DSA Transparency Database when they are taken (SPEC §22): a territorial
scope only of EEA countries, a restriction ending on 1 January 2038 at the latest. Refused
by the service, so by the API and the form alike, and nothing is stored."""

from datetime import date

import pytest
from django.core.exceptions import ValidationError

from referrals.models import Decision, Referral, Status
from referrals.review.services.decisions import referral_decide
from tests.referrals.review_factories import DECISION, claimed

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("scope", "words"),
    [
        (["GB"], "outside the EEA"),
        (["DE", "US"], "outside the EEA"),
        (["UK"], "United Kingdom"),
        (["EL"], "GR for Greece"),
    ],
)
def test_a_scope_outside_the_eea_is_refused(reviewer, ngo_member, scope, words):
    referral = claimed(reviewer, ngo_member)

    with pytest.raises(ValidationError) as refused:
        referral_decide(by=reviewer, referral=referral, **{**DECISION, "territorial_scope": scope})

    assert words in " ".join(refused.value.message_dict["territorial_scope"])
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW
    assert not Decision.objects.exists()


@pytest.mark.parametrize("scope", [[], ["de", "at"], ["IS", "LI", "NO", "GR"]])
def test_eea_countries_or_everywhere_are_taken(reviewer, ngo_member, scope):
    referral = claimed(reviewer, ngo_member)

    decision = referral_decide(by=reviewer, referral=referral, **{**DECISION, "territorial_scope": scope})

    assert decision.territorial_scope == [code.upper() for code in scope]


def test_a_restriction_may_end_on_the_first_of_january_2038_and_no_later(reviewer, ngo_member):
    late = claimed(reviewer, ngo_member, accounts=("late",))
    with pytest.raises(ValidationError) as refused:
        referral_decide(by=reviewer, referral=late, **{**DECISION, "restriction_end": date(2038, 1, 2)})
    assert "1 January 2038" in refused.value.message_dict["restriction_end"][0]

    last = claimed(reviewer, ngo_member, accounts=("last",))
    decision = referral_decide(by=reviewer, referral=last, **{**DECISION, "restriction_end": date(2038, 1, 1)})
    assert decision.restriction_end == date(2038, 1, 1)


def test_the_api_refuses_them_field_by_field(api_for, reviewer, ngo_member):
    referral = claimed(reviewer, ngo_member)

    response = api_for(reviewer).post(
        f"/api/v1/referrals/{referral.id}/decision/",
        {**DECISION, "territorial_scope": ["FR", "CH"], "restriction_end": "2040-06-30"},
        format="json",
    )

    assert response.status_code == 400
    assert {"territorial_scope", "restriction_end"} <= set(response.json())
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW


def test_the_form_says_what_it_takes_and_shows_the_refusal(client_for, reviewer, ngo_member):
    referral = claimed(reviewer, ngo_member)
    client = client_for(reviewer)

    page = client.get(f"/referrals/{referral.reference}/").content.decode()
    assert "EEA countries only" in page
    assert "1 January 2038" in page

    response = client.post(f"/referrals/{referral.reference}/decide/", {**DECISION, "territorial_scope": "DE, GB"})

    assert response.status_code == 200
    assert "outside the EEA" in " ".join(response.context["form"].errors["territorial_scope"])
    assert "outside the EEA" in response.content.decode()
    assert Referral.objects.get(pk=referral.pk).status == Status.IN_REVIEW

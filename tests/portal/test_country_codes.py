"""One check of "is this an ISO 3166-1 alpha-2 country code" wherever a country is accepted:
two letters are not enough ("XX" is no country)."""

import pytest
from django.core.exceptions import ValidationError

from campaigns import validation as campaign_validation
from partners.forms import PartnerApplicationForm
from partners.models import Organisation, OrganisationKind
from portal.countries import is_country_code, validate_country_code
from portal.errors import DomainError
from referrals.models import Queue, Referral
from referrals.review.services.decisions import decision_validate
from referrals.review.services.queues import rule_save
from tests.referrals.factories import make_referral, referral_data

NOT_COUNTRIES = ["XX", "AA", "ZZ", "UK", "EU", "GBR", "G", "", "gb ", "12"]
DECISION = {
    "action": "content_removed",
    "ground": "terms",
    "policy": "Violent extremism policy, section 2",
    "statement_of_reasons": "The post recruits for a proscribed organisation.",
}


@pytest.mark.parametrize("code", ["GB", "FR", "DE", "US", "XK"])
def test_country_codes_are_accepted(code):
    assert is_country_code(code)
    validate_country_code(code)


@pytest.mark.parametrize("code", NOT_COUNTRIES)
def test_other_codes_are_refused(code):
    assert not is_country_code(code)
    with pytest.raises(ValidationError, match="country code"):
        validate_country_code(code)


def test_lower_case_is_not_a_code_until_normalised():
    assert not is_country_code("gb")  # callers upper-case what people type


@pytest.mark.django_db
def test_a_referral_naming_country_xx_is_a_400_on_country(api_for, ngo_member):
    response = api_for(ngo_member).post("/api/v1/referrals/", referral_data(country="XX"), format="json")
    assert response.status_code == 400
    assert set(response.json()) == {"country"}
    assert not Referral.objects.exists()


@pytest.mark.django_db
def test_a_referral_naming_a_country_is_stored_upper_case(ngo_member):
    assert make_referral(ngo_member, country="fr").country == "FR"


@pytest.mark.django_db
def test_a_referral_with_country_xx_is_refused_in_the_admin_too(ngo_member):
    referral = make_referral(ngo_member)
    referral.country = "XX"
    with pytest.raises(ValidationError) as error:
        referral.clean_fields()
    assert set(error.value.message_dict) == {"country"}


@pytest.mark.django_db
def test_a_decision_scoped_to_xx_is_refused_on_territorial_scope(ngo_member):
    referral = make_referral(ngo_member)
    with pytest.raises(ValidationError) as error:
        decision_validate(referral=referral, territorial_scope=["DE", "XX"], **DECISION)
    assert set(error.value.message_dict) == {"territorial_scope"}
    assert "XX" in error.value.message_dict["territorial_scope"][0]


@pytest.mark.django_db
def test_a_decision_scoped_to_countries_keeps_them(ngo_member):
    decision = decision_validate(referral=make_referral(ngo_member), territorial_scope="de, fr", **DECISION)
    assert decision.territorial_scope == ("DE", "FR")


@pytest.mark.django_db
def test_a_routing_rule_on_country_xx_is_refused_on_countries(lead):
    with pytest.raises(DomainError) as error:
        rule_save(by=lead, order=1, name="Rule", queue=Queue.objects.get(slug="general"), countries=["de", "xx"])
    assert error.value.field == "countries"
    assert "XX" in error.value.message


@pytest.mark.django_db
def test_a_partner_application_from_country_xx_is_refused():
    form = PartnerApplicationForm(
        {
            "organisation_name": "Bridges Not Walls",
            "kind": "ngo",
            "country": "xx",
            "website": "https://bridges.test",
            "email_domain": "bridges.test",
            "contact_name": "Claire Martin",
            "contact_email": "claire@bridges.test",
            "description": "We run counter-narrative workshops with young people.",
        }
    )
    assert not form.is_valid()
    assert set(form.errors) == {"country"}


@pytest.mark.django_db
def test_an_organisation_in_country_xx_is_refused_in_the_admin():
    organisation = Organisation(name="Somewhere", slug="somewhere", kind=OrganisationKind.NGO, country="XX")
    with pytest.raises(ValidationError) as error:
        organisation.full_clean()
    assert set(error.value.message_dict) == {"country"}
    organisation.country = ""  # no country is allowed for an organisation
    organisation.full_clean()


def test_a_campaign_for_country_xx_is_refused():
    assert campaign_validation.clean_countries(["gb", "FR"]) == ["GB", "FR"]
    with pytest.raises(ValidationError, match="XX"):
        campaign_validation.clean_countries(["GB", "XX"])


@pytest.mark.django_db
def test_a_campaign_for_country_xx_is_a_400_on_countries(api_for, policy):
    response = api_for(policy).post(
        "/api/v1/campaigns/",
        {"title": "Hope Over Hate", "start_date": "2030-03-01", "end_date": "2030-04-30", "countries": ["XX"]},
        format="json",
    )
    assert response.status_code == 400
    assert set(response.json()) == {"countries"}


def test_a_country_is_shown_by_its_name_in_the_readers_language():
    from django.utils import translation

    from portal.countries import country_name

    assert country_name("DE") == "Germany"
    with translation.override("fr"):
        assert country_name("DE") == "Allemagne"
    with translation.override("ar"):
        assert country_name("DE") == "ألمانيا"
    assert country_name("") == ""


def test_the_organisation_page_names_its_country(client_for, ngo_member):
    organisation = ngo_member.membership.organisation
    organisation.country = "FR"
    organisation.save()
    page = client_for(ngo_member).get(f"/partners/{organisation.slug}/").content.decode()
    assert "· France" in page
    assert "· FR" not in page

"""Filing law-enforcement requests: who may file the legal kinds, and the fields each needs."""

import pytest

from referrals.engine import legal
from referrals.intake.services.bulk import parse_csv
from referrals.models import Decision, Kind, Referral, TimelineEvent
from tests.referrals.factories import referral_data

URL = "/api/v1/referrals/"
LEGAL = ["removal_order", "preservation_request", "emergency_request"]
LAW_ENFORCEMENT = ["le_referral", *LEGAL]


def post(client, data):
    return client.post(URL, data, format="json")


def form_post(client, data):
    body = {k: v for k, v in data.items() if k != "targets"}
    body["targets"] = "\n".join(t.get("url") or f"{t['platform']}:{t['account']}" for t in data["targets"])
    return client.post("/referrals/new/", body)


# --- Who may file -------------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LEGAL)
def test_an_unverified_agencys_liaison_is_refused_the_legal_kinds_by_the_api(api_for, unverified_liaison, kind):
    response = post(api_for(unverified_liaison), referral_data(kind))
    assert response.status_code == 403
    assert "verified law-enforcement agency" in response.json()["detail"]
    assert Referral.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LEGAL)
def test_an_unverified_agencys_liaison_is_refused_the_legal_kinds_by_the_form(client_for, unverified_liaison, kind):
    response = form_post(client_for(unverified_liaison), referral_data(kind))
    assert response.status_code == 200  # the form is shown again: the kind is not offered
    assert "is not one of the available choices" in response.content.decode()
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_an_unverified_agencys_liaison_may_still_file_a_voluntary_referral(api_for, unverified_liaison):
    assert post(api_for(unverified_liaison), referral_data("le_referral")).status_code == 201


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LAW_ENFORCEMENT)
def test_an_ngo_member_is_refused_every_law_enforcement_kind_by_the_api(api_for, ngo_member, kind):
    response = post(api_for(ngo_member), referral_data(kind))
    assert response.status_code == 403
    assert Referral.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LAW_ENFORCEMENT)
def test_an_ngo_member_is_not_offered_any_law_enforcement_kind_by_the_form(client_for, ngo_member, kind):
    client = client_for(ngo_member)
    page = client.get("/referrals/new/").content.decode()
    assert f'value="{kind}"' not in page
    response = form_post(client, referral_data(kind))
    assert "is not one of the available choices" in response.content.decode()
    assert Referral.objects.count() == 0


@pytest.mark.django_db
@pytest.mark.parametrize("kind", LAW_ENFORCEMENT)
def test_a_verified_agencys_liaison_files_every_law_enforcement_kind(api_for, liaison, kind):
    assert post(api_for(liaison), referral_data(kind)).status_code == 201


# --- Removal orders: grounds and exact URLs ----------------------------------------------------


@pytest.mark.django_db
def test_a_removal_order_carries_its_legal_grounds(api_for, liaison):
    data = referral_data("removal_order", legal_grounds=["threat", "incitement", "threat"])
    response = post(api_for(liaison), data)
    assert response.status_code == 201
    # In the Regulation's order, each once.
    assert response.json()["legal_grounds"] == ["incitement", "threat"]
    assert Referral.objects.get().legal_grounds == ["incitement", "threat"]


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("grounds", "message"),
    [
        (None, "Choose at least one ground"),
        ([], "Choose at least one ground"),
        (["glorification"], "is not one of"),
        ([3], "must be text"),
    ],
)
def test_a_removal_order_without_valid_grounds_is_refused_on_its_field(api_for, liaison, grounds, message):
    data = referral_data("removal_order")
    data["legal_grounds"] = grounds
    if grounds is None:
        del data["legal_grounds"]
    response = post(api_for(liaison), data)
    assert response.status_code == 400
    assert message in response.json()["legal_grounds"][0]
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_grounds_belong_to_removal_orders_only(api_for, liaison):
    response = post(api_for(liaison), referral_data("le_referral", legal_grounds=["incitement"]))
    assert response.status_code == 201
    assert response.json()["legal_grounds"] == []


@pytest.mark.django_db
def test_a_removal_order_names_exact_urls_not_accounts(api_for, liaison):
    data = referral_data(
        "removal_order", targets=[{"url": "https://x.com/a/status/1"}, {"platform": "telegram", "account": "chan"}]
    )
    response = post(api_for(liaison), data)
    assert response.status_code == 400
    assert response.json()["targets"] == [{}, {"url": ["A removal order needs the exact URL."]}]
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_other_law_enforcement_kinds_may_name_accounts(api_for, liaison):
    data = referral_data("preservation_request", targets=[{"platform": "telegram", "account": "chan"}])
    assert post(api_for(liaison), data).status_code == 201


@pytest.mark.django_db
def test_the_form_files_a_removal_order_with_grounds_and_urls(client_for, liaison):
    client = client_for(liaison)
    page = client.get("/referrals/new/").content.decode()
    for value, _ in legal.GROUNDS:
        assert f'value="{value}"' in page
    data = referral_data("removal_order", legal_grounds=["instruction", "solicitation_to_participate"])
    response = form_post(client, data)
    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/"
    assert referral.legal_grounds == ["solicitation_to_participate", "instruction"]
    assert referral.issuing_authority == "National Counter-Terrorism Authority"


@pytest.mark.django_db
def test_the_form_refuses_a_removal_order_naming_an_account(client_for, liaison):
    data = referral_data("removal_order", targets=[{"platform": "telegram", "account": "chan"}])
    page = form_post(client_for(liaison), data).content.decode()
    assert "Line 1: A removal order needs the exact URL." in page
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_grounds_can_be_given_in_a_csv_cell():
    header = (
        "kind,category,severity,explanation,targets,authority_reference,legal_basis,issuing_authority,legal_grounds"
    )
    row = (
        "removal_order,terrorist_threat,high,A video threatening attacks on a named event.,"
        "https://x.com/a/status/1,C-1,Reg 2021/784 Art 3,Authority,incitement|threat"
    )
    (item,) = parse_csv(f"{header}\n{row}\n".encode())
    from referrals.intake.services.validation import referral_clean

    result = referral_clean(item["data"], kinds_allowed=[Kind.REMOVAL_ORDER])
    assert result.errors == {}
    assert result.cleaned.fields["legal_grounds"] == ["incitement", "threat"]


# --- The other legal kinds -------------------------------------------------------------------------


@pytest.mark.django_db
@pytest.mark.parametrize("severity", ["low", "medium", "high", None])
def test_an_emergency_request_is_always_imminent(api_for, liaison, severity):
    data = referral_data("emergency_request", severity=severity)  # None leaves it out
    response = post(api_for(liaison), data)
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert referral.severity == "imminent"
    assert (referral.due_at - referral.received_at).total_seconds() == 3600


@pytest.mark.django_db
def test_the_form_files_an_emergency_request_as_imminent_whatever_severity_is_chosen(client_for, liaison):
    response = form_post(client_for(liaison), referral_data("emergency_request", severity="low"))
    assert response.status_code == 302
    assert Referral.objects.get().severity == "imminent"


@pytest.mark.django_db
def test_a_preservation_request_is_kept_ninety_days_by_default(api_for, liaison):
    from django.utils import timezone

    response = post(api_for(liaison), referral_data("preservation_request"))
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert (referral.preserve_until - timezone.localdate()).days == 90


@pytest.mark.django_db
def test_receipt_of_a_removal_order_is_acknowledged_on_the_timeline_at_once(api_for, liaison):
    post(api_for(liaison), referral_data("removal_order"))
    referral = Referral.objects.get()
    event = TimelineEvent.objects.get(referral=referral)
    assert event.type == "received"
    assert event.at == referral.received_at
    assert "The 60-minute clock started at receipt" in event.message


def test_the_non_compliance_reasons_are_the_decisions_choices():
    assert [value for value, _, _ in legal.NON_COMPLIANCE_REASONS] == Decision.NonComplianceReason.values


def test_grounds_are_the_five_of_article_2_7():
    assert legal.GROUND_VALUES == (
        "incitement",
        "solicitation_to_commit",
        "solicitation_to_participate",
        "instruction",
        "threat",
    )
    assert legal.clean_grounds("threat, incitement", required=True) == (["incitement", "threat"], [])
    assert legal.clean_grounds(None, required=False) == ([], [])


@pytest.mark.django_db
def test_the_demo_removal_orders_name_their_grounds_and_urls(settings):
    from django.core.management import call_command

    settings.DEBUG = True
    call_command("seed_demo")
    orders = Referral.objects.filter(kind="removal_order", organisation__slug="northbridge-ctru")
    assert orders.count() == 2, "one decided, one open on its clock"
    for order in orders:
        assert order.legal_grounds
        assert set(order.legal_grounds) <= {"incitement", "threat"}
        assert all(t.url for t in order.targets.all())

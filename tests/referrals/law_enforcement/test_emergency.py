"""Emergency requests (SPEC §17): the description of the threat, who is at risk, the data asked
for and the requester's attestation; the first step that guides a liaison to the right kind."""

import csv
import io
import re

import pytest

from referrals.intake.services.bulk import CSV_COLUMNS, bulk_job_create, bulk_job_step, csv_columns, parse_csv
from referrals.models import Referral
from tests.referrals.factories import referral_data

URL = "/api/v1/referrals/"
NEW = "/referrals/new/"
THREAT = "A named person is threatened with being killed tonight at their home."
ATTESTATION = (
    "I attest that this is an emergency involving danger of death or serious physical injury to a person, "
    "requiring disclosure without delay."
)
EMERGENCY_FIELDS = ("threat_description", "persons_at_risk", "requested_data", "attestation")


def post(client, data):
    return client.post(URL, data, format="json")


def form_body(data: dict) -> dict:
    body = {k: v for k, v in data.items() if k != "targets" and v is not None}
    body["targets"] = "\n".join(t.get("url") or f"{t['platform']}:{t['account']}" for t in data["targets"])
    if body.get("attestation") is False:
        del body["attestation"]  # an unticked box is not sent
    return body


def form_post(client, data, url=NEW):
    return client.post(url, form_body(data))


# --- The API ---------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_an_emergency_request_carries_the_threat_the_persons_at_risk_the_data_and_the_attestation(api_for, liaison):
    data = referral_data(
        "emergency_request",
        threat_description=f"  {THREAT}\u202e  ",  # format characters are stripped, like the explanation's
        persons_at_risk="The person named in the posts.",
        requested_data=["location", "subscriber_info", "location"],
    )

    response = post(api_for(liaison), data)

    assert response.status_code == 201
    body = response.json()
    # In the choices' order, each once.
    assert body["requested_data"] == ["subscriber_info", "location"]
    assert (body["threat_description"], body["persons_at_risk"], body["attestation"]) == (
        THREAT,
        "The person named in the posts.",
        True,
    )
    referral = Referral.objects.get()
    assert (referral.threat_description, referral.requested_data, referral.attestation) == (
        THREAT,
        ["subscriber_info", "location"],
        True,
    )


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("threat_description", None, "Describe the threat"),
        ("threat_description", "", "Describe the threat"),
        ("threat_description", "Danger.", "Write between 20 and 5000 characters"),
        ("threat_description", "x" * 5001, "Write between 20 and 5000 characters"),
        ("threat_description", 42, "Must be text."),
        ("persons_at_risk", None, "Say who is at risk"),
        ("persons_at_risk", "   ", "Say who is at risk"),
        ("persons_at_risk", "x" * 2001, "At most 2000 characters."),
        ("requested_data", None, "Choose at least one kind of data"),
        ("requested_data", [], "Choose at least one kind of data"),
        ("requested_data", ["subscriber_info", "passwords"], "“passwords” is not one of: subscriber_info, ip_logs"),
        ("requested_data", [1], "Each item must be text."),
        ("requested_data", {"ip_logs": True}, "Must be a list."),
        ("attestation", None, "Attest that this is an emergency involving danger of death"),
        ("attestation", False, "Attest that this is an emergency involving danger of death"),
        ("attestation", "false", "Attest that this is an emergency involving danger of death"),
        ("attestation", "perhaps", "Must be true or false."),
    ],
)
def test_an_emergency_request_without_a_valid_field_is_refused_on_that_field_and_nothing_is_stored(
    api_for, liaison, field, value, message
):
    data = referral_data("emergency_request")
    data.pop(field)
    if value is not None:
        data[field] = value

    response = post(api_for(liaison), data)

    assert response.status_code == 400
    errors = response.json()
    assert list(errors) == [field]
    assert message in errors[field][0]
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_every_missing_emergency_field_is_named_in_one_answer(api_for, liaison):
    data = referral_data("emergency_request", **dict.fromkeys(EMERGENCY_FIELDS))

    response = post(api_for(liaison), data)

    assert response.status_code == 400
    assert set(response.json()) == set(EMERGENCY_FIELDS)


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["le_referral", "removal_order", "preservation_request"])
def test_other_kinds_do_not_carry_the_emergency_fields(api_for, liaison, kind):
    # Ignored like `preserve_until` and `legal_grounds` on the kinds that have none.
    data = referral_data(
        kind, threat_description=THREAT, persons_at_risk="Someone", requested_data=["content"], attestation=True
    )

    response = post(api_for(liaison), data)

    assert response.status_code == 201
    body = response.json()
    assert [body[name] for name in EMERGENCY_FIELDS] == ["", "", [], False]
    referral = Referral.objects.get()
    assert [getattr(referral, name) for name in EMERGENCY_FIELDS] == ["", "", [], False]


@pytest.mark.django_db
def test_bad_emergency_fields_on_another_kind_are_ignored_not_refused(api_for, liaison):
    data = referral_data("le_referral", requested_data=["passwords"], attestation="perhaps")
    assert post(api_for(liaison), data).status_code == 201


@pytest.mark.django_db
def test_the_agency_and_the_platform_read_the_emergency_fields(api_for, liaison, reviewer):
    created = post(api_for(liaison), referral_data("emergency_request")).json()

    for user in (liaison, reviewer):
        body = api_for(user).get(f"{URL}{created['id']}/").json()
        assert body["threat_description"] == THREAT
        assert body["persons_at_risk"] == "The person named in the posts and their family."
        assert body["requested_data"] == ["subscriber_info", "ip_logs"]
        assert body["attestation"] is True


@pytest.mark.django_db
def test_an_unverified_agency_may_not_file_an_emergency_request_even_when_attested(api_for, unverified_liaison):
    response = post(api_for(unverified_liaison), referral_data("emergency_request"))
    assert response.status_code == 403
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_an_emergency_request_stays_imminent_on_a_sixty_minute_clock(api_for, liaison):
    response = post(api_for(liaison), referral_data("emergency_request", severity="low"))
    assert response.status_code == 201
    referral = Referral.objects.get()
    assert referral.severity == "imminent"
    assert (referral.due_at - referral.received_at).total_seconds() == 3600


# --- The form ----------------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_form_files_an_emergency_request_with_its_boxes_ticked(client_for, liaison):
    client = client_for(liaison)
    page = client.get(f"{NEW}?kind=emergency_request").content.decode()
    for value in ("subscriber_info", "ip_logs", "content", "location"):
        assert f'type="checkbox" name="requested_data" value="{value}"' in page
    assert ATTESTATION in page

    response = form_post(client, referral_data("emergency_request", requested_data=["ip_logs", "content"]))

    referral = Referral.objects.get()
    assert response.status_code == 302
    assert response["Location"] == f"/referrals/{referral.reference}/"
    assert (referral.kind, referral.requested_data, referral.attestation) == (
        "emergency_request",
        ["ip_logs", "content"],
        True,
    )
    assert referral.threat_description == THREAT


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("field", "message"),
    [
        ("threat_description", "Describe the threat"),
        ("persons_at_risk", "Say who is at risk"),
        ("requested_data", "Choose at least one kind of data"),
        ("attestation", "Attest that this is an emergency involving danger of death"),
    ],
)
def test_the_form_refuses_an_emergency_request_without_each_field(client_for, liaison, field, message):
    response = form_post(client_for(liaison), referral_data("emergency_request", **{field: None}))

    assert response.status_code == 200
    assert message in str(response.context["form"].errors[field])
    assert Referral.objects.count() == 0


@pytest.mark.django_db
def test_the_form_refuses_an_unknown_kind_of_data(client_for, liaison):
    response = form_post(client_for(liaison), referral_data("emergency_request", requested_data=["passwords"]))
    assert response.status_code == 200
    assert "requested_data" in response.context["form"].errors
    assert Referral.objects.count() == 0


def attestation_box(page: str) -> str:
    return re.search(r'<input[^>]*name="attestation"[^>]*>', page).group(0)


@pytest.mark.django_db
def test_the_form_marks_the_attestation_required_for_an_emergency_request_only(client_for, liaison):
    client = client_for(liaison)
    emergency = client.get(f"{NEW}?kind=emergency_request").content.decode()
    referral = client.get(f"{NEW}?kind=le_referral").content.decode()
    assert 'aria-required="true"' in attestation_box(emergency)
    assert "required" not in attestation_box(referral)


@pytest.mark.django_db
def test_the_form_ignores_emergency_fields_sent_with_another_kind(client_for, liaison):
    data = referral_data("le_referral", threat_description=THREAT, requested_data=["content"], attestation=True)
    response = form_post(client_for(liaison), data)
    assert response.status_code == 302
    referral = Referral.objects.get()
    assert [getattr(referral, name) for name in EMERGENCY_FIELDS] == ["", "", [], False]


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ngo_member", "unverified_liaison", "reviewer"])
def test_those_who_may_not_file_emergency_requests_are_not_shown_their_fields(request, client_for, persona):
    page = client_for(request.getfixturevalue(persona)).get(NEW).content.decode()
    for name in EMERGENCY_FIELDS:
        assert f'name="{name}"' not in page


# --- The guided first step ---------------------------------------------------------------------------


@pytest.mark.django_db
def test_a_liaison_is_first_asked_whether_someone_is_in_danger(client_for, liaison):
    page = client_for(liaison).get(NEW).content.decode()

    asked = [
        "Is someone in danger now?",
        "Do you hold a removal order?",
        "Do you need data preserved?",
        "File a referral for voluntary review",
    ]
    assert [page.index(text) for text in asked] == sorted(page.index(text) for text in asked)
    assert page.index("Is someone in danger now?") < page.index('id="referral-form"')
    for kind in ("emergency_request", "removal_order", "preservation_request", "le_referral"):
        assert f'href="/referrals/new/?kind={kind}#referral-form"' in page


@pytest.mark.django_db
@pytest.mark.parametrize("kind", ["emergency_request", "removal_order", "preservation_request", "le_referral"])
def test_each_answer_leads_to_the_form_with_its_kind_chosen(client_for, liaison, kind):
    response = client_for(liaison).get(f"{NEW}?kind={kind}")

    page = response.content.decode()
    assert response.context["form"]["kind"].value() == kind
    assert f'<option value="{kind}" selected>' in page
    assert "Is someone in danger now?" not in page  # answered: the form follows
    assert "Answer the questions again" in page


@pytest.mark.django_db
def test_the_chosen_kind_sets_the_required_marks(client_for, liaison):
    form = client_for(liaison).get(f"{NEW}?kind=emergency_request").context["form"]
    assert form.fields["threat_description"].required_mark
    assert form.fields["attestation"].required_mark
    assert form.fields["authority_reference"].required_mark  # as for every law-enforcement kind
    assert not form.fields["issuing_authority"].required_mark


@pytest.mark.django_db
def test_a_liaison_of_an_unverified_agency_is_guided_only_to_a_voluntary_referral(client_for, unverified_liaison):
    client = client_for(unverified_liaison)
    page = client.get(NEW).content.decode()

    assert "Is someone in danger now?" not in page
    assert "Do you hold a removal order?" not in page
    assert "Do you need data preserved?" not in page
    assert 'href="/referrals/new/?kind=le_referral#referral-form"' in page
    assert "once the platform has verified your agency" in page
    # Asking for a kind it may not file by hand chooses nothing.
    response = client.get(f"{NEW}?kind=emergency_request")
    assert response.context["form"]["kind"].value() == "le_referral"  # the one kind it may file
    assert 'value="emergency_request"' not in response.content.decode()


@pytest.mark.django_db
@pytest.mark.parametrize("persona", ["ngo_member", "reviewer"])
def test_other_filers_see_the_form_without_the_guide(request, client_for, persona):
    page = client_for(request.getfixturevalue(persona)).get(NEW).content.decode()
    assert "Which request do you need?" not in page
    assert "Answer the questions again" not in page
    assert 'id="referral-form"' in page


# --- The referral page -------------------------------------------------------------------------------


@pytest.mark.django_db
def test_the_referral_page_shows_the_threat_to_the_agency_and_the_platform(api_for, client_for, liaison, reviewer):
    post(api_for(liaison), referral_data("emergency_request", requested_data=["ip_logs", "location"]))
    referral = Referral.objects.get()

    for user in (liaison, reviewer):
        page = client_for(user).get(f"/referrals/{referral.reference}/").content.decode()
        assert THREAT in page
        assert "The person named in the posts and their family." in page
        assert "IP address logs" in page and "Location" in page
        assert "Subscriber information" not in page
        assert "Attested: an emergency involving danger of death" in page


@pytest.mark.django_db
def test_other_kinds_pages_show_no_emergency_fields(api_for, client_for, liaison):
    post(api_for(liaison), referral_data("le_referral"))
    page = client_for(liaison).get(f"/referrals/{Referral.objects.get().reference}/").content.decode()
    assert "Persons at risk" not in page
    assert "Data requested" not in page


# --- Bulk --------------------------------------------------------------------------------------------


def csv_bytes(rows: list[dict]) -> bytes:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=CSV_COLUMNS, lineterminator="\n")
    writer.writeheader()
    writer.writerows(rows)
    return out.getvalue().encode()


def emergency_row(**changes) -> dict:
    row = {
        "kind": "emergency_request",
        "category": "violent_threat",
        "explanation": "The account threatens to kill a named person tonight.",
        "targets": "https://x.com/someone/status/1",
        "authority_reference": "CASE-9",
        "legal_basis": "Emergency disclosure, threat to life",
        "threat_description": THREAT,
        "persons_at_risk": "The person named in the posts.",
        "requested_data": "location;subscriber_info",
        "attestation": "true",
    }
    return {**row, **changes}


@pytest.mark.django_db
def test_bulk_files_emergency_requests_and_refuses_a_row_without_attestation(liaison):
    rows = [emergency_row(), emergency_row(attestation="false"), emergency_row(requested_data="ip_logs|passwords")]
    job = bulk_job_create(user=liaison, items=parse_csv(csv_bytes(rows)))

    while bulk_job_step(job_id=job.id):
        pass

    job.refresh_from_db()
    assert (job.created, job.failed) == (1, 2)
    assert [(e["row"], list(e["errors"])) for e in job.errors] == [(3, ["attestation"]), (4, ["requested_data"])]
    referral = Referral.objects.get()
    assert (referral.requested_data, referral.attestation, referral.severity) == (
        ["subscriber_info", "location"],
        True,
        "imminent",
    )


@pytest.mark.django_db
def test_the_csv_columns_of_an_emergency_request_are_offered_to_those_who_may_file_one(liaison, unverified_liaison):
    from referrals.permissions import kinds_filable_by

    assert set(EMERGENCY_FIELDS) <= set(csv_columns(kinds_filable_by(liaison)))
    assert not set(EMERGENCY_FIELDS) & set(csv_columns(kinds_filable_by(unverified_liaison)))


def test_a_decided_emergency_request_says_whether_it_was_answered_within_the_hour(liaison, lead):
    from referrals.law_enforcement.selectors import deadline_outcome
    from tests.referrals.review_factories import decided

    disclosed = {
        "action": "data_disclosed",
        "ground": "legal",
        "policy": "Emergency disclosure procedure",
        "statement_of_reasons": "Subscriber information disclosed to the agency for the imminent threat.",
    }
    referral = decided(lead, liaison, "emergency_request", decision=disclosed)

    assert deadline_outcome(referral) == {"on_time": True, "text": "Answered within 60 minutes"}

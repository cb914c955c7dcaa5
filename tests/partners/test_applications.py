from partners.models import Invitation, Organisation, PartnerApplication
from portal.models import AuditEvent

APPLICATION = {
    "organisation_name": "Bridges Not Walls",
    "kind": "ngo",
    "country": "fr",
    "website": "https://bridges.test",
    "email_domain": "bridges.test",
    "contact_name": "Claire Martin",
    "contact_email": "claire@bridges.test",
    "description": "We run counter-narrative workshops with young people.",
}


def test_anyone_can_apply_to_become_a_partner(client, db):
    response = client.post("/partners/apply/", APPLICATION)
    assert response.status_code == 200
    application = PartnerApplication.objects.get()
    assert application.status == "pending"
    assert application.country == "FR"


def test_an_application_with_a_contact_off_its_domain_is_refused(client, db):
    response = client.post("/partners/apply/", {**APPLICATION, "contact_email": "claire@gmail.test"})
    assert b"organisation&#x27;s domain" in response.content
    assert not PartnerApplication.objects.exists()


def test_policy_staff_accept_an_application_creating_the_organisation_and_inviting_its_admin(
    client, client_for, policy
):
    client.post("/partners/apply/", APPLICATION)
    application = PartnerApplication.objects.get()

    response = client_for(policy).post(f"/partners/applications/{application.pk}/accept/")

    assert response.status_code == 302
    organisation = Organisation.objects.get(name="Bridges Not Walls")
    assert organisation.email_domains == ["bridges.test"]
    assert not organisation.verified
    invitation = Invitation.objects.get(email="claire@bridges.test")
    assert invitation.organisation == organisation
    assert invitation.role == "ngo_admin"
    assert AuditEvent.objects.filter(action="application.accept").exists()


def test_policy_staff_decline_an_application(client, client_for, policy):
    client.post("/partners/apply/", APPLICATION)
    application = PartnerApplication.objects.get()
    client_for(policy).post(f"/partners/applications/{application.pk}/decline/")
    application.refresh_from_db()
    assert application.status == "declined"
    assert not Organisation.objects.filter(name="Bridges Not Walls").exists()


def test_others_cannot_decide_applications(client, client_for, ngo_admin):
    client.post("/partners/apply/", APPLICATION)
    application = PartnerApplication.objects.get()
    assert client_for(ngo_admin).post(f"/partners/applications/{application.pk}/accept/").status_code == 404
    application.refresh_from_db()
    assert application.status == "pending"


def test_policy_staff_verify_and_set_trusted_flagger_status(client_for, policy, other_ngo):
    assert not other_ngo.trusted_flagger
    client_for(policy).post(f"/partners/{other_ngo.slug}/status/", {"verified": "on", "trusted_flagger": "on"})
    other_ngo.refresh_from_db()
    assert other_ngo.verified and other_ngo.trusted_flagger
    event = AuditEvent.objects.get(action="organisation.status")
    assert event.data["changes"]["trusted_flagger"] == [False, True]


def test_an_agency_cannot_be_a_trusted_flagger(client_for, policy, agency):
    client_for(policy).post(f"/partners/{agency.slug}/status/", {"verified": "on", "trusted_flagger": "on"})
    agency.refresh_from_db()
    assert not agency.trusted_flagger


def test_ngo_admins_cannot_verify(client_for, ngo_admin, ngo):
    response = client_for(ngo_admin).post(f"/partners/{ngo.slug}/status/", {"verified": ""})
    assert response.status_code == 403
    ngo.refresh_from_db()
    assert ngo.verified


def _apply(client, n: int, **meta):
    return client.post(
        "/partners/apply/",
        {**APPLICATION, "organisation_name": f"Applicant {n}", "contact_email": f"c{n}@bridges.test"},
        **meta,
    )


def test_fifteen_applications_in_a_row_from_one_address_are_stopped_with_a_429(client, db, settings):
    limit = int(settings.ACCOUNT_RATE_LIMITS["partner_application"].split("/")[0])
    answers = [_apply(client, n) for n in range(15)]

    assert [a.status_code for a in answers] == [200] * limit + [429] * (15 - limit)
    assert PartnerApplication.objects.count() == limit
    refused = answers[-1].content.decode()
    assert "Too many applications" in refused
    # The form comes back with what was typed, so nothing is lost by waiting.
    assert 'value="Applicant 14"' in refused


def test_the_application_limit_is_per_address_and_counts_only_applications_sent(client, db, settings):
    limit = int(settings.ACCOUNT_RATE_LIMITS["partner_application"].split("/")[0])
    for _ in range(limit + 2):  # mistakes do not use up the allowance
        client.post("/partners/apply/", {**APPLICATION, "contact_email": "claire@gmail.test"})
    for n in range(limit):
        assert _apply(client, n).status_code == 200
    assert _apply(client, 99).status_code == 429
    assert _apply(client, 100, REMOTE_ADDR="203.0.113.9").status_code == 200
    assert PartnerApplication.objects.count() == limit + 1

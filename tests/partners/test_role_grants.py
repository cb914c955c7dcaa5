"""SPEC §2: the enforcement roles (reviewer, queue_lead) are granted, by invitation or role
change, only by a queue lead or a superuser; policy_staff only by a superuser; nobody changes
their own role; every change of a platform role alerts the queue leads. Refusals are clear
(403 or a form error) and audited."""

import pytest
from django.core import mail

from partners.models import Invitation, Role
from partners.services import invitation_create, membership_change_role
from portal.errors import NotAllowed
from portal.models import AuditEvent, Notification, User
from tests.factories import make_member

pytestmark = pytest.mark.django_db


def _email(org, name="new"):
    return f"{name}@{org.email_domains[0]}"


@pytest.fixture
def superuser(db):
    return User.objects.create_superuser("root@example.test", "correct-horse-battery")


def _role_url(org, member):
    return f"/partners/{org.slug}/members/{member.membership.pk}/role/"


# --- Policy staff -------------------------------------------------------------------------------


def test_policy_staff_cannot_make_themselves_queue_lead(policy, platform, client_for):
    response = client_for(policy).post(_role_url(platform, policy), {"role": "queue_lead"})

    assert response.status_code == 403
    policy.membership.refresh_from_db()
    assert policy.membership.role == Role.POLICY_STAFF
    refused = AuditEvent.objects.get(action="membership.role_refused", actor=policy)
    assert refused.data["new"] == "queue_lead"


@pytest.mark.parametrize("role", ["queue_lead", "policy_staff"])
def test_policy_staff_cannot_promote_a_reviewer(policy, reviewer, platform, client_for, role):
    response = client_for(policy).post(_role_url(platform, reviewer), {"role": role})

    assert response.status_code == 403
    assert "superuser" in response.content.decode()
    reviewer.membership.refresh_from_db()
    assert reviewer.membership.role == Role.REVIEWER
    with pytest.raises(NotAllowed, match="superuser"):
        membership_change_role(by=policy, membership=reviewer.membership, role=role)


@pytest.mark.parametrize("role", ["reviewer", "queue_lead", "policy_staff"])
def test_policy_staff_cannot_invite_platform_roles(policy, platform, client_for, role):
    with pytest.raises(NotAllowed, match="Only a superuser" if role == "policy_staff" else "Only a queue lead"):
        invitation_create(by=policy, organisation=platform, email=_email(platform), role=role)

    response = client_for(policy).post(f"/partners/{platform.slug}/invite/", {"email": _email(platform), "role": role})

    assert response.status_code == 403  # there is no role they may grant there
    refused = AuditEvent.objects.filter(action="invitation.create_refused", actor=policy)
    assert [e.data["role"] for e in refused] == [role, role]  # the service call and the page
    assert not Invitation.objects.filter(organisation=platform).exists()


def test_the_invitation_form_says_who_may_grant_a_role(lead, platform, client_for):
    response = client_for(lead).post(
        f"/partners/{platform.slug}/invite/", {"email": _email(platform), "role": "policy_staff"}
    )

    assert response.status_code == 200
    assert response.context["form"].errors["role"] == ["Only a superuser may grant the Policy staff role."]
    assert AuditEvent.objects.filter(action="invitation.create_refused", actor=lead).exists()
    assert not Invitation.objects.exists()
    assert b'value="policy_staff"' not in response.content


def test_policy_staff_still_invite_ngo_admins_and_liaisons(policy, ngo, agency):
    invitation_create(by=policy, organisation=ngo, email=_email(ngo), role=Role.NGO_ADMIN)
    invitation_create(by=policy, organisation=agency, email="officer@police.test", role=Role.LE_LIAISON)

    assert Invitation.objects.count() == 2


def test_the_platform_page_offers_policy_staff_no_platform_role(policy, reviewer, platform, client_for):
    page = client_for(policy).get(f"/partners/{platform.slug}/")

    assert page.status_code == 200
    assert _role_url(platform, reviewer).encode() not in page.content
    assert b"Invite a member" not in page.content


# --- Queue leads --------------------------------------------------------------------------------


def test_a_queue_lead_promotes_a_reviewer_and_the_other_leads_are_alerted(
    lead, reviewer, platform, client_for, django_capture_on_commit_callbacks
):
    other_lead = make_member(platform, Role.QUEUE_LEAD)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        response = client_for(lead).post(_role_url(platform, reviewer), {"role": "queue_lead"})

    assert response.status_code == 302
    reviewer.membership.refresh_from_db()
    assert reviewer.membership.role == Role.QUEUE_LEAD
    event = AuditEvent.objects.get(action="membership.role", actor=lead)
    assert (event.data["old"], event.data["new"]) == ("reviewer", "queue_lead")
    alert = Notification.objects.get(user=other_lead)
    assert reviewer.email in alert.subject + alert.body
    assert "Queue lead" in alert.body
    assert any(other_lead.email in m.to and reviewer.email in m.body for m in mail.outbox)


def test_a_queue_lead_invites_reviewers_and_leads_and_the_leads_are_alerted(lead, platform):
    invitation_create(by=lead, organisation=platform, email=_email(platform, "a"), role=Role.REVIEWER)
    invitation_create(by=lead, organisation=platform, email=_email(platform, "b"), role=Role.QUEUE_LEAD)

    assert Invitation.objects.filter(organisation=platform).count() == 2
    assert Notification.objects.filter(user=lead, body__contains=_email(platform, "b")).exists()


def test_a_queue_lead_cannot_grant_policy_staff(lead, reviewer, platform):
    with pytest.raises(NotAllowed, match="superuser"):
        invitation_create(by=lead, organisation=platform, email=_email(platform), role=Role.POLICY_STAFF)
    with pytest.raises(NotAllowed, match="superuser"):
        membership_change_role(by=lead, membership=reviewer.membership, role=Role.POLICY_STAFF)


def test_a_queue_lead_cannot_demote_policy_staff(lead, policy):
    with pytest.raises(NotAllowed):
        membership_change_role(by=lead, membership=policy.membership, role=Role.REVIEWER)
    policy.membership.refresh_from_db()
    assert policy.membership.role == Role.POLICY_STAFF


def test_a_queue_lead_cannot_change_their_own_role(lead):
    with pytest.raises(NotAllowed, match="own role"):
        membership_change_role(by=lead, membership=lead.membership, role=Role.REVIEWER)


def test_a_queue_lead_manages_no_partner_organisation(lead, ngo):
    with pytest.raises(NotAllowed):
        invitation_create(by=lead, organisation=ngo, email=_email(ngo), role=Role.NGO_MEMBER)


def test_reviewers_grant_nothing(reviewer, platform):
    with pytest.raises(NotAllowed):
        invitation_create(by=reviewer, organisation=platform, email=_email(platform), role=Role.REVIEWER)


# --- Superusers ---------------------------------------------------------------------------------


def test_a_superuser_grants_policy_staff_and_the_leads_are_alerted(superuser, reviewer, lead, platform):
    membership_change_role(by=superuser, membership=reviewer.membership, role=Role.POLICY_STAFF)
    invitation_create(by=superuser, organisation=platform, email=_email(platform), role=Role.POLICY_STAFF)

    reviewer.membership.refresh_from_db()
    assert reviewer.membership.role == Role.POLICY_STAFF
    assert Invitation.objects.filter(role=Role.POLICY_STAFF).exists()
    assert Notification.objects.filter(user=lead).count() == 2


def test_joining_with_a_platform_role_alerts_the_leads(lead, platform, client):
    _, token = invitation_create(by=lead, organisation=platform, email=_email(platform, "joiner"), role="reviewer")
    Notification.objects.all().delete()

    client.get(f"/partners/invitations/{token}/")
    password = "a-long-passphrase-42"
    client.post(
        "/accounts/signup/",
        {"email": _email(platform, "joiner"), "name": "Joiner", "password1": password, "password2": password},
    )

    assert User.objects.get(email=_email(platform, "joiner")).membership.role == Role.REVIEWER
    assert Notification.objects.filter(user=lead, body__contains=_email(platform, "joiner")).exists()


def test_changing_an_ngo_role_alerts_no_lead(ngo_admin, ngo_member, lead):
    membership_change_role(by=ngo_admin, membership=ngo_member.membership, role=Role.NGO_ADMIN)

    assert not Notification.objects.filter(user=lead).exists()


def test_removing_a_platform_member_needs_the_right_to_grant_their_role(policy, lead, reviewer, platform, client_for):
    response = client_for(policy).post(f"/partners/{platform.slug}/members/{reviewer.membership.pk}/remove/")

    assert response.status_code == 403
    reviewer.refresh_from_db()
    assert reviewer.is_active
    response = client_for(lead).post(f"/partners/{platform.slug}/members/{reviewer.membership.pk}/remove/")
    assert response.status_code == 302
    reviewer.refresh_from_db()
    assert not reviewer.is_active


def test_a_platform_role_given_in_the_django_admin_alerts_the_leads(superuser, reviewer, lead, platform, rf):
    from django.contrib.admin.sites import site

    from partners.admin import MembershipAdmin
    from partners.models import Membership

    admin = MembershipAdmin(Membership, site)
    membership = reviewer.membership
    request = rf.post("/")
    request.user = superuser
    form_class = admin.get_form(request, membership, change=True)
    form = form_class(
        instance=membership,
        data={
            "user": reviewer.pk,
            "organisation": platform.pk,
            "role": "policy_staff",
            "created_at_0": "2026-01-01",
            "created_at_1": "10:00",
        },
    )
    assert form.is_valid(), form.errors

    admin.save_model(request, form.save(commit=False), form, change=True)

    event = AuditEvent.objects.get(action="membership.role", actor=superuser)
    assert (event.data["old"], event.data["new"], event.data["via"]) == ("reviewer", "policy_staff", "admin")
    assert Notification.objects.filter(user=lead, body__contains=reviewer.email).exists()

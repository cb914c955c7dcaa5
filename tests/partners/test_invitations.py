from datetime import timedelta

import pytest
from django.core import mail
from django.utils import timezone

from partners.models import Invitation, Membership, Role
from partners.services import invitation_create
from portal.errors import DomainError, NotAllowed
from portal.models import AuditEvent, User


def _signup(client, token, email, name="New Person", password="a-long-passphrase-42"):
    client.get(f"/partners/invitations/{token}/")
    return client.post(
        "/accounts/signup/", {"email": email, "name": name, "password1": password, "password2": password}
    )


def test_accepting_an_invitation_creates_the_member_with_its_organisation_and_role(client, ngo, ngo_admin):
    invitation, token = invitation_create(
        by=ngo_admin, organisation=ngo, email=f"new@{ngo.email_domains[0]}", role=Role.NGO_MEMBER
    )
    assert not User.objects.filter(email=invitation.email).exists()

    response = _signup(client, token, invitation.email)

    assert response.status_code == 302
    user = User.objects.get(email=invitation.email)
    assert user.membership.organisation == ngo
    assert user.membership.role == Role.NGO_MEMBER
    invitation.refresh_from_db()
    assert invitation.status == Invitation.Status.ACCEPTED
    assert user.emailaddress_set.get().verified, "the invitation link proves the address"
    assert AuditEvent.objects.filter(action="invitation.accept", actor=user).exists()


def test_invitation_email_carries_the_link(ngo, ngo_admin, django_capture_on_commit_callbacks):
    with django_capture_on_commit_callbacks(execute=True):
        _, token = invitation_create(
            by=ngo_admin, organisation=ngo, email=f"mail@{ngo.email_domains[0]}", role=Role.NGO_MEMBER
        )
    assert len(mail.outbox) == 1
    assert f"/partners/invitations/{token}/" in mail.outbox[0].body


def test_an_address_outside_the_organisations_domains_is_refused(ngo, ngo_admin):
    with pytest.raises(DomainError, match="not on"):
        invitation_create(by=ngo_admin, organisation=ngo, email="someone@elsewhere.test", role=Role.NGO_MEMBER)
    assert not Invitation.objects.exists()


def test_the_invite_page_shows_the_domain_refusal(client_for, ngo, ngo_admin):
    response = client_for(ngo_admin).post(
        f"/partners/{ngo.slug}/invite/", {"email": "x@elsewhere.test", "role": Role.NGO_MEMBER}
    )
    assert response.status_code == 200
    assert b"is not on" in response.content
    assert not Invitation.objects.exists()


def test_signing_up_with_another_address_than_the_invited_one_is_refused(client, ngo, ngo_admin):
    _, token = invitation_create(by=ngo_admin, organisation=ngo, email=f"a@{ngo.email_domains[0]}", role="ngo_member")
    response = _signup(client, token, f"b@{ngo.email_domains[0]}")
    assert response.status_code == 200
    assert b"address the invitation was sent to" in response.content
    assert not User.objects.filter(email=f"b@{ngo.email_domains[0]}").exists()


def test_a_used_invitation_is_refused(client, ngo, ngo_admin):
    invitation, token = invitation_create(
        by=ngo_admin, organisation=ngo, email=f"once@{ngo.email_domains[0]}", role="ngo_member"
    )
    _signup(client, token, invitation.email)
    client.logout()

    response = client.get(f"/partners/invitations/{token}/")

    assert response.status_code == 410
    assert b"already been used" in response.content


def test_an_expired_invitation_is_refused(client, ngo, ngo_admin):
    invitation, token = invitation_create(
        by=ngo_admin, organisation=ngo, email=f"late@{ngo.email_domains[0]}", role="ngo_member"
    )
    Invitation.objects.filter(pk=invitation.pk).update(expires_at=timezone.now() - timedelta(minutes=1))

    response = client.get(f"/partners/invitations/{token}/")

    assert response.status_code == 410
    assert b"expired" in response.content
    signup = client.post("/accounts/signup/", {"email": invitation.email, "password1": "x" * 12, "password2": "x" * 12})
    assert b"invitation only" in signup.content
    assert not User.objects.filter(email=invitation.email).exists()


def test_sign_up_without_an_invitation_is_refused(client, db):
    response = client.get("/accounts/signup/")
    assert b"invitation only" in response.content
    response = client.post(
        "/accounts/signup/", {"email": "walk-in@example.test", "password1": "x" * 12, "password2": "x" * 12}
    )
    assert b"invitation only" in response.content
    assert not User.objects.filter(email="walk-in@example.test").exists()


def test_an_unknown_invitation_link_is_refused(client, db):
    response = client.get("/partners/invitations/not-a-real-token/")
    assert response.status_code == 410
    assert b"not valid" in response.content


def test_ngo_admins_invite_only_to_their_own_organisation(ngo_admin, other_ngo):
    with pytest.raises(NotAllowed):
        invitation_create(
            by=ngo_admin, organisation=other_ngo, email=f"x@{other_ngo.email_domains[0]}", role="ngo_member"
        )


def test_ngo_admins_cannot_invite_platform_roles(ngo_admin, ngo):
    with pytest.raises((NotAllowed, DomainError)):
        invitation_create(by=ngo_admin, organisation=ngo, email=f"x@{ngo.email_domains[0]}", role=Role.REVIEWER)


def test_policy_staff_invite_to_any_organisation(policy, agency):
    invitation, _ = invitation_create(by=policy, organisation=agency, email="officer@police.test", role="le_liaison")
    assert invitation.organisation == agency
    assert AuditEvent.objects.filter(action="invitation.create", actor=policy).exists()


def test_a_role_that_does_not_fit_the_organisation_kind_is_refused(policy, agency):
    with pytest.raises(DomainError):
        invitation_create(by=policy, organisation=agency, email="officer@police.test", role=Role.NGO_MEMBER)


def test_member_of_another_organisation_gets_404_on_its_page(client_for, other_ngo_member, ngo):
    assert client_for(other_ngo_member).get(f"/partners/{ngo.slug}/").status_code == 404
    assert client_for(other_ngo_member).get(f"/partners/{ngo.slug}/invite/").status_code == 404


def test_ngo_member_may_see_but_not_invite(client_for, ngo_member, ngo):
    client = client_for(ngo_member)
    assert client.get(f"/partners/{ngo.slug}/").status_code == 200
    assert client.get(f"/partners/{ngo.slug}/invite/").status_code == 403


def test_the_organisation_page_lists_members_for_its_admin(client_for, ngo_admin, ngo_member, ngo):
    response = client_for(ngo_admin).get(f"/partners/{ngo.slug}/")
    assert ngo_member.email.encode() in response.content
    assert b"Invite a member" in response.content


def test_removing_a_member_deactivates_the_account(client_for, ngo_admin, ngo_member, ngo):
    membership = ngo_member.membership
    response = client_for(ngo_admin).post(f"/partners/{ngo.slug}/members/{membership.pk}/remove/")
    assert response.status_code == 302
    ngo_member.refresh_from_db()
    assert not ngo_member.is_active
    assert not Membership.objects.filter(pk=membership.pk).exists()
    assert AuditEvent.objects.filter(action="membership.remove", actor=ngo_admin).exists()


def test_an_ngo_admin_changes_a_members_role_and_it_is_audited(client_for, ngo_admin, ngo_member, ngo):
    response = client_for(ngo_admin).post(
        f"/partners/{ngo.slug}/members/{ngo_member.membership.pk}/role/", {"role": "ngo_admin"}
    )
    assert response.status_code == 302
    ngo_member.membership.refresh_from_db()
    assert ngo_member.membership.role == "ngo_admin"
    event = AuditEvent.objects.get(action="membership.role")
    assert (event.data["old"], event.data["new"]) == ("ngo_member", "ngo_admin")


def test_an_ngo_admin_cannot_grant_a_platform_role(client_for, ngo_admin, ngo_member, ngo):
    client_for(ngo_admin).post(
        f"/partners/{ngo.slug}/members/{ngo_member.membership.pk}/role/", {"role": "policy_staff"}
    )
    ngo_member.membership.refresh_from_db()
    assert ngo_member.membership.role == "ngo_member"


def test_a_member_cannot_change_roles(client_for, ngo_member, ngo_admin, ngo):
    response = client_for(ngo_member).post(
        f"/partners/{ngo.slug}/members/{ngo_admin.membership.pk}/role/", {"role": "ngo_member"}
    )
    assert response.status_code == 403


def test_the_admin_site_signs_in_through_the_portal_login(client, db):
    response = client.get("/admin/")
    assert response.status_code == 302
    assert response["Location"].startswith("/admin/login/")
    response = client.get(response["Location"])
    assert response["Location"].startswith("/accounts/login/")

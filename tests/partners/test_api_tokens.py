from datetime import timedelta

import pytest
from django.core.management import CommandError, call_command
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import ApiToken
from partners.services import api_token_issue, api_token_revoke
from portal.errors import NotAllowed
from portal.models import AuditEvent
from tests.factories import enrol_totp


def _bearer(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Bearer {token}")
    return client


def test_me_returns_the_callers_email_role_and_organisation(ngo_member, ngo):
    _, token = api_token_issue(user=ngo_member, name="t")
    response = _bearer(token).get("/api/v1/me/")
    assert response.status_code == 200
    assert response.json() == {
        "email": ngo_member.email,
        "role": "ngo_member",
        "organisation": {"slug": ngo.slug, "name": ngo.name, "kind": "ngo"},
    }


def test_me_for_a_user_without_organisation(db):
    from portal.models import User

    user = User.objects.create_user("solo@example.test", "x")
    _, token = api_token_issue(user=user, name="t")
    assert _bearer(token).get("/api/v1/me/").json()["organisation"] is None


def test_a_token_is_stored_hashed_and_records_its_last_use(ngo_member):
    api_token, token = api_token_issue(user=ngo_member, name="case system")
    assert token not in api_token.token_hash
    assert api_token.last_used_at is None
    _bearer(token).get("/api/v1/me/")
    api_token.refresh_from_db()
    assert api_token.last_used_at is not None
    assert AuditEvent.objects.filter(action="api_token.issue", actor=ngo_member).exists()


def test_a_wrong_token_gets_401(db):
    response = _bearer("cp_not-a-token").get("/api/v1/me/")
    assert response.status_code == 401
    assert "detail" in response.json()


def test_no_credentials_gets_401(db):
    assert APIClient().get("/api/v1/me/").status_code == 401


def test_an_expired_token_gets_401(ngo_member):
    api_token, token = api_token_issue(user=ngo_member, name="t")
    ApiToken.objects.filter(pk=api_token.pk).update(expires_at=timezone.now() - timedelta(seconds=1))
    assert _bearer(token).get("/api/v1/me/").status_code == 401


def test_a_revoked_token_gets_401_and_the_revocation_is_audited(ngo_member):
    api_token, token = api_token_issue(user=ngo_member, name="t")
    assert _bearer(token).get("/api/v1/me/").status_code == 200
    api_token_revoke(user=ngo_member, api_token=api_token)
    assert _bearer(token).get("/api/v1/me/").status_code == 401
    assert AuditEvent.objects.filter(action="api_token.revoke", actor=ngo_member).exists()


def test_a_deactivated_users_token_gets_401(ngo_member):
    _, token = api_token_issue(user=ngo_member, name="t")
    ngo_member.is_active = False
    ngo_member.save()
    assert _bearer(token).get("/api/v1/me/").status_code == 401


def test_the_tokens_page_issues_lists_and_revokes(client_for, ngo_member):
    client = client_for(ngo_member)
    response = client.post("/account/api-tokens/", {"name": "case system", "days": 30})
    token = response.context["new_token"]
    assert token.startswith("cp_")
    assert b"case system" in response.content
    api_token = ApiToken.objects.get(user=ngo_member)
    assert (api_token.expires_at - timezone.now()).days in (29, 30)

    client.post(f"/account/api-tokens/{api_token.pk}/revoke/")

    api_token.refresh_from_db()
    assert api_token.revoked_at is not None


def test_nobody_revokes_another_users_token(client_for, ngo_member, other_ngo_member):
    api_token, _ = api_token_issue(user=ngo_member, name="t")
    response = client_for(other_ngo_member).post(f"/account/api-tokens/{api_token.pk}/revoke/")
    assert response.status_code == 404
    api_token.refresh_from_db()
    assert api_token.revoked_at is None


def test_mfa_roles_reach_the_tokens_page_only_after_mfa(reviewer):
    from django.test import Client

    client = Client()
    client.force_login(reviewer, backend="django.contrib.auth.backends.ModelBackend")
    response = client.get("/account/api-tokens/")
    assert response.status_code == 302
    assert "/accounts/2fa/" in response["Location"]


def test_issue_api_token_command_prints_the_token_alone(ngo_member, capsys):
    call_command("issue_api_token", ngo_member.email, "--days", "7", "--name", "cli")
    token = capsys.readouterr().out.strip()
    assert "\n" not in token
    assert _bearer(token).get("/api/v1/me/").status_code == 200
    assert ApiToken.objects.get(user=ngo_member).name == "cli"


# --- MFA roles and credential changes (issue #13, point 8) -------------------------------------


def _drop_factors(user) -> None:
    """As if the factor were gone without the signal (e.g. deleted in the admin)."""
    from allauth.mfa.models import Authenticator

    Authenticator.objects.filter(user=user).delete()


def test_a_token_of_an_mfa_role_without_a_factor_gets_401_with_a_detail(reviewer):
    enrol_totp(reviewer)
    _, token = api_token_issue(user=reviewer, name="t")
    assert _bearer(token).get("/api/v1/me/").status_code == 200
    _drop_factors(reviewer)

    response = _bearer(token).get("/api/v1/me/")

    assert response.status_code == 401
    assert "two-factor" in response.json()["detail"]


def test_no_token_is_issued_to_an_mfa_role_without_a_factor(reviewer, capsys):
    with pytest.raises(NotAllowed, match="two-factor"):
        api_token_issue(user=reviewer, name="t")
    with pytest.raises(CommandError, match="two-factor"):
        call_command("issue_api_token", reviewer.email)
    assert capsys.readouterr().out == ""
    assert not ApiToken.objects.filter(user=reviewer).exists()


def test_an_enrolled_mfa_role_gets_a_token_from_the_command(reviewer, capsys):
    enrol_totp(reviewer)
    call_command("issue_api_token", reviewer.email)
    assert _bearer(capsys.readouterr().out.strip()).get("/api/v1/me/").json()["role"] == "reviewer"


def test_a_superuser_without_a_factor_gets_no_token(db):
    from portal.models import User

    admin = User.objects.create_superuser("root@example.test", "x")
    with pytest.raises(NotAllowed):
        api_token_issue(user=admin, name="t")


def _revocations(user) -> list[str]:
    return list(
        AuditEvent.objects.filter(action="api_token.revoke_all", object_id=str(user.pk)).values_list(
            "data__reason", flat=True
        )
    )


def test_changing_the_password_revokes_every_token_and_is_audited(client_for, ngo_member):
    _, first = api_token_issue(user=ngo_member, name="one")
    _, second = api_token_issue(user=ngo_member, name="two")
    client = client_for(ngo_member)

    response = client.post(
        "/accounts/password/change/",
        {
            "oldpassword": "correct-horse-battery",
            "password1": "a-new-long-passphrase",
            "password2": "a-new-long-passphrase",
        },
    )

    assert response.status_code == 302
    assert _bearer(first).get("/api/v1/me/").status_code == 401
    assert _bearer(second).get("/api/v1/me/").status_code == 401
    assert not ApiToken.objects.filter(user=ngo_member, revoked_at__isnull=True).exists()
    assert _revocations(ngo_member) == ["password_change"]


def test_a_password_set_anywhere_else_revokes_the_tokens_too(ngo_member):
    _, token = api_token_issue(user=ngo_member, name="t")
    ngo_member.set_password("another-long-passphrase")  # the admin's and changepassword's way
    ngo_member.save()
    assert _bearer(token).get("/api/v1/me/").status_code == 401


def test_saving_the_user_without_a_new_password_keeps_the_tokens(ngo_member):
    _, token = api_token_issue(user=ngo_member, name="t")
    ngo_member.name = "New name"
    ngo_member.save()
    ngo_member.check_password("correct-horse-battery")  # may rehash, which is not a change
    assert _bearer(token).get("/api/v1/me/").status_code == 200
    assert _revocations(ngo_member) == []


@pytest.mark.parametrize("signal", ["authenticator_added", "authenticator_removed"])
def test_an_mfa_change_revokes_every_token_and_is_audited(reviewer, signal):
    from allauth.mfa import signals

    authenticator = enrol_totp(reviewer).instance
    _, token = api_token_issue(user=reviewer, name="t")

    getattr(signals, signal).send(sender=type(authenticator), request=None, user=reviewer, authenticator=authenticator)

    assert _bearer(token).get("/api/v1/me/").status_code == 401
    assert _revocations(reviewer) == ["mfa_change"]


def test_a_role_change_revokes_the_members_tokens_and_is_audited(ngo_admin, ngo_member):
    from partners.services import membership_change_role

    _, token = api_token_issue(user=ngo_member, name="t")
    _, admins = api_token_issue(user=ngo_admin, name="t")

    membership_change_role(by=ngo_admin, membership=ngo_member.membership, role="ngo_admin")

    assert _bearer(token).get("/api/v1/me/").status_code == 401
    assert _bearer(admins).get("/api/v1/me/").status_code == 200
    assert _revocations(ngo_member) == ["role_change"]
    assert AuditEvent.objects.get(action="api_token.revoke_all").actor == ngo_admin


def test_removing_a_member_revokes_their_tokens_with_an_audit_entry(ngo_admin, ngo_member):
    from partners.services import membership_remove

    _, token = api_token_issue(user=ngo_member, name="t")
    membership_remove(by=ngo_admin, membership=ngo_member.membership)
    assert _bearer(token).get("/api/v1/me/").status_code == 401
    assert _revocations(ngo_member) == ["deactivated"]

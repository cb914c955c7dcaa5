from datetime import timedelta

from django.core.management import call_command
from django.utils import timezone
from rest_framework.test import APIClient

from partners.models import ApiToken
from partners.services import api_token_issue, api_token_revoke
from portal.models import AuditEvent


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

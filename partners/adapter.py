import time

from allauth.account.adapter import DefaultAccountAdapter
from allauth.account.authentication import get_authentication_records
from django.core.exceptions import ValidationError

from partners.services import invitation_accept, invitation_check, invitation_for_token
from portal.audit import audit

INVITATION_SESSION_KEY = "portal_invitation_id"


def invitation_from_session(request):
    from partners.models import Invitation

    invitation_id = request.session.get(INVITATION_SESSION_KEY) if request else None
    if not invitation_id:
        return None
    return Invitation.objects.select_related("organisation").filter(pk=invitation_id).first()


def invitation_start(request, token: str):
    """Check an invitation link and remember it for the sign-up that follows."""
    invitation = invitation_for_token(token)
    invitation_check(invitation)
    request.session[INVITATION_SESSION_KEY] = str(invitation.pk)
    # The link reached this inbox, so the address counts as verified for allauth.
    DefaultAccountAdapter(request).stash_verified_email(request, invitation.email)
    return invitation


class AccountAdapter(DefaultAccountAdapter):
    """Sign-up is open only to someone holding a valid invitation."""

    def is_open_for_signup(self, request):
        invitation = invitation_from_session(request)
        if invitation is None:
            return False
        try:
            invitation_check(invitation)
        except Exception:
            return False
        return True

    def save_user(self, request, user, form, commit=True):
        user = super().save_user(request, user, form, commit=commit)
        invitation = invitation_from_session(request)
        invitation_accept(invitation_id=invitation.pk, user=user, request=request)
        request.session.pop(INVITATION_SESSION_KEY, None)
        return user

    def pre_authenticate(self, request, **credentials):
        """allauth refuses a password attempt here once the failed-login limits are reached
        (per address and per account); the lockout goes into the audit trail."""
        try:
            super().pre_authenticate(request, **credentials)
        except ValidationError as exc:
            if exc.code == "too_many_login_attempts":
                email = str(credentials.get("email") or credentials.get("username") or "")[:254]
                audit("auth.locked", request=request, email=email)
            raise

    def is_reauthentication_required(self, *, app=None, **kwargs) -> bool:
        """Skip the password prompt for a first MFA enrolment right after signing in.

        The MFA middleware sends a new sign-in straight to enrolment; asking for the password
        a second time there adds nothing. Changing an existing factor still re-authenticates.
        """
        request = self.request
        if app == "allauth.mfa" and request is not None and request.user.is_authenticated:
            from portal.accounts.middleware import mfa_enrolled

            records = get_authentication_records(request, request.user)
            fresh = records and time.time() - records[-1].get("at", 0) < 300
            if fresh and not mfa_enrolled(request.user):
                return False
        return super().is_reauthentication_required(app=app, **kwargs)

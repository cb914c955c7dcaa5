"""allauth's second-factor forms, with their rate-limit lockouts written to the audit trail
(a wrong code is announced by allauth's `authentication_failed` signal; a lockout is not)."""

from allauth.core import context
from allauth.mfa.base.forms import AuthenticateForm, ReauthenticateForm
from django.core.exceptions import ValidationError

from portal.accounts.roles import organisation_of
from portal.audit import audit

LOCKED_OUT = "too_many_login_attempts"


class _AuditsLockout:
    reauthentication = False

    def clean_code(self):
        try:
            return super().clean_code()
        except ValidationError as exc:
            if exc.code == LOCKED_OUT:
                audit(
                    "mfa.locked",
                    actor=self.user,
                    organisation=organisation_of(self.user),
                    request=context.request,
                    reauthentication=self.reauthentication,
                )
            raise


class AuditedAuthenticateForm(_AuditsLockout, AuthenticateForm):
    pass


class AuditedReauthenticateForm(_AuditsLockout, ReauthenticateForm):
    reauthentication = True

"""Audit entries for sign-in and MFA events, which Django and allauth announce as signals,
and `credentials_changed` when a password or a factor changes.

Lockouts by the rate limits are not signals: portal.accounts.forms (second factor),
partners.adapter (password) and portal.accounts.ratelimit (any 429) write those.
"""

from allauth.mfa import signals as mfa_signals
from allauth.mfa.models import Authenticator
from django.contrib.auth import signals as auth_signals
from django.db.models.signals import post_save
from django.dispatch import receiver

from portal.accounts.roles import organisation_of
from portal.accounts.services import user_rotate_security_stamp
from portal.accounts.signals import credentials_changed
from portal.audit import audit
from portal.models import User


@receiver(auth_signals.user_logged_in)
def on_login(sender, request, user, **kwargs):
    audit("auth.login", actor=user, organisation=organisation_of(user), request=request)


@receiver(auth_signals.user_login_failed)
def on_login_failed(sender, credentials, request=None, **kwargs):
    email = str(credentials.get("email") or credentials.get("username") or "")[:254]
    audit("auth.login_failed", request=request, email=email)


@receiver(auth_signals.user_logged_out)
def on_logout(sender, request, user, **kwargs):
    if user is not None:
        audit("auth.logout", actor=user, request=request)


@receiver(mfa_signals.authenticator_added)
def on_authenticator_added(sender, request, user, authenticator, **kwargs):
    # An MFA change signs the account out everywhere but here.
    user_rotate_security_stamp(user=user, request=request)
    audit("mfa.add", actor=user, request=request, type=authenticator.type)
    credentials_changed.send(sender=User, user=user, reason="mfa_change", request=request)


@receiver(mfa_signals.authenticator_removed)
def on_authenticator_removed(sender, request, user, authenticator, **kwargs):
    # An MFA change signs the account out everywhere but here.
    user_rotate_security_stamp(user=user, request=request)
    audit("mfa.remove", actor=user, request=request, type=authenticator.type)
    credentials_changed.send(sender=User, user=user, reason="mfa_change", request=request)


@receiver(mfa_signals.authenticator_reset)
def on_authenticator_reset(sender, request, user, authenticator, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        audit("mfa.recovery_codes_regenerated", actor=user, organisation=organisation_of(user), request=request)
    else:
        audit("mfa.reset", actor=user, request=request, type=authenticator.type)


@receiver(mfa_signals.authentication_failed)
def on_authentication_failed(sender, request, user, authenticator, reauthentication=False, **kwargs):
    audit(
        "mfa.failed",
        actor=user,
        organisation=organisation_of(user),
        request=request,
        type=authenticator.type,
        reauthentication=bool(reauthentication),
    )


@receiver(mfa_signals.authenticator_used)
def on_authenticator_used(sender, request, user, authenticator, reauthenticated=False, **kwargs):
    if authenticator.type == Authenticator.Type.RECOVERY_CODES:
        # A recovery code is the fallback for a lost device: worth noticing, and how many are
        # left. Read again: allauth marked the code used on a copy of the row it locked.
        codes = Authenticator.objects.get(pk=authenticator.pk).wrap()
        unused = len(codes.get_unused_codes())
        audit("mfa.recovery_code_used", actor=user, organisation=organisation_of(user), request=request, unused=unused)
    else:
        audit("mfa.used", actor=user, request=request, type=authenticator.type, reauthenticated=bool(reauthenticated))


@receiver(post_save, sender=User)
def on_user_saved(sender, instance, created, **kwargs):
    # Django keeps a newly set raw password in `_password` until the save that stores it
    # (and clears it when it only rehashes on login), so this catches every way a password
    # changes: allauth's change and reset pages, the admin, `changepassword`.
    if not created and getattr(instance, "_password", None) is not None:
        credentials_changed.send(sender=User, user=instance, reason="password_change", request=None)

"""Session lifetime and the MFA requirement, enforced on every request."""

import time
from datetime import UTC, datetime

from allauth.account.authentication import get_authentication_records
from allauth.mfa.models import Authenticator
from django.conf import settings
from django.contrib import messages
from django.contrib.auth import logout
from django.http import JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.translation import gettext as _

from portal.accounts.roles import requires_mfa

SESSION_STARTED = "portal_session_started"
SESSION_SEEN = "portal_session_seen"
MFA_PASSED = "portal_mfa_passed"


class SessionExpiryMiddleware:
    """Ends a session after 30 minutes idle or 12 hours in all (settings)."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated:
            now = time.time()
            started = request.session.get(SESSION_STARTED, now)
            seen = request.session.get(SESSION_SEEN, now)
            idle = settings.PORTAL_SESSION_IDLE.total_seconds()
            absolute = settings.PORTAL_SESSION_ABSOLUTE.total_seconds()
            if now - seen > idle or now - started > absolute:
                logout(request)
                messages.info(request, _("Your session ended. Please sign in again."))
                if request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("Session expired.")}, status=401)
                return redirect(f"{reverse('account_login')}?next={request.path}")
            request.session.setdefault(SESSION_STARTED, now)
            # Write the timestamp at most every 30 s to spare the session store.
            if now - seen > 30 or SESSION_SEEN not in request.session:
                request.session[SESSION_SEEN] = now
        return self.get_response(request)


def _mfa_exempt(path: str) -> bool:
    prefixes = (
        "/accounts/2fa/",
        "/accounts/logout/",
        "/accounts/reauthenticate/",
        "/accounts/confirm-email/",
        "/static/",
        "/healthz",
        # Choosing the language, and the scripts' strings, while enrolling in that language.
        "/i18n/",
        "/jsi18n/",
    )
    return path.startswith(prefixes)


def mfa_enrolled(user) -> bool:
    return Authenticator.objects.filter(
        user=user, type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    ).exists()


def mfa_passed(request) -> bool:
    """True when this session signed in with a second factor, or enrolled one."""
    if request.session.get(MFA_PASSED):
        return True
    if any(r.get("method") == "mfa" for r in get_authentication_records(request, request.user)):
        return True
    # Activating a factor proves possession of it, so enrolling in this session counts.
    started = request.session.get(SESSION_STARTED)
    return bool(
        started
        and Authenticator.objects.filter(
            user=request.user,
            type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN],
            created_at__gte=datetime.fromtimestamp(started, tz=UTC),
        ).exists()
    )


class MfaRequiredMiddleware:
    """Users of MFA roles must enrol, then pass MFA in this session, before anything else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = request.user
        if user.is_authenticated and requires_mfa(user) and not _mfa_exempt(request.path):
            if not mfa_enrolled(user):
                return self._deny(request, "mfa_activate_totp", _("Set up two-factor authentication to continue."))
            if not mfa_passed(request):
                return self._deny(request, "mfa_reauthenticate", _("Confirm it is you with your second factor."))
        return self.get_response(request)

    def _deny(self, request, url_name: str, message: str):
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": message}, status=403)
        return redirect(f"{reverse(url_name)}?next={request.get_full_path()}")

"""The viewer's language and time zone for each request (docs/i18n.md).

Django's LocaleMiddleware has already chosen a language from the switcher's cookie or the
browser's Accept-Language; a signed-in person's own setting wins over both on pages. API
requests keep what LocaleMiddleware chose, so a client's Accept-Language decides its messages.
"""

import zoneinfo

from django.conf import settings
from django.utils import timezone, translation

# Set by static/js/timezone-cookie.js from the browser (Intl), for people without a setting.
TIME_ZONE_COOKIE = "portal_tz"


def time_zone_or_none(name: str):
    """The zone called `name`, or None for an empty or unknown name."""
    if not name or len(name) > 64:
        return None
    try:
        return zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return None


def supported_language(code: str) -> str:
    """`code` when it is one of the portal's languages, else the default."""
    codes = {code for code, _ in settings.LANGUAGES}
    return code if code in codes else settings.LANGUAGE_CODE


def user_language(user) -> str:
    """The language to write to `user` in (e-mails, notifications): their setting, else English."""
    return supported_language(getattr(user, "language", "") or settings.LANGUAGE_CODE)


def user_time_zone(user):
    """The zone to show `user` times in outside a request (e-mails): their setting, else UTC."""
    return time_zone_or_none(getattr(user, "time_zone", "") or "") or zoneinfo.ZoneInfo(settings.TIME_ZONE)


class UserLocaleMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        signed_in = user is not None and user.is_authenticated
        if signed_in and user.language and not request.path.startswith("/api/"):
            language = supported_language(user.language)
            translation.activate(language)
            request.LANGUAGE_CODE = language
        zone = time_zone_or_none(user.time_zone if signed_in else "") or time_zone_or_none(
            request.COOKIES.get(TIME_ZONE_COOKIE, "")
        )
        if zone is not None:
            timezone.activate(zone)
        else:
            timezone.deactivate()
        return self.get_response(request)

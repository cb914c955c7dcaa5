"""Changes to user accounts."""

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.errors import DomainError
from portal.locale import time_zone_or_none
from portal.models import User, new_security_stamp


@transaction.atomic
def user_rotate_security_stamp(*, user: User, request=None) -> User:
    """Sign the account out of every session but the one of `request` (if any).

    Sessions carry a hash of the password and the security stamp; a new stamp makes every
    other session's hash stale. The caller audits why (an MFA change, for example).
    """
    user.security_stamp = new_security_stamp()
    user.save(update_fields=["security_stamp"])
    if request is not None and hasattr(request, "session"):
        update_session_auth_hash(request, user)
    return user


@transaction.atomic
def user_set_preferences(*, user: User, language: str, time_zone: str, request=None) -> User:
    """Save the person's language and time zone (blank: the browser's), audited when they change."""
    language = (language or "").strip()
    time_zone = (time_zone or "").strip()
    if language and language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the languages offered."), field="language")
    if time_zone and time_zone_or_none(time_zone) is None:
        raise DomainError(_("Choose a time zone by its IANA name, such as Europe/Paris."), field="time_zone")
    before = {"language": user.language, "time_zone": user.time_zone}
    after = {"language": language, "time_zone": time_zone}
    if before != after:
        user.language, user.time_zone = language, time_zone
        user.save(update_fields=["language", "time_zone"])
        audit("user.preferences", actor=user, obj=user, request=request, before=before, after=after)
    return user

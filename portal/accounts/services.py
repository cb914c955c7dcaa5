"""Changes to user accounts."""

from django.conf import settings
from django.contrib.auth import update_session_auth_hash
from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.roles import is_platform
from portal.audit import audit
from portal.errors import DomainError, NotAllowed
from portal.languages import READS_LANGUAGES_MAX, is_language_code
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
def user_set_preferences(
    *, user: User, language: str, time_zone: str, reads_languages: list[str] | None = None, request=None
) -> User:
    """Save the person's language and time zone (blank: the browser's), audited when they change.

    `reads_languages` (ISO 639-1 codes; None leaves them as they are) is for platform roles
    only: claiming the next referral prefers referrals in those languages (SPEC §15)."""
    language = (language or "").strip()
    time_zone = (time_zone or "").strip()
    if language and language not in dict(settings.LANGUAGES):
        raise DomainError(_("Choose one of the languages offered."), field="language")
    if time_zone and time_zone_or_none(time_zone) is None:
        raise DomainError(_("Choose a time zone by its IANA name, such as Europe/Paris."), field="time_zone")
    before = {"language": user.language, "time_zone": user.time_zone}
    after = {"language": language, "time_zone": time_zone}
    if reads_languages is not None:
        reads = _reads_languages(user, reads_languages)
        if reads != list(user.reads_languages or []):
            before["reads_languages"], after["reads_languages"] = list(user.reads_languages or []), reads
    if before != after:
        user.language, user.time_zone = language, time_zone
        user.reads_languages = after.get("reads_languages", user.reads_languages)
        user.save(update_fields=["language", "time_zone", "reads_languages"])
        audit("user.preferences", actor=user, obj=user, request=request, before=before, after=after)
    return user


def _reads_languages(user: User, codes: list[str]) -> list[str]:
    codes = list(dict.fromkeys(str(code).strip().lower() for code in codes if str(code).strip()))
    if codes and not is_platform(user):
        raise NotAllowed(_("Only platform staff list the languages they read."))
    unknown = [code for code in codes if not is_language_code(code)]
    if unknown:
        raise DomainError(
            _("%(codes)s: not ISO 639-1 language codes; use two letters such as en or ar.")
            % {"codes": ", ".join(unknown)},
            field="reads_languages",
        )
    if len(codes) > READS_LANGUAGES_MAX:
        raise DomainError(_("List at most %(max)d languages.") % {"max": READS_LANGUAGES_MAX}, field="reads_languages")
    return codes

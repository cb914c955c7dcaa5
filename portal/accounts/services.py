"""Changes to user accounts."""

from django.contrib.auth import update_session_auth_hash
from django.db import transaction

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

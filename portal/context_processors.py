from portal.accounts.roles import membership_of
from portal.notifications import notifications_unread_count


def portal(request):
    user = getattr(request, "user", None)
    membership = membership_of(user) if user is not None else None
    signed_in = bool(user is not None and user.is_authenticated)
    return {
        "membership": membership,
        "role": membership.role if membership else None,
        "organisation": membership.organisation if membership else None,
        # One COUNT on the (user, read_at) rows per page, for the header's badge.
        "unread_notifications": notifications_unread_count(user) if signed_in else 0,
    }

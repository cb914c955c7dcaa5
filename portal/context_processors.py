from portal.accounts.roles import membership_of


def portal(request):
    user = getattr(request, "user", None)
    membership = membership_of(user) if user is not None else None
    return {
        "membership": membership,
        "role": membership.role if membership else None,
        "organisation": membership.organisation if membership else None,
    }

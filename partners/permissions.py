"""Named predicates about partner organisations, shared by pages and the API."""

from partners.models import Role
from portal.accounts.roles import is_policy_staff, membership_of


def can_manage_members(user, organisation) -> bool:
    """Policy staff manage any organisation; an NGO admin manages its own."""
    if is_policy_staff(user):
        return True
    membership = membership_of(user)
    return bool(membership and membership.role == Role.NGO_ADMIN and membership.organisation_id == organisation.pk)


def can_manage_organisations(user) -> bool:
    return is_policy_staff(user)

"""Who manages an organisation's webhooks (SPEC §19): an NGO's admins, an agency's liaisons."""

from portal.accounts.roles import Role, membership_of

WEBHOOK_MANAGER_ROLES = frozenset({Role.NGO_ADMIN, Role.LE_LIAISON})


def can_manage_webhooks(user) -> bool:
    """True for an active NGO admin or law-enforcement liaison; they manage their own
    organisation's webhooks only (the selectors scope the rest)."""
    membership = membership_of(user)
    return bool(membership and user.is_active and membership.role in WEBHOOK_MANAGER_ROLES)

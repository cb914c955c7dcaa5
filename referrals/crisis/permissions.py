"""Who may do what in crisis mode (SPEC §18)."""

from __future__ import annotations

from portal.accounts.roles import PLATFORM_ROLES, OrganisationKind, Role, membership_of


def _role(user) -> str | None:
    membership = membership_of(user)
    if membership is None or not user.is_active:
        return None
    return membership.role


def can_declare_incidents(user) -> bool:
    """Policy staff and queue leads declare incidents, close them and post their bulletins."""
    return _role(user) in (Role.POLICY_STAFF, Role.QUEUE_LEAD)


def can_see_incidents_in_full(user) -> bool:
    """Platform roles see every incident, active or closed, with its keywords, URLs, queue,
    referrals and report."""
    return _role(user) in PLATFORM_ROLES


def is_verified_partner(user) -> bool:
    """A member of a verified partner organisation (an NGO or an agency): sees the active
    incidents' title, summary and bulletins, and receives the bulletins."""
    membership = membership_of(user)
    if membership is None or not user.is_active:
        return False
    organisation = membership.organisation
    return organisation.kind != OrganisationKind.PLATFORM and bool(organisation.verified)


def can_see_incidents(user) -> bool:
    return can_see_incidents_in_full(user) or is_verified_partner(user)

"""Who may use the surfacing detectors and see what they find (SPEC §14).

Scores, matches, networks and signals' reasons are platform-only: partners get 404 on every
surfacing page and endpoint, like on the queues.
"""

from partners.models import OrganisationKind, Role
from portal.accounts.roles import is_platform, membership_of


def can_see_surfacing(user) -> bool:
    """Networks, hubs, look-alike scores and near-duplicate matches: platform roles."""
    return is_platform(user)


def can_raise_signals(user) -> bool:
    """Reviewers and queue leads of the platform run the detectors and raise signals."""
    membership = membership_of(user)
    return bool(
        membership
        and user.is_active
        and membership.role in (Role.REVIEWER, Role.QUEUE_LEAD)
        and membership.organisation.kind == OrganisationKind.PLATFORM
    )


def can_raise_network_signals(user) -> bool:
    """A hub is put in front of reviewers by a queue lead, from the hubs or a network page (SPEC §14)."""
    return can_raise_signals(user) and membership_of(user).role == Role.QUEUE_LEAD

"""Who may do what in the exchange with an agency (SPEC §17), as named predicates shared by the
pages, the API and the services.

Seeing a law-enforcement request at all is the selectors' business (another agency's request
is a 404); these say what someone who can see it may do with it.
"""

from __future__ import annotations

from partners.models import OrganisationKind, Role
from portal.accounts.roles import membership_of
from referrals.models import Kind, Referral
from referrals.permissions import can_file, is_submitting_member, sees_platform_fields
from referrals.review.permissions import can_act_on


def can_see_productions(user, referral: Referral) -> bool:
    """A request's productions are for the requesting agency and platform roles; no other
    referral has any."""
    return referral.is_law_enforcement and (is_submitting_member(user, referral) or sees_platform_fields(user))


def can_deliver_production(user, referral: Referral) -> bool:
    """Data is delivered to the agency by the reviewer the request is assigned to, or a lead."""
    return referral.is_law_enforcement and bool(user.is_active) and can_act_on(user, referral)


def counts_as_received(user, referral: Referral) -> bool:
    """A download that tells the platform the agency has the data (the platform's own checks
    of a file it delivered do not)."""
    return is_submitting_member(user, referral)


# --- The TCO hold and outbound notices -------------------------------------------------------


def can_renew_tco_hold(user, referral: Referral) -> bool:
    """The hold on a removal order's content (TCO Art. 6) is renewed by the issuing agency's
    liaisons while it is verified, as a preservation request is; whether the hold still lasts
    is the service's question."""
    return (
        referral.kind == Kind.REMOVAL_ORDER
        and is_submitting_member(user, referral)
        and can_file(user, Kind.REMOVAL_ORDER)
    )


def can_send_outbound_notices(user) -> bool:
    """Platform roles tell an agency of a threat they found (DSA Art. 18)."""
    return bool(getattr(user, "is_active", False)) and sees_platform_fields(user)


def is_agency_liaison(user) -> bool:
    membership = membership_of(user)
    return bool(
        membership
        and user.is_active
        and membership.role == Role.LE_LIAISON
        and membership.organisation.kind == OrganisationKind.LAW_ENFORCEMENT
    )


def can_see_outbound_notices(user) -> bool:
    """The notices pages exist for platform roles (all notices) and liaisons (their agency's)."""
    return can_send_outbound_notices(user) or is_agency_liaison(user)


def can_acknowledge_outbound_notice(user, notice) -> bool:
    """A notice is acknowledged by a liaison of the agency it was sent to."""
    return is_agency_liaison(user) and membership_of(user).organisation_id == notice.agency_id

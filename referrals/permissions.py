"""Named predicates about referrals, shared by pages, the API and the services."""

from __future__ import annotations

from partners.models import OrganisationKind, Role
from portal.accounts.roles import PLATFORM_ROLES, membership_of
from referrals.models import CLOSED_STATUSES, DECIDED_STATUSES, LEGAL_KINDS, Kind, Referral

SUBMITTER_ROLES = frozenset({Role.NGO_MEMBER, Role.NGO_ADMIN, Role.LE_LIAISON})


def kinds_filable_by(user) -> list[str]:
    """The kinds `user` may file, in display order; empty for everyone else (SPEC §3.1)."""
    membership = membership_of(user)
    if membership is None or not user.is_active:
        return []
    organisation = membership.organisation
    if membership.role in (Role.NGO_MEMBER, Role.NGO_ADMIN) and organisation.kind == OrganisationKind.NGO:
        return [Kind.NOTICE]
    if membership.role == Role.LE_LIAISON and organisation.kind == OrganisationKind.LAW_ENFORCEMENT:
        kinds = [Kind.LE_REFERRAL]
        if organisation.verified:
            kinds += [k for k in Kind if k in LEGAL_KINDS]
        return kinds
    if membership.role in (Role.REVIEWER, Role.QUEUE_LEAD) and organisation.kind == OrganisationKind.PLATFORM:
        return [Kind.SIGNAL]  # what the platform's own review surfaced (SPEC §14)
    return []


def can_file(user, kind: str | None = None) -> bool:
    """May `user` file referrals at all, or of `kind` when given?"""
    kinds = kinds_filable_by(user)
    return bool(kinds) if kind is None else kind in kinds


def is_submitting_member(user, referral: Referral) -> bool:
    membership = membership_of(user)
    return bool(
        membership
        and membership.role in SUBMITTER_ROLES
        and membership.organisation_id == referral.organisation_id
        and user.is_active
    )


def can_withdraw(user, referral: Referral) -> bool:
    return is_submitting_member(user, referral) and referral.status not in CLOSED_STATUSES


def can_reply(user, referral: Referral) -> bool:
    return is_submitting_member(user, referral) and referral.status == "needs_info"


def can_write_messages(user, referral: Referral) -> bool:
    """Who writes on a referral's messages (SPEC §17): the submitting organisation, and the
    platform staff who work it: its assignee, a reviewer of its queue, a queue lead. Policy
    staff read them only. Whether the referral is still open is the service's business (409)."""
    if is_submitting_member(user, referral):
        return True
    membership = membership_of(user)
    if membership is None or not user.is_active:
        return False
    if membership.role == Role.QUEUE_LEAD:
        return True
    if membership.role != Role.REVIEWER:
        return False
    if referral.assignee_id == user.pk:
        return True
    return referral.queue_id is not None and referral.queue.members.filter(pk=user.pk).exists()


def can_add_evidence(user, referral: Referral) -> bool:
    return (
        is_submitting_member(user, referral)
        and referral.status not in CLOSED_STATUSES
        and referral.status not in DECIDED_STATUSES
    )


def sees_platform_fields(user) -> bool:
    """Queue, priority, assignee, routing reasons and reviewer identities (SPEC §3.2)."""
    membership = membership_of(user)
    return bool(membership and membership.role in PLATFORM_ROLES)


# --- Law-enforcement requests (SPEC §5) ------------------------------------------------------


def can_export_requests(user) -> bool:
    """The CSV of an agency's requests is for that agency's liaisons."""
    membership = membership_of(user)
    return bool(
        membership
        and user.is_active
        and membership.role == Role.LE_LIAISON
        and membership.organisation.kind == OrganisationKind.LAW_ENFORCEMENT
    )


def can_see_feedback(user, referral: Referral) -> bool:
    """The feedback on a removal order is for the requesting agency and the platform."""
    return is_submitting_member(user, referral) or sees_platform_fields(user)

"""Who someone is in the portal: the role and organisation-kind vocabulary (core owns it, so
no app is needed to ask), and the person's organisation and role, read once per request."""

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    NGO = "ngo", _("NGO")
    LAW_ENFORCEMENT = "law_enforcement", _("Law enforcement")
    PLATFORM = "platform", _("Platform")


class Role(models.TextChoices):
    NGO_MEMBER = "ngo_member", _("NGO member")
    NGO_ADMIN = "ngo_admin", _("NGO admin")
    LE_LIAISON = "le_liaison", _("Law-enforcement liaison")
    REVIEWER = "reviewer", _("Reviewer")
    QUEUE_LEAD = "queue_lead", _("Queue lead")
    POLICY_STAFF = "policy_staff", _("Policy staff")


PLATFORM_ROLES = frozenset({Role.REVIEWER, Role.QUEUE_LEAD, Role.POLICY_STAFF})
NGO_ROLES = frozenset({Role.NGO_MEMBER, Role.NGO_ADMIN})


def membership_of(user):
    if not getattr(user, "is_authenticated", False):
        return None
    try:
        return user.membership
    except Exception:  # RelatedObjectDoesNotExist: a user without an organisation
        return None


def role_of(user) -> str | None:
    membership = membership_of(user)
    return membership.role if membership else None


def organisation_of(user):
    membership = membership_of(user)
    return membership.organisation if membership else None


def has_role(user, *roles: str) -> bool:
    return role_of(user) in roles


def is_platform(user) -> bool:
    return role_of(user) in PLATFORM_ROLES


def is_ngo(user) -> bool:
    return role_of(user) in NGO_ROLES


def is_liaison(user) -> bool:
    return role_of(user) == Role.LE_LIAISON


def is_policy_staff(user) -> bool:
    return role_of(user) == Role.POLICY_STAFF


def is_queue_lead(user) -> bool:
    return role_of(user) == Role.QUEUE_LEAD


def requires_mfa(user) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    return user.is_superuser or role_of(user) in settings.PORTAL_MFA_REQUIRED_ROLES


def organisation_kind(user) -> str | None:
    organisation = organisation_of(user)
    return organisation.kind if organisation else None


__all__ = [
    "OrganisationKind",
    "Role",
    "has_role",
    "is_liaison",
    "is_ngo",
    "is_platform",
    "is_policy_staff",
    "is_queue_lead",
    "membership_of",
    "organisation_kind",
    "organisation_of",
    "requires_mfa",
    "role_of",
]

"""Named predicates about partner organisations, shared by pages and the API."""

from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from partners.models import ROLES_BY_KIND, OrganisationKind, Role
from portal.accounts.roles import NGO_ROLES, PLATFORM_ROLES, is_policy_staff, membership_of

# The platform's enforcement roles: granted only by a queue lead or a superuser (SPEC §2).
ENFORCEMENT_ROLES = frozenset({Role.REVIEWER, Role.QUEUE_LEAD})


def roles_grantable_by(user, organisation) -> tuple[str, ...]:
    """The roles `user` may give in `organisation`, by invitation or role change (SPEC §2):
    a superuser any; policy staff the partners' roles of any organisation; a queue lead the
    enforcement roles of its own platform organisation; an NGO admin its NGO's roles."""
    roles = ROLES_BY_KIND[OrganisationKind(organisation.kind)]
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return ()
    if user.is_superuser:
        return roles
    membership = membership_of(user)
    if membership is None:
        return ()
    if membership.role == Role.POLICY_STAFF:
        return tuple(r for r in roles if r not in PLATFORM_ROLES)
    own = membership.organisation_id == organisation.pk
    if membership.role == Role.QUEUE_LEAD and own:
        return tuple(r for r in roles if r in ENFORCEMENT_ROLES)
    if membership.role == Role.NGO_ADMIN and own:
        return tuple(r for r in roles if r in NGO_ROLES)
    return ()


# Why a role may not be given, changed or taken away: (only a superuser may; only a queue lead
# or a superuser may; not this person here), as whole sentences so that each reads well in
# every language.
_REFUSALS = {
    "grant": (
        _("Only a superuser may grant the %(role)s role."),
        _("Only a queue lead or a superuser may grant the %(role)s role."),
        _("You may not grant the %(role)s role in %(organisation)s."),
    ),
    "change": (
        _("Only a superuser may change the %(role)s role."),
        _("Only a queue lead or a superuser may change the %(role)s role."),
        _("You may not change the %(role)s role in %(organisation)s."),
    ),
    "take_away": (
        _("Only a superuser may take away the %(role)s role."),
        _("Only a queue lead or a superuser may take away the %(role)s role."),
        _("You may not take away the %(role)s role in %(organisation)s."),
    ),
}


def grant_refusal(user, organisation, role: str, *, action: str = "grant") -> str | None:
    """Why `user` may not give `role` in `organisation` (None: they may); `action` ("grant",
    "change" or "take_away") is what the sentence says they tried."""
    if role in roles_grantable_by(user, organisation):
        return None
    superuser_only, leads_only, not_here = _REFUSALS[action]
    values = {"role": Role(role).label if role in Role.values else role, "organisation": organisation.name}
    if role == Role.POLICY_STAFF:
        return superuser_only % values
    if role in ENFORCEMENT_ROLES:
        return leads_only % values
    return not_here % values


def role_change_refusal(user, membership, role: str) -> str | None:
    """Why `user` may not move `membership` to `role` (None: they may). Nobody changes their
    own role, and only someone who could grant the current role may take it away."""
    if membership.user_id == getattr(user, "pk", None):
        return gettext("Nobody changes their own role; ask a queue lead or a superuser.")
    current = grant_refusal(user, membership.organisation, membership.role, action="change")
    if current is not None:
        return current
    return grant_refusal(user, membership.organisation, role)


def can_manage_members(user, organisation) -> bool:
    """Whoever may grant some role in `organisation` manages its members and invitations."""
    return bool(roles_grantable_by(user, organisation))


def can_manage_organisations(user) -> bool:
    return is_policy_staff(user)

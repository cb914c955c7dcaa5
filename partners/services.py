"""Changes to organisations, memberships, invitations, applications and API tokens."""

import functools
import hashlib
import secrets
from datetime import timedelta

from allauth.mfa.models import Authenticator
from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import Exists, OuterRef
from django.utils import timezone
from django.utils.functional import lazy
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from partners.models import (
    ROLES_BY_KIND,
    ApiToken,
    Invitation,
    Membership,
    Organisation,
    OrganisationKind,
    PartnerApplication,
    Role,
)
from partners.permissions import (
    can_manage_organisations,
    grant_refusal,
    role_change_refusal,
)
from partners.selectors import queue_leads
from portal.accounts.middleware import mfa_enrolled
from portal.accounts.roles import PLATFORM_ROLES, organisation_of, requires_mfa
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.notifications import email_address, notify_users
from portal.slugs import unique_slug
from portal.text import strip_format_characters


def _hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# --- Platform roles ---------------------------------------------------------------------------


def _refuse(action: str, *, by, organisation, request, message: str, **data):
    """Audit a refused grant of a role, then raise. Called before the change's transaction,
    so the refusal stays in the trail."""
    audit(f"{action}_refused", actor=by, organisation=organisation, request=request, reason=message, **data)
    raise NotAllowed(message, field="role")


def _alert_leads(*, by, organisation: Organisation, member: str, change: str) -> None:
    """Tell the queue leads (in-app and by e-mail) that a platform role changed (SPEC §2)."""
    context = {"organisation": organisation, "member": member, "change": change, "by": by}
    notify_users(list(queue_leads()), "platform_role_changed", context, link=f"/partners/{organisation.slug}/")


def _label(role: str) -> str:
    return Role(role).label


def _change(message, **roles) -> str:
    """A change as the leads read it after the member's address ("invited as Reviewer"): put
    together when the alert is rendered, so in each recipient's language."""
    return lazy(lambda: str(message) % {name: _label(role) for name, role in roles.items()}, str)()


# --- Invitations ------------------------------------------------------------------------------


def invitation_create(*, by, organisation: Organisation, email: str, role: str, request=None) -> tuple[Invitation, str]:
    """Invite `email` to `organisation` as `role`; return the invitation and its secret token.

    `by` may grant only the roles permissions.roles_grantable_by gives them (SPEC §2); `by`
    None is the system (an accepted application). An invitation to a platform role alerts
    the queue leads."""
    email = email.strip().lower()
    if role not in ROLES_BY_KIND[OrganisationKind(organisation.kind)]:
        kind, label = organisation.get_kind_display(), Role(role).label if role in Role.values else role
        message = _("A %(kind)s organisation cannot have the role %(role)s.") % {"kind": kind, "role": label}
        raise DomainError(message, field="role")
    refusal = grant_refusal(by, organisation, role) if by is not None else None
    if refusal is not None:
        _refuse(
            "invitation.create",
            by=by,
            organisation=organisation,
            request=request,
            message=refusal,
            email_invited=email,
            role=role,
        )
    return _invitation_create(by=by, organisation=organisation, email=email, role=role, request=request)


@transaction.atomic
def _invitation_create(*, by, organisation: Organisation, email: str, role: str, request) -> tuple[Invitation, str]:
    if organisation.kind == OrganisationKind.LAW_ENFORCEMENT and not organisation.email_domains:
        raise DomainError(_("Set the agency's e-mail domains before inviting its liaisons."), field="email")
    if not organisation.accepts_email(email):
        message = _("%(email)s is not on %(organisation)s's e-mail domains (%(domains)s).") % {
            "email": email,
            "organisation": organisation.name,
            "domains": ", ".join(organisation.email_domains),
        }
        raise DomainError(message, field="email")
    from django.contrib.auth import get_user_model

    if get_user_model().objects.filter(email__iexact=email).exists():
        raise DomainError(_("%(email)s already has an account.") % {"email": email}, field="email")
    Invitation.objects.filter(email=email, status=Invitation.Status.PENDING).update(status=Invitation.Status.REVOKED)
    token = secrets.token_urlsafe(32)
    invitation = Invitation.objects.create(
        token_hash=_hash(token),
        email=email,
        organisation=organisation,
        role=role,
        invited_by=by,
        expires_at=timezone.now() + timedelta(days=settings.PORTAL_INVITATION_DAYS),
    )
    audit(
        "invitation.create",
        actor=by,
        obj=invitation,
        organisation=organisation,
        request=request,
        email_invited=email,
        role=role,
    )
    email_address(
        email,
        "invitation",
        {"invitation": invitation, "token": token, "organisation": organisation, "inviter": by},
    )
    if role in PLATFORM_ROLES:
        change = _change(gettext_lazy("invited as %(role)s"), role=role)
        _alert_leads(by=by, organisation=organisation, member=email, change=change)
    return invitation, token


def invitation_for_token(token: str) -> Invitation | None:
    return Invitation.objects.select_related("organisation").filter(token_hash=_hash(token)).first()


def invitation_check(invitation: Invitation | None) -> None:
    """Raise a DomainError saying why an invitation can't be used, if it can't."""
    if invitation is None:
        raise DomainError(_("This invitation link is not valid. Ask for a new invitation."))
    if invitation.status == Invitation.Status.ACCEPTED:
        raise DomainError(_("This invitation has already been used. Sign in instead."))
    if invitation.status == Invitation.Status.REVOKED:
        raise DomainError(_("This invitation was withdrawn. Ask for a new invitation."))
    if invitation.is_expired():
        raise DomainError(_("This invitation has expired. Ask for a new invitation."))


@transaction.atomic
def invitation_accept(*, invitation_id, user, request=None) -> Membership:
    """Give the newly signed-up `user` the organisation and role the invitation fixed."""
    invitation = Invitation.objects.select_for_update().select_related("organisation").get(pk=invitation_id)
    invitation_check(invitation)
    if user.email.lower() != invitation.email:
        raise DomainError(_("Sign up with the address the invitation was sent to."), field="email")
    if not invitation.organisation.accepts_email(user.email):
        raise DomainError(_("This address is not on the organisation's e-mail domains."), field="email")
    membership = Membership.objects.create(user=user, organisation=invitation.organisation, role=invitation.role)
    invitation.status = Invitation.Status.ACCEPTED
    invitation.accepted_at = timezone.now()
    invitation.save(update_fields=["status", "accepted_at"])
    audit(
        "invitation.accept",
        actor=user,
        obj=invitation,
        organisation=invitation.organisation,
        request=request,
        role=invitation.role,
    )
    if invitation.role in PLATFORM_ROLES:
        _alert_leads(
            by=user,
            organisation=invitation.organisation,
            member=user.email,
            change=_change(gettext_lazy("joined as %(role)s"), role=invitation.role),
        )
    return membership


# --- Members and organisations ----------------------------------------------------------------


def membership_remove(*, by, membership: Membership, request=None) -> None:
    """Remove a member: the account is deactivated, which ends its sessions and tokens. Only
    someone who may grant the member's role removes them; removing a platform role alerts
    the queue leads."""
    if membership.user_id == by.pk:
        raise DomainError(_("You cannot remove yourself."))
    refusal = grant_refusal(by, membership.organisation, membership.role, action="take_away")
    if refusal is not None:
        _refuse(
            "membership.remove",
            by=by,
            organisation=membership.organisation,
            request=request,
            message=refusal,
            member=membership.user.email,
            role=membership.role,
        )
    _membership_remove(by=by, membership=membership, request=request)


@transaction.atomic
def _membership_remove(*, by, membership: Membership, request) -> None:
    user = membership.user
    organisation = membership.organisation
    audit(
        "membership.remove",
        actor=by,
        obj=membership,
        organisation=organisation,
        request=request,
        member=user.email,
        role=membership.role,
    )
    role = membership.role
    membership.delete()
    user_deactivate(user=user, by=by, request=request)
    if role in PLATFORM_ROLES:
        change = _change(gettext_lazy("removed (was %(role)s)"), role=role)
        _alert_leads(by=by, organisation=organisation, member=user.email, change=change)


def user_deactivate(*, user, by=None, request=None) -> None:
    from django.contrib.sessions.models import Session

    user.is_active = False
    user.save(update_fields=["is_active"])
    api_tokens_revoke_all(user=user, reason="deactivated", by=by, request=request)
    # Sessions hold the user id in their encoded data; decode to find this user's.
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if str(session.get_decoded().get("_auth_user_id")) == str(user.pk):
            session.delete()


def membership_change_role(*, by, membership: Membership, role: str, request=None) -> Membership:
    """Give a member another role (SPEC §2: nobody their own; the enforcement roles only by a
    queue lead or a superuser, policy staff only by a superuser). A change of a platform
    role alerts the queue leads."""
    organisation = membership.organisation
    if role not in ROLES_BY_KIND[OrganisationKind(organisation.kind)]:
        raise DomainError(_("That role does not exist for this kind of organisation."), field="role")
    refusal = role_change_refusal(by, membership, role)
    if refusal is not None:
        _refuse(
            "membership.role",
            by=by,
            organisation=organisation,
            request=request,
            message=refusal,
            member=membership.user.email,
            old=membership.role,
            new=role,
        )
    return _membership_change_role(by=by, membership=membership, role=role, request=request)


@transaction.atomic
def _membership_change_role(*, by, membership: Membership, role: str, request) -> Membership:
    membership = Membership.objects.select_for_update().select_related("organisation", "user").get(pk=membership.pk)
    old = membership.role
    membership.role = role
    membership.save(update_fields=["role"])
    if role != old:
        # A token stands in for a sign-in: one issued for the old role does not carry over.
        api_tokens_revoke_all(user=membership.user, reason="role_change", by=by, request=request)
    audit(
        "membership.role",
        actor=by,
        obj=membership,
        organisation=membership.organisation,
        request=request,
        member=membership.user.email,
        old=old,
        new=role,
    )
    if role != old and (role in PLATFORM_ROLES or old in PLATFORM_ROLES):
        _alert_leads(
            by=by,
            organisation=membership.organisation,
            member=membership.user.email,
            change=_change(gettext_lazy("changed from %(old)s to %(new)s"), old=old, new=role),
        )
    return membership


def membership_saved_in_admin(*, by, membership: Membership, old_role: str | None, request=None) -> None:
    """A superuser's edit of a membership in the Django admin: audited, and a change of a
    platform role alerts the queue leads as any other does."""
    if old_role == membership.role:
        return
    audit(
        "membership.role",
        actor=by,
        obj=membership,
        organisation=membership.organisation,
        request=request,
        member=membership.user.email,
        old=old_role,
        new=membership.role,
        via="admin",
    )
    if membership.role in PLATFORM_ROLES or old_role in PLATFORM_ROLES:
        change = (
            _change(gettext_lazy("given %(role)s"), role=membership.role)
            if old_role is None
            else _change(gettext_lazy("changed from %(old)s to %(new)s"), old=old_role, new=membership.role)
        )
        _alert_leads(by=by, organisation=membership.organisation, member=membership.user.email, change=change)


@transaction.atomic
def organisation_set_status(
    *, by, organisation: Organisation, verified: bool, trusted_flagger: bool, request=None
) -> Organisation:
    if not can_manage_organisations(by):
        raise NotAllowed(_("Only policy staff verify organisations."))
    if trusted_flagger and organisation.kind != OrganisationKind.NGO:
        raise DomainError(_("Only NGOs can be trusted flaggers."), field="trusted_flagger")
    changes = {}
    if organisation.verified != verified:
        changes["verified"] = [organisation.verified, verified]
    if organisation.trusted_flagger != trusted_flagger:
        changes["trusted_flagger"] = [organisation.trusted_flagger, trusted_flagger]
    if changes:
        organisation.verified = verified
        organisation.trusted_flagger = trusted_flagger
        organisation.save(update_fields=["verified", "trusted_flagger"])
        audit(
            "organisation.status",
            actor=by,
            obj=organisation,
            organisation=organisation,
            request=request,
            changes=changes,
        )
    return organisation


# --- Partner applications ---------------------------------------------------------------------


def application_submit(**fields) -> PartnerApplication:
    request = fields.pop("request", None)
    for name in ("organisation_name", "contact_name", "description"):  # read by policy staff
        fields[name] = strip_format_characters(fields.get(name) or "").strip()
    application = PartnerApplication.objects.create(**fields)
    audit("application.submit", obj=application, request=request, email=application.contact_email)
    return application


@transaction.atomic
def application_accept(*, by, application: PartnerApplication, request=None) -> Organisation:
    """Create the organisation and invite the applicant as its first admin or liaison."""
    if not can_manage_organisations(by):
        raise NotAllowed(_("Only policy staff decide applications."))
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != PartnerApplication.Status.PENDING:
        raise TransitionError(_("This application has already been decided."))
    domain = application.email_domain.strip().lower().lstrip("@")
    try:
        organisation = Organisation.objects.create(
            name=application.organisation_name,
            slug=unique_slug(application.organisation_name, model=Organisation, fallback="organisation"),
            kind=application.kind,
            country=application.country.upper(),
            website=application.website,
            email_domains=[domain],
        )
    except IntegrityError as exc:  # pragma: no cover - slug race
        raise DomainError(_("Could not create the organisation; try again.")) from exc
    application.status = PartnerApplication.Status.ACCEPTED
    application.decided_at = timezone.now()
    application.decided_by = by
    application.organisation = organisation
    application.save(update_fields=["status", "decided_at", "decided_by", "organisation"])
    audit("application.accept", actor=by, obj=application, organisation=organisation, request=request)
    role = Role.NGO_ADMIN if organisation.kind == OrganisationKind.NGO else Role.LE_LIAISON
    invitation_create(by=by, organisation=organisation, email=application.contact_email, role=role, request=request)
    return organisation


@transaction.atomic
def application_decline(*, by, application: PartnerApplication, request=None) -> PartnerApplication:
    if not can_manage_organisations(by):
        raise NotAllowed(_("Only policy staff decide applications."))
    application = PartnerApplication.objects.select_for_update().get(pk=application.pk)
    if application.status != PartnerApplication.Status.PENDING:
        raise TransitionError(_("This application has already been decided."))
    application.status = PartnerApplication.Status.DECLINED
    application.decided_at = timezone.now()
    application.decided_by = by
    application.save(update_fields=["status", "decided_at", "decided_by"])
    audit("application.decline", actor=by, obj=application, request=request)
    email_address(application.contact_email, "application_declined", {"application": application})
    return application


# --- API tokens -------------------------------------------------------------------------------

MFA_NEEDED = gettext_lazy("Your role needs two-factor authentication: set up a second factor before using API tokens.")


@transaction.atomic
def api_token_issue(*, user, name: str, days: int | None = None, request=None) -> tuple[ApiToken, str]:
    name = (name or "").strip()
    if not name:
        raise DomainError(_("Give the token a name."), field="name")
    days = days or settings.PORTAL_API_TOKEN_DAYS
    if not 1 <= days <= 365:
        raise DomainError(_("A token lasts between 1 and 365 days."), field="days")
    if not user.is_active:
        raise NotAllowed(_("This account is deactivated."))
    if requires_mfa(user) and not mfa_enrolled(user):
        raise NotAllowed(str(MFA_NEEDED))
    token = "cp_" + secrets.token_urlsafe(32)
    api_token = ApiToken.objects.create(
        user=user,
        name=name[:100],
        prefix=token[:10],
        token_hash=_hash(token),
        expires_at=timezone.now() + timedelta(days=days),
    )
    audit("api_token.issue", actor=user, obj=api_token, request=request, name=api_token.name, days=days)
    return api_token, token


@transaction.atomic
def api_token_revoke(*, user, api_token: ApiToken, request=None) -> None:
    if api_token.user_id != user.pk:
        raise NotAllowed(_("You may revoke only your own tokens."))
    if api_token.revoked_at is None:
        api_token.revoked_at = timezone.now()
        api_token.save(update_fields=["revoked_at"])
        audit("api_token.revoke", actor=user, obj=api_token, request=request, name=api_token.name)


@transaction.atomic
def api_tokens_revoke_all(*, user, reason: str, by=None, request=None) -> int:
    """Revoke every usable token of `user` (a credential or role change, a deactivation);
    one audit entry names them. Returns how many were revoked."""
    tokens = ApiToken.objects.select_for_update().filter(user=user, revoked_at__isnull=True)
    names = [f"{name} ({prefix}…)" for name, prefix in tokens.values_list("name", "prefix")]
    if not names:
        return 0
    revoked = tokens.update(revoked_at=timezone.now())
    audit(
        "api_token.revoke_all",
        actor=by or user,
        obj=user,
        organisation=organisation_of(user),
        request=request,
        reason=reason,
        tokens=names,
    )
    return revoked


class ApiTokenRefused(DomainError):
    """A valid token that may not be used now; the API answers 401 with the message."""

    status_code = 401


@functools.cache
def _tokens_with_users():
    """Tokens with their user's membership, organisation and whether they have a second factor
    (as `mfa_enrolled` counts): one query. Built once: building it takes longer than running it."""
    factors = Authenticator.objects.filter(
        user=OuterRef("user_id"), type__in=[Authenticator.Type.TOTP, Authenticator.Type.WEBAUTHN]
    )
    tokens = ApiToken.objects.select_related("user__membership__organisation").order_by()
    return tokens.annotate(has_factor=Exists(factors))


def api_token_authenticate(token: str):
    """Return the user of a usable token, recording its use at most once a minute; None for
    a wrong, expired or revoked token. Raises ApiTokenRefused for a token of an MFA role
    whose account has no second factor (SPEC §2: no factor, no access)."""
    api_token = next(iter(_tokens_with_users().filter(token_hash=_hash(token))), None)  # the hash is unique
    now = timezone.now()
    if api_token is None or not api_token.is_usable(now) or not api_token.user.is_active:
        return None
    if requires_mfa(api_token.user) and not api_token.has_factor:
        raise ApiTokenRefused(str(MFA_NEEDED))
    if api_token.last_used_at is None or now - api_token.last_used_at > timedelta(minutes=1):
        ApiToken.objects.filter(pk=api_token.pk).update(last_used_at=now)
    return api_token.user

from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.views.decorators.http import require_POST

from partners import selectors, services
from partners.adapter import invitation_start
from partners.forms import ApiTokenForm, InvitationForm, OrganisationStatusForm, PartnerApplicationForm
from partners.models import ROLES_BY_KIND, OrganisationKind, PartnerApplication, Role
from partners.permissions import can_manage_members, can_manage_organisations
from portal.accounts.roles import is_policy_staff
from portal.errors import DomainError


def apply(request):
    form = PartnerApplicationForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        # Counted per application that would be stored (ACCOUNT_RATE_LIMITS, allauth's cache
        # counters, per client address), so a mistake in the form uses up nothing.
        if not ratelimit.consume(request, action="partner_application"):
            form.add_error(None, APPLY_LIMITED)
            return render(request, "partners/apply.html", {"form": form}, status=429)
        services.application_submit(request=request, **form.cleaned_data)
        return render(request, "partners/apply_done.html")
    return render(request, "partners/apply.html", {"form": form})


APPLY_LIMITED = (
    "Too many applications were sent from your network recently, so this one was not sent. "
    "Please try again later; what you wrote is kept below."
)


@login_required
def organisation_list(request):
    if not can_manage_organisations(request.user):
        raise PermissionDenied
    organisations = selectors.organisations_visible_to(request.user)
    page = Paginator(organisations, 50).get_page(request.GET.get("page"))
    applications = selectors.applications_visible_to(request.user).filter(status=PartnerApplication.Status.PENDING)
    return render(request, "partners/organisation_list.html", {"page": page, "applications": applications})


@login_required
@require_POST
def application_decide(request, pk: int, decision: str):
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    try:
        if decision == "accept":
            organisation = services.application_accept(by=request.user, application=application, request=request)
            messages.success(request, f"{organisation.name} created; its first member has been invited.")
        elif decision == "decline":
            services.application_decline(by=request.user, application=application, request=request)
            messages.info(request, f"The application from {application.organisation_name} was declined.")
        else:
            raise Http404
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("organisation-list")


def _organisation_for(request, slug: str):
    organisation = get_object_or_404(selectors.organisations_visible_to(request.user), slug=slug)
    return organisation


@login_required
def organisation_detail(request, slug: str):
    organisation = _organisation_for(request, slug)
    manage = can_manage_members(request.user, organisation)
    context = {
        "org": organisation,
        "can_manage": manage,
        "can_verify": can_manage_organisations(request.user),
        "members": selectors.members_of(organisation),
        "roles": _invitable_roles(request.user, organisation) if manage else [],
        "invitations": selectors.pending_invitations(organisation=organisation) if manage else [],
        "invite_form": InvitationForm(roles=_invitable_roles(request.user, organisation)) if manage else None,
        "status_form": OrganisationStatusForm(
            initial={"verified": organisation.verified, "trusted_flagger": organisation.trusted_flagger}
        ),
    }
    return render(request, "partners/organisation_detail.html", context)


def _invitable_roles(user, organisation):
    roles = ROLES_BY_KIND[OrganisationKind(organisation.kind)]
    if is_policy_staff(user):
        return roles
    return [r for r in roles if r in (Role.NGO_MEMBER, Role.NGO_ADMIN)]


@login_required
def invitation_new(request, slug: str):
    organisation = _organisation_for(request, slug)
    if not can_manage_members(request.user, organisation):
        raise PermissionDenied
    form = InvitationForm(request.POST or None, roles=_invitable_roles(request.user, organisation))
    if request.method == "POST" and form.is_valid():
        try:
            services.invitation_create(by=request.user, organisation=organisation, request=request, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, f"Invitation sent to {form.cleaned_data['email']}.")
            return redirect("organisation-detail", slug=organisation.slug)
    return render(request, "partners/invitation_new.html", {"org": organisation, "form": form})


@login_required
@require_POST
def organisation_status(request, slug: str):
    organisation = _organisation_for(request, slug)
    if not can_manage_organisations(request.user):
        raise PermissionDenied
    form = OrganisationStatusForm(request.POST)
    if form.is_valid():
        try:
            services.organisation_set_status(
                by=request.user, organisation=organisation, request=request, **form.cleaned_data
            )
            messages.success(request, "Organisation status saved.")
        except DomainError as exc:
            messages.error(request, exc.message)
    return redirect("organisation-detail", slug=organisation.slug)


@login_required
@require_POST
def member_role(request, slug: str, pk: int):
    organisation = _organisation_for(request, slug)
    if not can_manage_members(request.user, organisation):
        raise PermissionDenied
    membership = get_object_or_404(selectors.members_of(organisation), pk=pk)
    try:
        services.membership_change_role(
            by=request.user, membership=membership, role=request.POST.get("role", ""), request=request
        )
        messages.success(request, f"{membership.user.email} is now {membership.get_role_display()}.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("organisation-detail", slug=organisation.slug)


@login_required
@require_POST
def member_remove(request, slug: str, pk: int):
    organisation = _organisation_for(request, slug)
    if not can_manage_members(request.user, organisation):
        raise PermissionDenied
    membership = get_object_or_404(selectors.members_of(organisation), pk=pk)
    try:
        services.membership_remove(by=request.user, membership=membership, request=request)
        messages.success(request, f"{membership.user.email} was removed and their account deactivated.")
    except DomainError as exc:
        messages.error(request, exc.message)
    return redirect("organisation-detail", slug=organisation.slug)


def invitation_open(request, token: str):
    """The link in an invitation e-mail: check it, remember it, and go to sign-up."""
    if request.user.is_authenticated:
        messages.error(request, "You are already signed in. Sign out to accept an invitation for someone else.")
        return redirect("home")
    try:
        invitation = invitation_start(request, token)
    except DomainError as exc:
        return render(request, "partners/invitation_invalid.html", {"message": exc.message}, status=410)
    messages.info(
        request,
        f"You were invited to {invitation.organisation.name} as {invitation.get_role_display()}. "
        "Choose a password to finish.",
    )
    return redirect("account_signup")


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _, new_token = services.api_token_issue(user=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            form = ApiTokenForm()
    tokens = selectors.api_tokens_of(request.user)
    return render(request, "partners/api_tokens.html", {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    api_token = get_object_or_404(selectors.api_tokens_of(request.user), pk=pk)
    services.api_token_revoke(user=request.user, api_token=api_token, request=request)
    messages.success(request, f"Token “{api_token.name}” revoked.")
    return redirect("api-tokens")

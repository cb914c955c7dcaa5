from allauth.core import ratelimit
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_http_methods, require_POST

from partners import selectors, services
from partners.adapter import invitation_start
from partners.forms import ApiTokenForm, InvitationForm, OrganisationStatusForm, PartnerApplicationForm
from partners.models import PartnerApplication
from partners.permissions import can_manage_members, can_manage_organisations, roles_grantable_by
from partners.webhooks.permissions import can_manage_webhooks
from portal.actions import act, show_on_form
from portal.errors import DomainError, NotAllowed


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


APPLY_LIMITED = gettext_lazy(
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
@require_http_methods(["GET", "POST"])
def application_decide(request, pk: int, decision: str):
    """GET asks for confirmation (either answer is final and e-mails the applicant); POST decides."""
    application = get_object_or_404(selectors.applications_visible_to(request.user), pk=pk)
    if request.method == "GET":
        if decision not in ("accept", "decline"):
            raise Http404
        context = {"application": application, "decision": decision}
        return render(request, "partners/application_confirm.html", context)
    if decision == "accept":
        return act(
            request,
            lambda: services.application_accept(by=request.user, application=application, request=request),
            success=lambda organisation: (
                _("%(organisation)s created; its first member has been invited.") % {"organisation": organisation.name}
            ),
            redirect_to="organisation-list",
        )
    if decision == "decline":
        return act(
            request,
            lambda: services.application_decline(by=request.user, application=application, request=request),
            success=(
                messages.INFO,
                _("The application from %(organisation)s was declined.")
                % {"organisation": application.organisation_name},
            ),
            redirect_to="organisation-list",
        )
    raise Http404


def _organisation_for(request, slug: str):
    organisation = get_object_or_404(selectors.organisations_visible_to(request.user), slug=slug)
    return organisation


def _page(organisation) -> str:
    return reverse("organisation-detail", kwargs={"slug": organisation.slug})


def _membership_for(request, slug: str, pk: int):
    """A member of the organisation, for someone who manages its members (403 otherwise)."""
    organisation = _organisation_for(request, slug)
    if not can_manage_members(request.user, organisation):
        raise PermissionDenied
    return organisation, get_object_or_404(selectors.members_of(organisation), pk=pk)


@login_required
def organisation_detail(request, slug: str):
    return _detail(request, _organisation_for(request, slug))


def _detail(request, organisation, *, status: int = 200):
    manage = can_manage_members(request.user, organisation)
    roles = roles_grantable_by(request.user, organisation)
    context = {
        "org": organisation,
        "can_manage": manage,
        "can_verify": can_manage_organisations(request.user),
        "can_manage_webhooks": can_manage_webhooks(request.user)
        and request.user.membership.organisation_id == organisation.pk,
        "members": selectors.members_of(organisation),
        # Only the roles the viewer may grant are offered, and only on members holding one.
        "roles": roles,
        "invitations": selectors.pending_invitations(organisation=organisation) if manage else [],
        "status_form": OrganisationStatusForm(
            initial={"verified": organisation.verified, "trusted_flagger": organisation.trusted_flagger}
        ),
    }
    return render(request, "partners/organisation_detail.html", context, status=status)


@login_required
def invitation_new(request, slug: str):
    organisation = _organisation_for(request, slug)
    manage = can_manage_members(request.user, organisation)
    if request.method != "POST" and not manage:
        raise PermissionDenied
    form = InvitationForm(request.POST or None, roles=roles_grantable_by(request.user, organisation))
    if request.method == "POST" and not form.is_valid() and not manage:
        raise PermissionDenied
    if request.method == "POST" and form.is_valid():
        # The service decides who may grant which role (SPEC §2) and audits a refusal.
        try:
            services.invitation_create(by=request.user, organisation=organisation, request=request, **form.cleaned_data)
        except NotAllowed as exc:
            if not manage:
                return _refused(request, organisation, exc)
            form.add_error("role", exc.message)
        except DomainError as exc:
            form.add_error(exc.field if exc.field in form.fields else None, exc.message)
        else:
            messages.success(request, _("Invitation sent to %(email)s.") % {"email": form.cleaned_data["email"]})
            return redirect("organisation-detail", slug=organisation.slug)
    return render(request, "partners/invitation_new.html", {"org": organisation, "form": form})


@login_required
@require_POST
def organisation_status(request, slug: str):
    organisation = _organisation_for(request, slug)
    if not can_manage_organisations(request.user):
        raise PermissionDenied
    form = OrganisationStatusForm(request.POST)
    if not form.is_valid():
        return redirect(_page(organisation))
    return act(
        request,
        lambda: services.organisation_set_status(
            by=request.user, organisation=organisation, request=request, **form.cleaned_data
        ),
        success=_("Organisation status saved."),
        redirect_to=_page(organisation),
    )


def _refused(request, organisation, exc: NotAllowed):
    """A refused change of someone's role or membership: 403, with the reason on the page."""
    messages.error(request, exc.message)
    return _detail(request, organisation, status=403)


@login_required
@require_POST
def member_role(request, slug: str, pk: int):
    organisation = _organisation_for(request, slug)
    membership = get_object_or_404(selectors.members_of(organisation), pk=pk)
    # The service refuses (403 here) and audits whatever the caller may not change (SPEC §2).
    try:
        membership = services.membership_change_role(
            by=request.user, membership=membership, role=request.POST.get("role", ""), request=request
        )
    except NotAllowed as exc:
        return _refused(request, organisation, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request,
            _("%(email)s is now %(role)s.") % {"email": membership.user.email, "role": membership.get_role_display()},
        )
    return redirect("organisation-detail", slug=organisation.slug)


@login_required
@require_http_methods(["GET", "POST"])
def member_remove(request, slug: str, pk: int):
    """GET asks for confirmation (the account is deactivated); POST removes."""
    organisation, membership = _membership_for(request, slug, pk)
    if request.method == "GET":
        context = {"org": organisation, "membership": membership}
        return render(request, "partners/member_remove_confirm.html", context)
    try:
        services.membership_remove(by=request.user, membership=membership, request=request)
    except NotAllowed as exc:
        return _refused(request, organisation, exc)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(
            request, _("%(email)s was removed and their account deactivated.") % {"email": membership.user.email}
        )
    return redirect("organisation-detail", slug=organisation.slug)


def invitation_open(request, token: str):
    """The link in an invitation e-mail: check it, remember it, and go to sign-up."""
    if request.user.is_authenticated:
        messages.error(request, _("You are already signed in. Sign out to accept an invitation for someone else."))
        return redirect("home")
    try:
        invitation = invitation_start(request, token)
    except DomainError as exc:
        return render(request, "partners/invitation_invalid.html", {"message": exc.message}, status=410)
    messages.info(
        request,
        _("You were invited to %(organisation)s as %(role)s. Choose a password to finish.")
        % {"organisation": invitation.organisation.name, "role": invitation.get_role_display()},
    )
    return redirect("account_signup")


@login_required
def api_tokens(request):
    form = ApiTokenForm(request.POST or None)
    new_token = None
    if request.method == "POST" and form.is_valid():
        try:
            _token, new_token = services.api_token_issue(user=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            form = ApiTokenForm()
    tokens = selectors.api_tokens_of(request.user)
    return render(request, "partners/api_tokens.html", {"form": form, "tokens": tokens, "new_token": new_token})


@login_required
@require_POST
def api_token_revoke(request, pk: int):
    api_token = get_object_or_404(selectors.api_tokens_of(request.user), pk=pk)
    services.api_token_revoke(user=request.user, api_token=api_token, request=request)
    messages.success(request, _("Token “%(name)s” revoked.") % {"name": api_token.name})
    return redirect("api-tokens")

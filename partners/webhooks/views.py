"""The webhooks page of an organisation (SPEC §19), for its admins (an agency's liaisons)."""

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.http import Http404
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_http_methods, require_POST

from partners.webhooks import selectors, services
from partners.webhooks.forms import WebhookForm
from partners.webhooks.permissions import can_manage_webhooks
from portal.accounts.roles import membership_of
from portal.actions import act, show_on_form
from portal.errors import DomainError


def _organisation(request, slug: str):
    """The requester's own organisation (another one is a 404), if they manage its webhooks."""
    membership = membership_of(request.user)
    if membership is None or membership.organisation.slug != slug:
        raise Http404
    if not can_manage_webhooks(request.user):
        raise PermissionDenied
    return membership.organisation


def _page(organisation) -> str:
    return reverse("webhook-list", kwargs={"slug": organisation.slug})


def _webhook(request, slug: str, pk):
    organisation = _organisation(request, slug)
    return organisation, get_object_or_404(selectors.webhooks_visible_to(request.user), pk=pk)


def _list(request, organisation, *, form=None, new_secret=None, secret_for=None, status=200):
    context = {
        "org": organisation,
        "webhooks": selectors.webhooks_visible_to(request.user),
        "form": form or WebhookForm(),
        "new_secret": new_secret,
        "secret_for": secret_for,
    }
    return render(request, "partners/webhooks.html", context, status=status)


@login_required
@require_http_methods(["GET", "POST"])
def webhook_list(request, slug: str):
    """The organisation's webhooks and the form to add one; the new secret is shown once."""
    organisation = _organisation(request, slug)
    if request.method == "GET":
        return _list(request, organisation)
    form = WebhookForm(request.POST)
    if form.is_valid():
        try:
            webhook, secret = services.webhook_create(by=request.user, request=request, **form.cleaned_data)
        except DomainError as exc:
            show_on_form(form, exc)
        else:
            messages.success(request, _("Webhook added."))
            return _list(request, organisation, new_secret=secret, secret_for=webhook)
    return _list(request, organisation, form=form, status=400)


@login_required
def webhook_detail(request, slug: str, pk):
    """One webhook's delivery log, newest first."""
    organisation, webhook = _webhook(request, slug, pk)
    page = Paginator(selectors.deliveries_of(webhook), 50).get_page(request.GET.get("page"))
    return render(request, "partners/webhook_detail.html", {"org": organisation, "webhook": webhook, "page": page})


@login_required
@require_http_methods(["GET", "POST"])
def webhook_delete(request, slug: str, pk):
    """GET asks for confirmation; POST deletes."""
    organisation, webhook = _webhook(request, slug, pk)
    if request.method == "GET":
        return render(request, "partners/webhook_delete_confirm.html", {"org": organisation, "webhook": webhook})
    return act(
        request,
        lambda: services.webhook_delete(by=request.user, webhook=webhook, request=request),
        success=_("Webhook deleted."),
        redirect_to=_page(organisation),
    )


@login_required
@require_http_methods(["GET", "POST"])
def webhook_rotate(request, slug: str, pk):
    """GET asks for confirmation (the old secret stops working at once); POST shows the new one."""
    organisation, webhook = _webhook(request, slug, pk)
    if request.method == "GET":
        return render(request, "partners/webhook_rotate_confirm.html", {"org": organisation, "webhook": webhook})
    secret = services.webhook_rotate_secret(by=request.user, webhook=webhook, request=request)
    messages.success(request, _("The signing secret was replaced."))
    return _list(request, organisation, new_secret=secret, secret_for=webhook)


@login_required
@require_POST
def webhook_active(request, slug: str, pk):
    """Switch a webhook off (deliveries wait) or on again."""
    organisation, webhook = _webhook(request, slug, pk)
    active = request.POST.get("active") == "1"
    return act(
        request,
        lambda: services.webhook_update(by=request.user, webhook=webhook, active=active, request=request),
        success=_("Webhook switched on.") if active else _("Webhook switched off."),
        redirect_to=_page(organisation),
    )


@login_required
@require_POST
def delivery_redeliver(request, slug: str, pk, delivery_id):
    organisation, webhook = _webhook(request, slug, pk)
    delivery = get_object_or_404(selectors.deliveries_of(webhook), pk=delivery_id)
    delivery.webhook = webhook
    return act(
        request,
        lambda: services.webhook_delivery_redeliver(by=request.user, delivery=delivery, request=request),
        success=_("The delivery will be sent again in a moment."),
        redirect_to=reverse("webhook-detail", kwargs={"slug": organisation.slug, "pk": webhook.pk}),
    )

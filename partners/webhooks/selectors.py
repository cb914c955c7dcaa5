"""Reads of webhooks and their deliveries, scoped to the person asking."""

from django.contrib.auth import get_user_model

from partners.models import Membership, Webhook, WebhookDelivery
from partners.webhooks.permissions import WEBHOOK_MANAGER_ROLES, can_manage_webhooks


def webhooks_visible_to(user):
    """The webhooks of the user's own organisation, for those who manage them; else none."""
    if not can_manage_webhooks(user):
        return Webhook.objects.none()
    return Webhook.objects.filter(organisation_id=user.membership.organisation_id).order_by("created_at", "pk")


def deliveries_of(webhook: Webhook):
    """A webhook's deliveries, newest first (the log)."""
    return WebhookDelivery.objects.filter(webhook=webhook).order_by("-created_at", "-pk")


def webhook_managers(organisation_id: int):
    """The active people told when a delivery of the organisation's webhooks fails for good."""
    members = Membership.objects.filter(organisation_id=organisation_id, role__in=WEBHOOK_MANAGER_ROLES)
    return get_user_model().objects.filter(is_active=True, membership__in=members).order_by("pk")

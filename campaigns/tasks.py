"""Thin tasks: load by id and call the service that tells people."""

from celery import shared_task

from campaigns import services
from campaigns.models import CampaignPartner, ContentItemEvent


@shared_task(name="campaigns.tasks.notify_partner_invited", time_limit=60, soft_time_limit=50)
def notify_partner_invited(partner_id: int) -> None:
    partner = CampaignPartner.objects.select_related("campaign", "organisation").filter(pk=partner_id).first()
    if partner is not None:
        services.partner_notify_invited(partner=partner)


@shared_task(name="campaigns.tasks.notify_content_reviewed", time_limit=60, soft_time_limit=50)
def notify_content_reviewed(event_id: int) -> None:
    event = (
        ContentItemEvent.objects.select_related("item__campaign", "item__author", "item__organisation", "actor")
        .filter(pk=event_id)
        .first()
    )
    if event is not None:
        services.content_item_notify_reviewed(event=event)

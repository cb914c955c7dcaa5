"""The campaigns section of the home page."""

from django.db.models import Count

from campaigns.models import CampaignStatus, ContentStatus
from campaigns.permissions import can_manage_campaigns
from campaigns.selectors import campaign_invitations_for, campaigns_visible_to, content_items_visible_to
from portal.accounts.roles import is_ngo, organisation_of


def home_sections(user) -> list[tuple[str, dict]]:
    if can_manage_campaigns(user):
        counts = dict(
            campaigns_visible_to(user)
            .order_by()
            .values_list("status")
            .annotate(n=Count("id"))
            .values_list("status", "n")
        )
        awaiting = content_items_visible_to(user).filter(status=ContentStatus.IN_REVIEW).count()
        return [
            (
                "campaigns/home_section.html",
                {
                    "policy": True,
                    "by_status": [(value, label, counts.get(value, 0)) for value, label in CampaignStatus.choices],
                    "awaiting_review": awaiting,
                },
            )
        ]
    if not is_ngo(user):
        return []
    organisation = organisation_of(user)
    items = content_items_visible_to(user)
    return [
        (
            "campaigns/home_section.html",
            {
                "policy": False,
                "campaigns": list(
                    campaigns_visible_to(user).exclude(status=CampaignStatus.ARCHIVED).order_by("-start_date")[:5]
                ),
                "invitations": list(campaign_invitations_for(user)[:5]),
                "changes_requested": list(
                    items.filter(organisation=organisation, status=ContentStatus.CHANGES_REQUESTED)[:5]
                ),
                "approved_unpublished": list(
                    items.filter(organisation=organisation, status=ContentStatus.APPROVED)[:5]
                ),
            },
        )
    ]

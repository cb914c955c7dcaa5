"""Reads of campaigns, always scoped to the acting user.

Who sees what:
- policy staff (and superusers) see every campaign;
- members of an NGO see the campaigns where their organisation is an *accepted* partner;
- an NGO invited but not yet answering sees only the invitation (`campaign_invitations_for`):
  the campaign page then shows the title, dates and its role with accept/decline, nothing else;
- everyone else (liaisons, reviewers, queue leads, declined or uninvited NGOs) sees none → 404.

Content drafts are visible only to the organisation writing them; from submission on, every
item is visible to everyone who sees the campaign.
"""

import datetime as dt
from dataclasses import dataclass

from django.db.models import Count, Prefetch, Q, QuerySet, Sum
from django.utils import timezone
from django.utils.translation import gettext as _

from campaigns.models import (
    Campaign,
    CampaignPartner,
    CampaignStatus,
    ContentItem,
    ContentItemEvent,
    ContentStatus,
    MetricReport,
    PartnerStatus,
)
from campaigns.permissions import can_manage_campaigns
from portal.accounts.roles import is_ngo, organisation_of

SUPPRESSION_THRESHOLD = 5


def _partners_prefetch() -> Prefetch:
    return Prefetch("partners", queryset=CampaignPartner.objects.select_related("organisation"))


def campaigns_visible_to(user) -> QuerySet[Campaign]:
    base = Campaign.objects.select_related("owner").prefetch_related(_partners_prefetch())
    if can_manage_campaigns(user):
        return base
    organisation = organisation_of(user)
    if organisation is None or not is_ngo(user):
        return Campaign.objects.none()
    accepted = CampaignPartner.objects.filter(organisation=organisation, status=PartnerStatus.ACCEPTED)
    return base.filter(pk__in=accepted.values("campaign_id"))


def campaign_invitations_for(user) -> QuerySet[CampaignPartner]:
    """Open invitations the user's organisation may answer (NGO members only)."""
    organisation = organisation_of(user)
    if organisation is None or not is_ngo(user):
        return CampaignPartner.objects.none()
    return (
        CampaignPartner.objects.filter(organisation=organisation, status=PartnerStatus.INVITED)
        .exclude(campaign__status=CampaignStatus.ARCHIVED)
        .select_related("campaign", "organisation")
        .order_by("-invited_at")
    )


def partnerships_answerable_by(user) -> QuerySet[CampaignPartner]:
    """Partnerships the user's organisation answered or may answer; declined ones are gone (404)."""
    organisation = organisation_of(user)
    if organisation is None or not is_ngo(user):
        return CampaignPartner.objects.none()
    return CampaignPartner.objects.filter(
        organisation=organisation, status__in=[PartnerStatus.INVITED, PartnerStatus.ACCEPTED]
    ).select_related("campaign", "organisation")


def content_items_visible_to(user, *, campaign: Campaign | None = None) -> QuerySet[ContentItem]:
    items = ContentItem.objects.filter(campaign__in=campaigns_visible_to(user).values("pk"))
    if campaign is not None:
        items = items.filter(campaign=campaign)
    organisation = organisation_of(user)
    own_drafts = Q(organisation=organisation) if organisation is not None else Q(pk__in=[])
    items = items.filter(~Q(status=ContentStatus.DRAFT) | own_drafts)
    return items.select_related("campaign", "organisation", "author")


def content_item_history(item: ContentItem) -> QuerySet[ContentItemEvent]:
    return item.events.select_related("actor").order_by("at", "id")


def metric_reports_visible_to(user, *, campaign: Campaign) -> QuerySet[MetricReport]:
    if not campaigns_visible_to(user).filter(pk=campaign.pk).exists():
        return MetricReport.objects.none()
    return MetricReport.objects.filter(campaign=campaign).select_related("content_item", "organisation")


# --- Metrics ----------------------------------------------------------------------------------

COUNT_FIELDS = ("impressions", "engagements", "shares", "clicks")


def engagement_rate(engagements: int, impressions: int) -> float | None:
    """Engagements per impression in percent; None when nothing was seen."""
    if not impressions:
        return None
    return round(100 * engagements / impressions, 2)


def metric_totals(reports: QuerySet[MetricReport]) -> dict:
    totals = reports.aggregate(**{f: Sum(f) for f in COUNT_FIELDS}, reports=Count("id"))
    totals = {k: (v or 0) for k, v in totals.items()}
    totals["engagement_rate"] = engagement_rate(totals["engagements"], totals["impressions"])
    return totals


def metric_series(reports: QuerySet[MetricReport]) -> list[dict]:
    """One point per reporting period start: summed counts and the engagement rate."""
    rows = (
        reports.order_by().values("period_start").annotate(**{f: Sum(f) for f in COUNT_FIELDS}).order_by("period_start")
    )
    series = []
    for row in rows:
        point = {"date": row["period_start"], **{f: row[f] or 0 for f in COUNT_FIELDS}}
        point["engagement_rate"] = engagement_rate(point["engagements"], point["impressions"])
        series.append(point)
    return series


# --- Context panel ----------------------------------------------------------------------------


@dataclass(frozen=True)
class ContextRow:
    label: str
    during: str
    before: str
    change: str


def _suppressed(count: int) -> str:
    return "< 5" if count < SUPPRESSION_THRESHOLD else f"{count:,}"


def _change(during: int, before: int) -> str:
    if during < SUPPRESSION_THRESHOLD or before < SUPPRESSION_THRESHOLD:
        return "—"
    percent = round(100 * (during - before) / before)
    return f"{percent:+d} %"


def _day_start(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), dt.UTC)


def referral_context(campaign: Campaign, *, today: dt.date | None = None) -> dict:
    """Referral counts per theme in the campaign's countries, during it and the same span before.

    Aggregates only, and every count under 5 is shown as "< 5": the panel must not let a
    partner single out a referral. "During" runs to today while the campaign is under way.
    """
    from referrals.models import Category, Referral

    today = today or timezone.localdate()
    end = min(campaign.end_date, today)
    if end < campaign.start_date or not campaign.themes:
        return {"available": False, "started": end >= campaign.start_date, "rows": []}
    days = (end - campaign.start_date).days + 1
    during = (campaign.start_date, end)
    before = (campaign.start_date - dt.timedelta(days=days), campaign.start_date - dt.timedelta(days=1))

    def window(span):
        return Q(received_at__gte=_day_start(span[0]), received_at__lt=_day_start(span[1] + dt.timedelta(days=1)))

    referrals = Referral.objects.filter(category__in=campaign.themes)
    if campaign.countries:
        referrals = referrals.filter(country__in=campaign.countries)
    counts = {
        row["category"]: row
        for row in referrals.filter(window(during) | window(before))
        .order_by()
        .values("category")
        .annotate(during=Count("seq", filter=window(during)), before=Count("seq", filter=window(before)))
    }
    labels = dict(Category.choices)
    rows, total_during, total_before = [], 0, 0
    for theme in campaign.themes:
        row = counts.get(theme, {"during": 0, "before": 0})
        total_during += row["during"]
        total_before += row["before"]
        rows.append(
            ContextRow(
                labels.get(theme, theme),
                _suppressed(row["during"]),
                _suppressed(row["before"]),
                _change(row["during"], row["before"]),
            )
        )
    return {
        "available": True,
        "started": True,
        "during": during,
        "before": before,
        "days": days,
        "rows": rows,
        "total": ContextRow(
            _("All themes"), _suppressed(total_during), _suppressed(total_before), _change(total_during, total_before)
        ),
    }


def theme_labels(campaign: Campaign) -> list[str]:
    """The campaign's themes (referral categories) by their labels, in the campaign's order."""
    from referrals.models import Category

    labels = dict(Category.choices)
    return [labels.get(theme, theme) for theme in campaign.themes]


# --- Calendar ---------------------------------------------------------------------------------


def calendar_items(
    user, *, start: dt.date, end: dt.date, campaign: str = "", channel: str = "", language: str = ""
) -> list[ContentItem]:
    """Planned and published items between `start` and `end` (inclusive), by calendar day."""
    published_in = Q(published_at__gte=_day_start(start), published_at__lt=_day_start(end + dt.timedelta(days=1)))
    planned_in = Q(published_at__isnull=True, planned_for__gte=start, planned_for__lte=end)
    items = content_items_visible_to(user).exclude(status=ContentStatus.WITHDRAWN).filter(published_in | planned_in)
    if campaign:
        items = items.filter(campaign__slug=campaign)
    if channel:
        items = items.filter(channel=channel)
    if language:
        items = items.filter(language=language)
    return sorted(items, key=lambda i: (i.calendar_date, i.title))


def calendar_filter_choices(user) -> dict:
    campaigns = campaigns_visible_to(user).exclude(status=CampaignStatus.ARCHIVED).order_by("title")
    items = content_items_visible_to(user).order_by()
    return {
        "campaigns": list(campaigns.values_list("slug", "title")),
        "channels": sorted(set(items.values_list("channel", flat=True))),
        "languages": sorted(set(items.values_list("language", flat=True))),
    }

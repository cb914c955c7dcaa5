from django.contrib import admin

from campaigns.models import Campaign, CampaignPartner, ContentItem, ContentItemEvent, MetricReport


class PartnerInline(admin.TabularInline):
    model = CampaignPartner
    extra = 0
    raw_id_fields = ["invited_by", "responded_by"]
    # Status is changed through the services (accept/decline), not here.
    readonly_fields = ["status", "invited_at", "responded_at"]


@admin.register(Campaign)
class CampaignAdmin(admin.ModelAdmin):
    list_display = ["title", "status", "start_date", "end_date", "owner"]
    list_filter = ["status"]
    search_fields = ["title", "slug"]
    readonly_fields = ["status", "created_at", "updated_at"]
    raw_id_fields = ["owner"]
    inlines = [PartnerInline]


class EventInline(admin.TabularInline):
    model = ContentItemEvent
    extra = 0
    can_delete = False
    readonly_fields = ["at", "actor", "action", "from_status", "to_status", "comment"]


@admin.register(ContentItem)
class ContentItemAdmin(admin.ModelAdmin):
    list_display = ["title", "campaign", "organisation", "status", "channel", "language", "planned_for"]
    list_filter = ["status", "channel", "language"]
    search_fields = ["title"]
    readonly_fields = ["status", "published_at", "created_at", "updated_at"]
    raw_id_fields = ["author"]
    inlines = [EventInline]


@admin.register(MetricReport)
class MetricReportAdmin(admin.ModelAdmin):
    list_display = ["campaign", "period_start", "period_end", "impressions", "engagements", "organisation"]
    list_filter = ["campaign"]
    raw_id_fields = ["submitted_by", "content_item"]

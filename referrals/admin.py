from django.contrib import admin

from referrals.models import (
    BulkJob,
    Decision,
    Evidence,
    IdempotencyRecord,
    PreservationHold,
    Queue,
    Referral,
    RoutingRule,
    Subject,
    Target,
    TimelineEvent,
)


class TargetInline(admin.TabularInline):
    model = Target
    extra = 0
    raw_id_fields = ["subject"]
    readonly_fields = ["position", "url", "platform", "account", "content_id", "subject"]


class EvidenceInline(admin.TabularInline):
    model = Evidence
    extra = 0
    fields = ["original_name", "content_type", "size", "sha256", "uploaded_at", "file_deleted_at"]
    readonly_fields = fields
    can_delete = False


class TimelineInline(admin.TabularInline):
    model = TimelineEvent
    extra = 0
    fields = ["at", "type", "actor", "message"]
    readonly_fields = fields
    can_delete = False


@admin.register(Referral)
class ReferralAdmin(admin.ModelAdmin):
    # Status changes go through the services (timeline, audit, notifications), never here.
    list_display = ["reference", "kind", "category", "status", "organisation", "queue", "received_at"]
    list_filter = ["status", "kind", "category", "queue"]
    search_fields = ["=seq", "authority_reference", "targets__account"]
    list_select_related = ["organisation", "queue"]
    raw_id_fields = ["organisation", "submitted_by", "assignee", "renewal_of", "related", "queue"]
    readonly_fields = ["id", "status", "received_at", "routed_at", "due_at", "decided_at", "closed_at", "breached"]
    inlines = [TargetInline, EvidenceInline, TimelineInline]
    show_full_result_count = False


@admin.register(Subject)
class SubjectAdmin(admin.ModelAdmin):
    list_display = ["platform", "account", "created_at", "suspended_at"]
    search_fields = ["account"]
    list_filter = ["platform"]
    raw_id_fields = ["linked"]
    # Suspension is a decision's (referral_decide) and reinstatement a reversal's or an expiry's:
    # they keep the linked accounts' suspended_links, which an edit here would not.
    readonly_fields = ["suspended_at", "suspended_by"]


@admin.register(Evidence)
class EvidenceAdmin(admin.ModelAdmin):
    list_display = ["original_name", "referral", "content_type", "size", "uploaded_at", "file_deleted_at"]
    search_fields = ["sha256"]
    raw_id_fields = ["referral", "uploaded_by"]
    readonly_fields = ["stored_name", "sha256", "size", "content_type"]


@admin.register(BulkJob)
class BulkJobAdmin(admin.ModelAdmin):
    list_display = ["id", "owner", "status", "total", "processed", "created", "failed", "created_at"]
    list_filter = ["status"]
    raw_id_fields = ["owner", "organisation"]
    exclude = ["items"]


@admin.register(Queue)
class QueueAdmin(admin.ModelAdmin):
    list_display = ["slug", "name", "sla_minutes"]
    filter_horizontal = ["members"]


@admin.register(RoutingRule)
class RoutingRuleAdmin(admin.ModelAdmin):
    list_display = ["order", "name", "queue", "priority_boost", "enabled"]


admin.site.register(Decision, raw_id_fields=["referral", "decided_by", "applied_from"])
admin.site.register(PreservationHold, raw_id_fields=["referral", "subject"])
admin.site.register(IdempotencyRecord, list_display=["key", "endpoint", "user", "status_code", "created_at"])

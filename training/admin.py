from django.contrib import admin

from training.models import Event, Registration


class RegistrationInline(admin.TabularInline):
    model = Registration
    extra = 0
    raw_id_fields = ["user"]
    readonly_fields = ["created_at", "updated_at", "reminder_sent_at"]


@admin.register(Event)
class EventAdmin(admin.ModelAdmin):
    list_display = ["title", "format", "starts_at", "timezone", "capacity", "status"]
    list_filter = ["format", "status"]
    search_fields = ["title", "slug", "description"]
    date_hierarchy = "starts_at"
    raw_id_fields = ["organiser"]
    filter_horizontal = ["organisers"]
    readonly_fields = ["uid", "sequence", "created_at", "updated_at"]
    inlines = [RegistrationInline]


@admin.register(Registration)
class RegistrationAdmin(admin.ModelAdmin):
    list_display = ["user", "event", "status", "created_at", "reminder_sent_at"]
    list_filter = ["status"]
    search_fields = ["user__email", "event__title"]
    raw_id_fields = ["user", "event"]
    readonly_fields = ["created_at", "updated_at", "reminder_sent_at"]

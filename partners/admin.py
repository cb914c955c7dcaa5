from django.contrib import admin

from partners.models import ApiToken, Invitation, Membership, Organisation, PartnerApplication
from partners.services import membership_saved_in_admin


@admin.register(Organisation)
class OrganisationAdmin(admin.ModelAdmin):
    list_display = ["name", "kind", "country", "verified", "trusted_flagger"]
    list_filter = ["kind", "verified", "trusted_flagger"]
    search_fields = ["name", "slug"]
    prepopulated_fields = {"slug": ["name"]}


@admin.register(Membership)
class MembershipAdmin(admin.ModelAdmin):
    list_display = ["user", "organisation", "role"]
    list_filter = ["role", "organisation__kind"]
    search_fields = ["user__email", "organisation__name"]
    raw_id_fields = ["user"]

    def save_model(self, request, obj, form, change):
        old_role = form.initial.get("role") if change else None
        super().save_model(request, obj, form, change)
        membership_saved_in_admin(by=request.user, membership=obj, old_role=old_role, request=request)


@admin.register(Invitation)
class InvitationAdmin(admin.ModelAdmin):
    list_display = ["email", "organisation", "role", "status", "expires_at"]
    list_filter = ["status", "role"]
    exclude = ["token_hash"]
    readonly_fields = ["email", "organisation", "role", "invited_by", "created_at", "accepted_at"]


@admin.register(PartnerApplication)
class PartnerApplicationAdmin(admin.ModelAdmin):
    list_display = ["organisation_name", "kind", "country", "status", "created_at"]
    list_filter = ["status", "kind"]


@admin.register(ApiToken)
class ApiTokenAdmin(admin.ModelAdmin):
    list_display = ["name", "user", "prefix", "expires_at", "revoked_at", "last_used_at"]
    exclude = ["token_hash"]
    readonly_fields = ["user", "prefix", "created_at", "last_used_at"]

from django.urls import include, path

from partners import views

urlpatterns = [
    path("partners/apply/", views.apply, name="partner-apply"),
    path("partners/", views.organisation_list, name="organisation-list"),
    path("partners/applications/<int:pk>/<str:decision>/", views.application_decide, name="application-decide"),
    path("partners/invitations/<str:token>/", views.invitation_open, name="invitation-open"),
    path("partners/<slug:slug>/", views.organisation_detail, name="organisation-detail"),
    path("", include("partners.webhooks.urls")),
    path("partners/<slug:slug>/invite/", views.invitation_new, name="invitation-new"),
    path("partners/<slug:slug>/status/", views.organisation_status, name="organisation-status"),
    path("partners/<slug:slug>/members/<int:pk>/remove/", views.member_remove, name="member-remove"),
    path("partners/<slug:slug>/members/<int:pk>/role/", views.member_role, name="member-role"),
    path("account/api-tokens/", views.api_tokens, name="api-tokens"),
    path("account/api-tokens/<int:pk>/revoke/", views.api_token_revoke, name="api-token-revoke"),
]

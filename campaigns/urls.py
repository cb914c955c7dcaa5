from django.urls import path

from campaigns import views

# "new" and "calendar" come before "<slug>"; the services refuse them as slugs.
urlpatterns = [
    path("campaigns/", views.campaign_list, name="campaign-list"),
    path("campaigns/new/", views.campaign_new, name="campaign-new"),
    path("campaigns/calendar/", views.calendar, name="campaign-calendar"),
    path("campaigns/<slug:slug>/", views.campaign_detail, name="campaign-detail"),
    path("campaigns/<slug:slug>/edit/", views.campaign_edit, name="campaign-edit"),
    path("campaigns/<slug:slug>/status/", views.campaign_status, name="campaign-status"),
    path("campaigns/<slug:slug>/partners/", views.partner_invite, name="campaign-partner-invite"),
    path(
        "campaigns/<slug:slug>/partners/<slug:org_slug>/<str:answer>/",
        views.partner_answer,
        name="campaign-partner-answer",
    ),
    path("campaigns/<slug:slug>/content/new/", views.content_new, name="content-new"),
    path("campaigns/<slug:slug>/content/<uuid:item_id>/", views.content_detail, name="content-detail"),
    path("campaigns/<slug:slug>/content/<uuid:item_id>/<str:action>/", views.content_action, name="content-action"),
    path("campaigns/<slug:slug>/metrics/", views.metrics, name="campaign-metrics"),
    path("campaigns/<slug:slug>/metrics/upload/", views.metrics_upload, name="campaign-metrics-upload"),
]

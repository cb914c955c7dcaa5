from django.urls import path

from campaigns.api import views

urlpatterns = [
    path("campaigns/", views.CampaignListCreate.as_view(), name="api-campaigns"),
    path("campaigns/<slug:slug>/", views.CampaignDetail.as_view(), name="api-campaign"),
    path("campaigns/<slug:slug>/partners/", views.PartnerInvite.as_view(), name="api-campaign-partners"),
    path(
        "campaigns/<slug:slug>/partners/<slug:org_slug>/<str:answer>/",
        views.PartnerAnswer.as_view(),
        name="api-campaign-partner-answer",
    ),
    path("campaigns/<slug:slug>/content/", views.ContentListCreate.as_view(), name="api-campaign-content"),
    path(
        "campaigns/<slug:slug>/content/<uuid:item_id>/<str:action>/",
        views.ContentAction.as_view(),
        name="api-campaign-content-action",
    ),
    path("campaigns/<slug:slug>/metrics/", views.MetricListCreate.as_view(), name="api-campaign-metrics"),
]

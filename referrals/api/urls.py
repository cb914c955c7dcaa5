from django.urls import path

from referrals.api import views

# A flat list: the routing and review endpoints are appended below the intake block.
urlpatterns = [
    # --- Intake and tracking ---
    path("referrals/", views.ReferralListCreate.as_view(), name="api-referral-list"),
    path("referrals/bulk/", views.BulkCreate.as_view(), name="api-referral-bulk"),
    path("referrals/<uuid:id>/", views.ReferralDetail.as_view(), name="api-referral-detail"),
    path("referrals/<uuid:id>/events/", views.ReferralEvents.as_view(), name="api-referral-events"),
    path("referrals/<uuid:id>/evidence/", views.EvidenceUpload.as_view(), name="api-referral-evidence"),
    path(
        "referrals/<uuid:id>/evidence/<uuid:evidence_id>/",
        views.EvidenceDownload.as_view(),
        name="api-referral-evidence-download",
    ),
    path("referrals/<uuid:id>/withdraw/", views.ReferralWithdraw.as_view(), name="api-referral-withdraw"),
    path("referrals/<uuid:id>/messages/", views.ReferralMessages.as_view(), name="api-referral-messages"),
    path("jobs/<uuid:id>/", views.JobDetail.as_view(), name="api-job-detail"),
    # --- Routing and review ---
]

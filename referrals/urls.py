from django.urls import path

from referrals import views

urlpatterns = [
    # --- Intake and tracking (partner pages; the referral page is shared with reviewers) ---
    path("referrals/", views.referral_list, name="referral-list"),
    path("referrals/new/", views.referral_new, name="referral-new"),
    path("referrals/bulk/", views.bulk_upload, name="referral-bulk"),
    path("referrals/bulk/template.csv", views.bulk_template, name="referral-bulk-template"),
    path("referrals/bulk/<uuid:job_id>/", views.bulk_job, name="referral-bulk-job"),
    path("referrals/<str:reference>/", views.referral_detail, name="referral-detail"),
    path("referrals/<str:reference>/withdraw/", views.referral_withdraw, name="referral-withdraw"),
    path("referrals/<str:reference>/reply/", views.referral_reply, name="referral-reply"),
    path("referrals/<str:reference>/evidence/", views.referral_evidence_add, name="referral-evidence-add"),
    path(
        "referrals/<str:reference>/evidence/<uuid:evidence_id>/",
        views.evidence_download,
        name="referral-evidence-download",
    ),
    # --- Queues and subjects (routing and review) ---
]

from django.urls import path

from referrals.intake import views
from referrals.law_enforcement import views as le_views
from referrals.review import views as queue_views

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
    path("queues/", queue_views.queue_list, name="queue-list"),
    path("queues/<slug:slug>/", queue_views.queue_detail, name="queue-detail"),
    path("queues/<slug:slug>/claim/", queue_views.queue_claim, name="queue-claim"),
    path("queues/<slug:slug>/edit/", queue_views.queue_edit, name="queue-edit"),
    path("routing/rules/", queue_views.rule_list, name="rule-list"),
    path("routing/rules/new/", queue_views.rule_edit, name="rule-new"),
    path("routing/rules/<int:pk>/", queue_views.rule_edit, name="rule-edit"),
    path("routing/rules/<int:pk>/delete/", queue_views.rule_delete, name="rule-delete"),
    path("subjects/<uuid:id>/", queue_views.subject_detail, name="subject-detail"),
    path("statements-of-reasons/", queue_views.statement_list, name="statement-list"),
    path("statements-of-reasons/<str:puid>/resend/", queue_views.statement_resend, name="statement-resend"),
    path("referrals/<str:reference>/claim/", queue_views.referral_claim, name="referral-claim"),
    path("referrals/<str:reference>/release/", queue_views.referral_release, name="referral-release"),
    path("referrals/<str:reference>/request-info/", queue_views.referral_request_info, name="referral-request-info"),
    path("referrals/<str:reference>/decide/", queue_views.referral_decide, name="referral-decide"),
    path("referrals/<str:reference>/reassign/", queue_views.referral_reassign, name="referral-reassign"),
    # --- Law-enforcement requests: the liaison's desk (export, feedback, renewal) ---
    path("referrals/export.csv", le_views.requests_export, name="referral-export"),
    path("referrals/<str:reference>/feedback/", le_views.removal_order_feedback, name="referral-feedback"),
    path(
        "referrals/<str:reference>/feedback.json",
        le_views.removal_order_feedback_json,
        name="referral-feedback-json",
    ),
    path("referrals/<str:reference>/renew/", le_views.preservation_renew, name="referral-renew"),
]

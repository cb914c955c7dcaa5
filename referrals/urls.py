from django.urls import path

from referrals.crisis.views import bulletins as bulletin_views
from referrals.crisis.views import hashes as hash_views
from referrals.crisis.views import incidents as incident_views
from referrals.intake import views
from referrals.law_enforcement.views import desk as le_views
from referrals.law_enforcement.views import holds as hold_views
from referrals.law_enforcement.views import outbound as outbound_views
from referrals.law_enforcement.views import productions as production_views
from referrals.redress import views as redress_views
from referrals.review import views as queue_views
from referrals.review.views import bulk as bulk_views
from referrals.review.views import escalation as escalation_views
from referrals.review.views import insights as insight_views
from referrals.review.views import notes as note_views
from referrals.review.views import search as search_views
from referrals.review.views import templates as template_views
from referrals.review.views import wellbeing as wellbeing_views
from referrals.review.views import worklist as worklist_views
from referrals.surfacing import views as surfacing_views

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
    path("referrals/<str:reference>/messages/", views.referral_message, name="referral-messages"),
    path("referrals/<str:reference>/evidence/", views.referral_evidence_add, name="referral-evidence-add"),
    path(
        "referrals/<str:reference>/evidence/<uuid:evidence_id>/",
        views.evidence_download,
        name="referral-evidence-download",
    ),
    # Wellbeing (SPEC §15): blurred previews, one image revealed at a time.
    path(
        "referrals/<str:reference>/evidence/<uuid:evidence_id>/preview/",
        wellbeing_views.evidence_preview,
        name="referral-evidence-preview",
    ),
    path(
        "referrals/<str:reference>/evidence/<uuid:evidence_id>/reveal/",
        wellbeing_views.evidence_reveal,
        name="referral-evidence-reveal",
    ),
    path(
        "referrals/<str:reference>/evidence/<uuid:evidence_id>/conceal/",
        wellbeing_views.evidence_conceal,
        name="referral-evidence-conceal",
    ),
    path(
        "referrals/<str:reference>/evidence/<uuid:evidence_id>/original/",
        wellbeing_views.evidence_original,
        name="referral-evidence-original",
    ),
    # --- Queues and subjects (routing and review) ---
    path("queues/", queue_views.queue_list, name="queue-list"),
    # Decision templates (SPEC §15); before the queue pages, which take any slug.
    path("queues/templates/", template_views.template_list, name="template-list"),
    path("queues/templates/new/", template_views.template_edit, name="template-new"),
    path("queues/templates/<uuid:pk>/", template_views.template_edit, name="template-edit"),
    path("queues/templates/<uuid:pk>/delete/", template_views.template_delete, name="template-delete"),
    path("decisions/bulk/", bulk_views.bulk_decide, name="bulk-decide"),
    path("queues/exposure/", wellbeing_views.exposure_list, name="queue-exposure"),
    path("queues/insights/", insight_views.insights_page, name="queue-insights"),
    path("queues/insights.csv", insight_views.insights_csv, name="queue-insights-csv"),
    path("queues/<slug:slug>/", worklist_views.queue_detail, name="queue-detail"),
    path("queues/<slug:slug>/claim/", queue_views.queue_claim, name="queue-claim"),
    path("queues/<slug:slug>/edit/", queue_views.queue_edit, name="queue-edit"),
    path("routing/rules/", queue_views.rule_list, name="rule-list"),
    path("routing/rules/new/", queue_views.rule_edit, name="rule-new"),
    path("routing/rules/<int:pk>/", queue_views.rule_edit, name="rule-edit"),
    path("routing/rules/<int:pk>/delete/", queue_views.rule_delete, name="rule-delete"),
    path("subjects/", search_views.subject_search, name="subject-search"),
    # Networks and hubs (SPEC §14); hubs before subjects/<id>/.
    path("subjects/hubs/", surfacing_views.hubs_page, name="subject-hubs"),
    path("subjects/<uuid:id>/", queue_views.subject_detail, name="subject-detail"),
    path("subjects/<uuid:id>/network/", surfacing_views.network_page, name="subject-network"),
    path("subjects/<uuid:id>/network/signal/", surfacing_views.network_signal, name="subject-network-signal"),
    path("subjects/<uuid:id>/network/decide/", surfacing_views.network_decide, name="subject-network-decide"),
    path("statements-of-reasons/", queue_views.statement_list, name="statement-list"),
    path("statements-of-reasons/<str:puid>/resend/", queue_views.statement_resend, name="statement-resend"),
    path("referrals/<str:reference>/claim/", queue_views.referral_claim, name="referral-claim"),
    path("referrals/<str:reference>/release/", queue_views.referral_release, name="referral-release"),
    path("referrals/<str:reference>/request-info/", queue_views.referral_request_info, name="referral-request-info"),
    path("referrals/<str:reference>/decide/", queue_views.referral_decide, name="referral-decide"),
    path("referrals/<str:reference>/reassign/", queue_views.referral_reassign, name="referral-reassign"),
    path("referrals/<str:reference>/notes/", note_views.referral_notes, name="referral-notes"),
    path("referrals/<str:reference>/escalate/", escalation_views.referral_escalate, name="referral-escalate"),
    # --- Redress: appeals and complaints (SPEC §16) ---
    path("referrals/<str:reference>/appeal/", redress_views.referral_appeal, name="referral-appeal"),
    path("referrals/<str:reference>/complaint/", redress_views.referral_complaint, name="referral-complaint"),
    path("appeals/", redress_views.appeal_list, name="appeal-list"),
    path("appeals/<uuid:id>/", redress_views.appeal_detail, name="appeal-detail"),
    # --- Law-enforcement requests: the liaison's desk (export, feedback, renewal) ---
    path("referrals/export.csv", le_views.requests_export, name="referral-export"),
    path("referrals/<str:reference>/feedback/", le_views.removal_order_feedback, name="referral-feedback"),
    path(
        "referrals/<str:reference>/feedback.json",
        le_views.removal_order_feedback_json,
        name="referral-feedback-json",
    ),
    path("referrals/<str:reference>/renew/", le_views.preservation_renew, name="referral-renew"),
    # The TCO Art. 6 hold on a removal order, renewed by the agency; notices to agencies (SPEC §17).
    path("referrals/<str:reference>/hold/renew/", hold_views.tco_hold_renew_view, name="referral-hold-renew"),
    path("outbound-notices/", outbound_views.outbound_notice_list, name="outbound-notice-list"),
    path("outbound-notices/new/", outbound_views.outbound_notice_new, name="outbound-notice-new"),
    path("outbound-notices/<uuid:id>/", outbound_views.outbound_notice_detail, name="outbound-notice-detail"),
    path(
        "outbound-notices/<uuid:id>/acknowledge/",
        outbound_views.outbound_notice_acknowledge,
        name="outbound-notice-acknowledge",
    ),
    # Productions (SPEC §17): data delivered to the requesting agency.
    path("referrals/<str:reference>/productions/", production_views.production_add, name="referral-production-add"),
    path(
        "referrals/<str:reference>/productions/<uuid:production_id>/",
        production_views.production_download,
        name="referral-production-download",
    ),
    # --- Crisis mode: incidents, their live page and after-action report (SPEC §18) ---
    path("incidents/", incident_views.incident_list, name="incident-list"),
    path("incidents/new/", incident_views.incident_new, name="incident-new"),
    path("incidents/<slug:slug>/", incident_views.incident_detail, name="incident-detail"),
    path("incidents/<slug:slug>/close/", incident_views.incident_close, name="incident-close"),
    path("incidents/<slug:slug>/report/", incident_views.incident_report, name="incident-report"),
    path("incidents/<slug:slug>/report.csv", incident_views.incident_report_csv, name="incident-report-csv"),
    # --- Crisis mode: posting a bulletin, the hash list (SPEC §18) ---
    path("incidents/<slug:slug>/bulletins/", bulletin_views.incident_bulletin_post, name="incident-bulletin-post"),
    path("incidents/<slug:slug>/hashes.csv", hash_views.incident_hashes_csv, name="incident-hashes-csv"),
    path("incidents/<slug:slug>/hashes/", hash_views.incident_hashes_import, name="incident-hashes-import"),
]

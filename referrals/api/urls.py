from django.urls import path

from referrals.crisis.api import bulletins as bulletins_api
from referrals.crisis.api import hashes as hashes_api
from referrals.crisis.api import incidents as incidents_api
from referrals.intake.api import views
from referrals.law_enforcement.api import holds as holds_api
from referrals.law_enforcement.api import outbound as outbound_api
from referrals.law_enforcement.api import productions as productions_api
from referrals.law_enforcement.api import views as le_views
from referrals.redress import api as redress_api
from referrals.review.api import escalation as escalation_api
from referrals.review.api import insights as insights_api
from referrals.review.api import notes as notes_api
from referrals.review.api import search as search_api
from referrals.review.api import templates as templates_api
from referrals.review.api import views as review_views
from referrals.review.api import worklist as worklist_views
from referrals.surfacing.api import lookalike as lookalike_api
from referrals.surfacing.api import media as media_api
from referrals.surfacing.api import network as network_api

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
    path("queues/", review_views.QueueList.as_view(), name="api-queue-list"),
    path("queues/insights/", insights_api.QueueInsights.as_view(), name="api-queue-insights"),
    path("queues/<slug:slug>/referrals/", worklist_views.QueueReferrals.as_view(), name="api-queue-referrals"),
    path("queues/<slug:slug>/claim/", review_views.QueueClaim.as_view(), name="api-queue-claim"),
    path(
        "referrals/<uuid:id>/request-info/",
        review_views.ReferralRequestInfo.as_view(),
        name="api-referral-request-info",
    ),
    path("referrals/<uuid:id>/release/", review_views.ReferralRelease.as_view(), name="api-referral-release"),
    path("referrals/<uuid:id>/decision/", review_views.ReferralDecision.as_view(), name="api-referral-decision"),
    path(
        "referrals/<uuid:id>/statement-of-reasons/",
        review_views.ReferralStatementOfReasons.as_view(),
        name="api-referral-statement-of-reasons",
    ),
    path("statements-of-reasons/", review_views.StatementBatch.as_view(), name="api-statements-of-reasons"),
    path("subjects/", search_api.SubjectSearch.as_view(), name="api-subject-search"),
    # Surfacing (SPEC §14): before subjects/<id>/, so "hubs" is never read as an id.
    path("subjects/hubs/", network_api.Hubs.as_view(), name="api-subject-hubs"),
    path("subjects/<uuid:id>/", review_views.SubjectDetail.as_view(), name="api-subject-detail"),
    path("subjects/<uuid:id>/network/", network_api.SubjectNetwork.as_view(), name="api-subject-network"),
    path("templates/", templates_api.TemplateList.as_view(), name="api-template-list"),
    path("templates/<uuid:id>/", templates_api.TemplateDetail.as_view(), name="api-template-detail"),
    path("decisions/bulk/", templates_api.BulkDecisions.as_view(), name="api-decisions-bulk"),
    path("referrals/<uuid:id>/notes/", notes_api.ReferralNotes.as_view(), name="api-referral-notes"),
    path("referrals/<uuid:id>/escalate/", escalation_api.ReferralEscalate.as_view(), name="api-referral-escalate"),
    # --- Surfacing: near-duplicate media ---
    path("surfacing/media/", media_api.MediaCheck.as_view(), name="api-surfacing-media"),
    # --- Surfacing: look-alikes of suspended accounts ---
    path("surfacing/accounts/", lookalike_api.LookalikeCheck.as_view(), name="api-surfacing-accounts"),
    # --- Redress: appeals and complaints (SPEC §16) ---
    path("referrals/<uuid:id>/appeal/", redress_api.ReferralAppeal.as_view(), name="api-referral-appeal"),
    path("referrals/<uuid:id>/complaints/", redress_api.ReferralComplaints.as_view(), name="api-referral-complaints"),
    path("appeals/", redress_api.AppealList.as_view(), name="api-appeal-list"),
    path("appeals/<uuid:id>/", redress_api.AppealDetail.as_view(), name="api-appeal-detail"),
    path("appeals/<uuid:id>/decision/", redress_api.AppealDecision.as_view(), name="api-appeal-decision"),
    # --- Law-enforcement requests ---
    path("referrals/<uuid:id>/feedback/", le_views.ReferralFeedback.as_view(), name="api-referral-feedback"),
    path("referrals/<uuid:id>/hold/renew/", holds_api.TcoHoldRenew.as_view(), name="api-referral-hold-renew"),
    path("outbound-notices/", outbound_api.OutboundNoticeListCreate.as_view(), name="api-outbound-notice-list"),
    path("outbound-notices/<uuid:id>/", outbound_api.OutboundNoticeDetail.as_view(), name="api-outbound-notice-detail"),
    path(
        "outbound-notices/<uuid:id>/acknowledge/",
        outbound_api.OutboundNoticeAcknowledge.as_view(),
        name="api-outbound-notice-acknowledge",
    ),
    path(
        "referrals/<uuid:id>/productions/",
        productions_api.ReferralProductions.as_view(),
        name="api-referral-productions",
    ),
    path(
        "referrals/<uuid:id>/productions/<uuid:production_id>/",
        productions_api.ProductionDownload.as_view(),
        name="api-referral-production-download",
    ),
    # --- Crisis mode: incidents (SPEC §18) ---
    path("incidents/", incidents_api.IncidentListCreate.as_view(), name="api-incident-list"),
    path("incidents/<slug:slug>/", incidents_api.IncidentDetail.as_view(), name="api-incident-detail"),
    path("incidents/<slug:slug>/close/", incidents_api.IncidentClose.as_view(), name="api-incident-close"),
    path("incidents/<slug:slug>/report/", incidents_api.IncidentReport.as_view(), name="api-incident-report"),
    path("incidents/<slug:slug>/report.csv", incidents_api.IncidentReportCsv.as_view(), name="api-incident-report-csv"),
    # --- Crisis mode: an incident's bulletins to partners and its hash list (SPEC §18) ---
    path("incidents/<slug:slug>/bulletins/", bulletins_api.IncidentBulletins.as_view(), name="api-incident-bulletins"),
    path("incidents/<slug:slug>/hashes/", hashes_api.IncidentHashes.as_view(), name="api-incident-hashes"),
]

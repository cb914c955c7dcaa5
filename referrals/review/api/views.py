"""Queue, review, subject and statement-of-reasons endpoints of SPEC §9, §22 (platform roles).

Queues and subjects exist only for platform roles: anyone else gets 404. Review actions
fetch the referral through `referrals_visible_to` (outside scope → 404) and then check the
named permission (a partner acting on its own referral, or a reviewer who is not its
assignee → 403) before reading the body, so a refusal never depends on the input.
"""

from __future__ import annotations

from datetime import UTC, datetime

from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils import timezone
from django.utils.dateparse import parse_datetime
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.exceptions import NotFound
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.audit import audit
from portal.pagination import CursorPagination
from portal.permissions import permission_from
from referrals import selectors
from referrals.intake.api.serializers import ReferralSerializer
from referrals.models import Action, Decision, Ground, Referral
from referrals.review import selectors as queue_selectors
from referrals.review import statement_of_reasons as sor
from referrals.review.permissions import can_act_on, can_see_queues
from referrals.review.services import claims, decisions
from referrals.review.services import templates as template_services
from referrals.review.services.templates import DECISION_FIELDS
from referrals.review.workbench_selectors import templates_visible_to
from referrals.services.reads import law_enforcement_in

# --- Serializers -------------------------------------------------------------------------------


class QueueSerializer(serializers.Serializer):
    slug = serializers.CharField()
    name = serializers.CharField()
    sla_minutes = serializers.IntegerField()
    open_count = serializers.IntegerField()
    waiting_count = serializers.IntegerField(help_text="Routed and nobody has claimed it")
    breached_count = serializers.IntegerField()
    at_risk_count = serializers.IntegerField(help_text="Running clocks in the last 20 % of their time")
    oldest_due_at = serializers.DateTimeField(allow_null=True)
    is_member = serializers.BooleanField(help_text="Whether the caller may claim from it")


def _template_in_scope(serializer, value):
    """A template id of the request, as the template (400 on `template` when there is none)."""
    if value is None:
        return None
    template = templates_visible_to(serializer.context["request"].user).filter(pk=value).first()
    if template is None:
        raise serializers.ValidationError(_("No template has this id."))
    return template


class RequestInfoInputSerializer(serializers.Serializer):
    template = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A request-for-information template's id (SPEC §15): its text, filled in, when no message is given",
    )
    message = serializers.CharField(
        max_length=claims.MESSAGE_MAX, required=False, allow_blank=True, help_text="The question for the submitter"
    )

    validate_template = _template_in_scope

    def validate(self, data):
        if data.get("template") is None and not (data.get("message") or "").strip():
            raise serializers.ValidationError({"message": [_("This field is required.")]})
        return data


class DecisionInputSerializer(serializers.Serializer):
    """A decision; with `template`, the four fields it gives may be left out (those given win)."""

    template = serializers.UUIDField(
        required=False,
        allow_null=True,
        default=None,
        help_text="A decision template's id (SPEC §15): fills action, ground, policy and statement_of_reasons "
        "where they are not given; the statement's {account}, {platform}, {reference} and {policy} are filled in",
    )
    action = serializers.ChoiceField(choices=Action.choices, required=False)
    ground = serializers.ChoiceField(choices=Ground.choices, required=False)
    policy = serializers.CharField(max_length=300, required=False, help_text="The rule or legal provision")
    statement_of_reasons = serializers.CharField(
        min_length=decisions.STATEMENT_MIN, max_length=decisions.STATEMENT_MAX, trim_whitespace=True, required=False
    )
    territorial_scope = serializers.ListField(
        child=serializers.CharField(max_length=2, min_length=2),
        required=False,
        default=list,
        max_length=60,
        help_text="ISO 3166-1 alpha-2 codes of EEA countries (the 27 EU countries, IS, LI, NO); empty means "
        "everywhere, which the statement of reasons gives as all 30",
    )
    restriction_end = serializers.DateField(
        required=False, allow_null=True, default=None, help_text="At the latest 2038-01-01"
    )
    apply_to_subject = serializers.BooleanField(required=False, default=True)
    non_compliance_reason = serializers.ChoiceField(
        choices=Decision.NonComplianceReason.choices,
        required=False,
        allow_blank=True,
        default="",
        help_text="Required with unable_to_comply on a removal order",
    )

    validate_template = _template_in_scope

    def validate(self, data):
        if data.get("template") is None:
            missing = {name: [_("This field is required.")] for name in DECISION_FIELDS if not data.get(name)}
            if missing:
                raise serializers.ValidationError(missing)
        return data


class SubjectRefSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    platform = serializers.CharField()
    account = serializers.CharField()
    status = serializers.CharField()
    referral_count = serializers.IntegerField()


class SubjectReferralSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    reference = serializers.CharField()
    kind = serializers.CharField()
    category = serializers.CharField()
    status = serializers.CharField()
    received_at = serializers.DateTimeField()
    organisation = serializers.CharField(source="organisation.name")
    queue = serializers.CharField(source="queue.slug", allow_null=True, default=None)


class SubjectSerializer(serializers.Serializer):
    id = serializers.UUIDField()
    platform = serializers.CharField()
    account = serializers.CharField()
    status = serializers.CharField(help_text="active | suspended")
    suspended_at = serializers.DateTimeField(allow_null=True)
    suspended_by = serializers.CharField(source="suspended_by.reference", allow_null=True, default=None)
    referral_count = serializers.IntegerField(help_text="How many referrals name this account")
    referrals = SubjectReferralSerializer(many=True, help_text="The latest 50, newest first")
    more_referrals = serializers.CharField(
        allow_null=True, help_text="The full list (`/api/v1/referrals/?subject=<id>`) when there are more than 50"
    )
    linked_count = serializers.IntegerField(help_text="How many accounts were named together with this one")
    linked = SubjectRefSerializer(many=True, help_text="The first 50 (by id), with their status and referral count")


STATEMENT_FIELDS = {
    "puid": serializers.CharField(),
    "decision_visibility": serializers.ListField(child=serializers.CharField()),
    "end_date_visibility_restriction": serializers.DateField(allow_null=True),
    "decision_account": serializers.CharField(allow_null=True),
    "end_date_account_restriction": serializers.DateField(allow_null=True),
    "decision_ground": serializers.CharField(),
    "illegal_content_legal_ground": serializers.CharField(allow_null=True),
    "illegal_content_explanation": serializers.CharField(allow_null=True),
    "incompatible_content_ground": serializers.CharField(allow_null=True),
    "incompatible_content_explanation": serializers.CharField(allow_null=True),
    "decision_facts": serializers.CharField(),
    "category": serializers.CharField(),
    "category_specification": serializers.ListField(child=serializers.CharField()),
    "content_type": serializers.ListField(child=serializers.CharField()),
    "content_type_other": serializers.CharField(allow_null=True, help_text="Given whenever content_type is other"),
    "content_language": serializers.CharField(allow_null=True),
    "content_date": serializers.DateField(),
    "territorial_scope": serializers.ListField(child=serializers.CharField()),
    "application_date": serializers.DateField(),
    "source_type": serializers.CharField(),
    "automated_detection": serializers.CharField(),
    "automated_decision": serializers.CharField(),
}


StatementOfReasonsSerializer = inline_serializer("StatementOfReasons", STATEMENT_FIELDS)


# --- Helpers -----------------------------------------------------------------------------------


def _context(request) -> dict:
    return {"request": request, "platform": True}


def _referral(view: APIView, id) -> Referral:
    """The referral in the requester's scope (404 outside it), then the view's object permissions."""
    referral = get_object_or_404(selectors.referrals_visible_to(view.request.user), id=id)
    view.check_object_permissions(view.request, referral)
    return referral


def _reload(request, referral: Referral) -> Referral:
    return selectors.referrals_visible_to(request.user).get(pk=referral.pk)


def _instant(raw: str, field: str) -> datetime:
    """An ISO 8601 date and time from the query string (UTC without an offset), or a 400."""
    try:
        value = parse_datetime(raw.strip())
    except ValueError:
        value = None
    if value is None:
        raise serializers.ValidationError({field: [_("Give a date and time in ISO 8601, e.g. 2026-05-01T00:00:00Z.")]})
    return timezone.make_aware(value, UTC) if timezone.is_naive(value) else value


# --- Permissions -------------------------------------------------------------------------------

# Queues do not exist for partners (404, like any outsider).
SeesQueues = permission_from(can_see_queues, not_found=True)


def _acts_on(message):
    """Checked on the referral once fetched in scope, before the body is read (outside → 404)."""
    return permission_from(can_act_on, takes_object=True, message=message)


# After the lookup: a partner sees its own referral (403 here) but not another's (404).
ExportsStatements = permission_from(
    can_see_queues, after_lookup=True, message=gettext_lazy("The export is for platform staff.")
)


# --- Queues ------------------------------------------------------------------------------------


class QueueList(APIView):
    permission_classes = [IsAuthenticated, SeesQueues]

    @extend_schema(
        responses=QueueSerializer(many=True),
        description="Every queue with its counts (SPEC §9: a plain array; a handful of rows).",
    )
    def get(self, request):
        summaries = queue_selectors.queue_summaries(request.user)
        return Response(QueueSerializer(summaries, many=True).data)


# The work list (`GET /api/v1/queues/{slug}/referrals/`) is in referrals.review.api.worklist.


class QueueClaim(APIView):
    permission_classes = [IsAuthenticated]  # scope, then membership in the service

    @extend_schema(
        request=None,
        responses={200: ReferralSerializer, 204: OpenApiResponse(description="Nothing to claim")},
    )
    def post(self, request, slug):
        queue = queue_selectors.queue_for(request.user, slug)
        # The service checks queue membership first (NotAllowed → 403, before anything is read).
        referral = claims.referral_claim_next(by=request.user, queue=queue, request=request)
        if referral is None:
            return Response(status=status.HTTP_204_NO_CONTENT)
        return Response(ReferralSerializer(_reload(request, referral), context=_context(request)).data)


# --- Review actions ----------------------------------------------------------------------------


class ReferralRequestInfo(APIView):
    permission_classes = [
        IsAuthenticated,
        _acts_on(gettext_lazy("Only the assigned reviewer or a queue lead may ask.")),
    ]

    @extend_schema(request=RequestInfoInputSerializer, responses=ReferralSerializer)
    def post(self, request, id):
        referral = _referral(self, id)
        data = RequestInfoInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        referral = template_services.referral_request_info_with_template(
            by=request.user, referral=referral, request=request, **data.validated_data
        )
        return Response(ReferralSerializer(_reload(request, referral), context=_context(request)).data)


class ReferralRelease(APIView):
    permission_classes = [
        IsAuthenticated,
        _acts_on(gettext_lazy("Only the assigned reviewer or a queue lead may release.")),
    ]

    @extend_schema(request=None, responses=ReferralSerializer)
    def post(self, request, id):
        referral = _referral(self, id)
        referral = claims.referral_release(by=request.user, referral=referral, request=request)
        return Response(ReferralSerializer(_reload(request, referral), context=_context(request)).data)


class ReferralDecision(APIView):
    permission_classes = [
        IsAuthenticated,
        _acts_on(gettext_lazy("Only the assigned reviewer or a queue lead may decide.")),
    ]

    @extend_schema(
        request=DecisionInputSerializer,
        responses={200: ReferralSerializer, 400: OpenApiResponse(description="{field: [messages]}")},
        description="Decide (SPEC §4.6). 403 for anyone but the assignee or a queue lead; 409 once decided.",
    )
    def post(self, request, id):
        referral = _referral(self, id)
        data = DecisionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        template_services.referral_decide_with_template(
            by=request.user, referral=referral, request=request, **data.validated_data
        )
        return Response(ReferralSerializer(_reload(request, referral), context=_context(request)).data)


class ReferralStatementOfReasons(APIView):
    permission_classes = [IsAuthenticated, ExportsStatements]

    @extend_schema(
        responses={
            200: StatementOfReasonsSerializer,
            404: OpenApiResponse(description="No decision, or one that restricts nothing: `{detail}` says which"),
        },
        description="The decision as a statement of reasons the DSA Transparency Database accepts (SPEC §22). "
        "A referral closed by another referral's decision answers that decision's statement, with its `puid`.",
    )
    def get(self, request, id):
        referral = _referral(self, id)
        decision = sor.answering_decision(referral)
        if decision is None:
            raise NotFound(_("The referral is not decided, so it has no statement of reasons yet."))
        reason = sor.no_statement_reason(decision)
        if reason:
            raise NotFound(reason)
        decision = queue_selectors.statements_visible_to(request.user).get(pk=decision.pk)
        audit(
            "referral.statement_export",
            actor=request.user,
            obj=referral,
            organisation=referral.organisation,
            request=request,
        )
        return Response(sor.statement_for(decision))


class StatementPagination(CursorPagination):
    """`{"statements": [...], "next": url | null}`, at most 100 per page (SPEC §22): the body
    of the database's `POST /api/v1/statements`, and where to read on."""

    page_size = 100
    max_page_size = 100
    ordering = ("decided_at", "id")

    def get_paginated_response(self, data):
        return Response({"statements": data, "next": self.get_next_link()})

    def get_paginated_response_schema(self, schema):
        return {
            "type": "object",
            "required": ["statements", "next"],
            "properties": {"statements": schema, "next": {"type": "string", "format": "uri", "nullable": True}},
        }


class StatementBatch(ListAPIView):
    permission_classes = [IsAuthenticated, SeesQueues]
    pagination_class = StatementPagination

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "after",
                OpenApiTypes.DATETIME,
                description="Only decisions taken after this instant (ISO 8601; UTC when no offset is given)",
            )
        ],
        responses=StatementOfReasonsSerializer,
        description="One statement of reasons per decision that restricts something, in the order decided "
        "(SPEC §22). Platform roles only; anyone else gets 404.",
    )
    def get(self, request, *args, **kwargs):
        response = super().get(request, *args, **kwargs)
        audit(
            "statement.batch_export",
            actor=request.user,
            request=request,
            after=request.query_params.get("after", ""),
            count=len(response.data["statements"]),
        )
        return response

    def get_queryset(self):
        decisions = queue_selectors.statements_visible_to(self.request.user)
        raw = self.request.query_params.get("after")
        if raw:
            decisions = decisions.filter(decided_at__gt=_instant(raw, "after"))
        return decisions

    def list(self, request, *args, **kwargs):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response([sor.statement_for(decision) for decision in page])


# --- Subjects ----------------------------------------------------------------------------------


class SubjectDetail(APIView):
    permission_classes = [IsAuthenticated]  # subjects_visible_to is empty for partners: 404

    @extend_schema(responses=SubjectSerializer)
    def get(self, request, id):
        subject = get_object_or_404(queue_selectors.subjects_visible_to(request.user), pk=id)
        linked = queue_selectors.subject_linked(request.user, subject)
        data = {
            "id": subject.id,
            "platform": subject.platform,
            "account": subject.account,
            "status": subject.status,
            "suspended_at": subject.suspended_at,
            "suspended_by": subject.suspended_by,
            "referral_count": subject.referral_count,
            "referrals": list(queue_selectors.subject_referrals(request.user, subject)),
            "more_referrals": (
                f"{reverse('api-referral-list')}?subject={subject.id}"
                if subject.referral_count > queue_selectors.SUBJECT_LIST_SIZE
                else None
            ),
            "linked_count": queue_selectors.subject_linked_count(request.user, subject),
            "linked": list(linked[: queue_selectors.SUBJECT_LIST_SIZE]),
        }
        requests = law_enforcement_in(data["referrals"])
        audit(
            "subject.view",
            actor=request.user,
            obj=subject,
            request=request,
            references=[r.reference for r in requests],
            ids=[str(r.id) for r in requests],
        )
        return Response(SubjectSerializer(data).data)

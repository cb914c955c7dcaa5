"""Decision templates and bulk decisions in the API (SPEC §15).

`GET, POST /api/v1/templates/`, `GET, PATCH, DELETE /api/v1/templates/{id}/`: platform roles
read, queue leads write; the templates do not exist for partners (404).
`POST /api/v1/decisions/bulk/`: queue leads, and reviewers for the referrals assigned to them.
"""

from __future__ import annotations

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import OpenApiResponse, extend_schema, inline_serializer
from rest_framework import serializers, status
from rest_framework.generics import GenericAPIView
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from portal.pagination import CursorPagination
from portal.permissions import permission_from
from referrals.models import Action, Ground, Kind
from referrals.review.api.views import DecisionInputSerializer, SeesQueues
from referrals.review.permissions import can_decide_in_bulk, can_manage_templates
from referrals.review.services import bulk
from referrals.review.services import templates as template_services
from referrals.review.services.decisions import STATEMENT_MAX
from referrals.review.workbench_selectors import BULK_MAX, templates_visible_to

WritesTemplates = permission_from(
    can_manage_templates,
    methods={"POST", "PUT", "PATCH", "DELETE"},
    message=gettext_lazy("Only queue leads manage templates."),
)
DecidesInBulk = permission_from(
    can_decide_in_bulk, message=gettext_lazy("Only reviewers and queue leads decide referrals.")
)


class TemplateSerializer(serializers.Serializer):
    id = serializers.UUIDField(read_only=True)
    name = serializers.CharField(max_length=120)
    language = serializers.CharField(
        max_length=2, allow_blank=True, required=False, default="", help_text="ISO 639-1; empty: every language"
    )
    kinds = serializers.ListField(
        child=serializers.ChoiceField(choices=Kind.choices), required=False, default=list, help_text="Empty: all"
    )
    action = serializers.ChoiceField(
        choices=Action.choices,
        allow_blank=True,
        required=False,
        default="",
        help_text="Empty: a template for requests for information",
    )
    ground = serializers.ChoiceField(choices=Ground.choices, allow_blank=True, required=False, default="")
    policy = serializers.CharField(max_length=300, allow_blank=True, required=False, default="")
    statement_of_reasons = serializers.CharField(
        max_length=STATEMENT_MAX, help_text="May hold {account}, {platform}, {reference} and {policy}"
    )


class TemplatePagination(CursorPagination):
    # By creation, not by name: a cursor's position must not move when a template is renamed.
    ordering = "-created_at"


class TemplateList(GenericAPIView):
    permission_classes = [IsAuthenticated, SeesQueues, WritesTemplates]
    serializer_class = TemplateSerializer
    pagination_class = TemplatePagination

    def get_queryset(self):
        return templates_visible_to(self.request.user)

    @extend_schema(responses=TemplateSerializer(many=True))
    def get(self, request):
        page = self.paginate_queryset(self.get_queryset())
        return self.get_paginated_response(TemplateSerializer(page, many=True).data)

    @extend_schema(request=TemplateSerializer, responses={201: TemplateSerializer})
    def post(self, request):
        data = TemplateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        template = template_services.template_create(by=request.user, request=request, **data.validated_data)
        return Response(TemplateSerializer(template).data, status=status.HTTP_201_CREATED)


class TemplateDetail(APIView):
    permission_classes = [IsAuthenticated, SeesQueues, WritesTemplates]

    def _template(self, id):
        return get_object_or_404(templates_visible_to(self.request.user), pk=id)

    @extend_schema(responses=TemplateSerializer)
    def get(self, request, id):
        return Response(TemplateSerializer(self._template(id)).data)

    @extend_schema(request=TemplateSerializer, responses=TemplateSerializer)
    def patch(self, request, id):
        template = self._template(id)
        data = TemplateSerializer(template, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        template = template_services.template_update(
            by=request.user, template=template, request=request, **data.validated_data
        )
        return Response(TemplateSerializer(template).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, id):
        template_services.template_delete(by=request.user, template=self._template(id), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class BulkDecisionInputSerializer(DecisionInputSerializer):
    referrals = serializers.ListField(
        child=serializers.UUIDField(), min_length=1, max_length=BULK_MAX, help_text="Referral ids, at most 500"
    )


BulkDecisionResultSerializer = inline_serializer(
    "BulkDecisionResult",
    {
        "decided": serializers.ListField(child=serializers.UUIDField()),
        "skipped": inline_serializer(
            "BulkDecisionSkipped",
            {
                "id": serializers.CharField(),
                "reason": serializers.CharField(),
                "code": serializers.CharField(
                    help_text="not_found | not_assigned | legal_kind | closed | template | invalid | refused"
                ),
            },
            many=True,
        ),
    },
)


class BulkDecisions(APIView):
    permission_classes = [IsAuthenticated, SeesQueues, DecidesInBulk]

    @extend_schema(
        request=BulkDecisionInputSerializer,
        responses={200: BulkDecisionResultSerializer, 400: OpenApiResponse(description="{field: [messages]}")},
        description="Decide many referrals at once (SPEC §15), each in its own transaction as if decided alone. "
        "Queue leads decide any open referral, reviewers those assigned to them; removal orders, preservation "
        "and emergency requests only when assigned to the caller. What is not decided is in `skipped`.",
    )
    def post(self, request):
        data = BulkDecisionInputSerializer(data=request.data, context={"request": request})
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        ids = fields.pop("referrals")
        result = bulk.decisions_bulk(by=request.user, ids=ids, request=request, **fields)
        return Response(
            {
                "decided": [str(r.id) for r in result.decided],
                "skipped": [{"id": str(s.id), "reason": s.reason, "code": s.code} for s in result.skipped],
            }
        )

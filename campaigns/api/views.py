"""Campaign API (SPEC §9): input serializer → service → output serializer, scoped by selectors."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import OpenApiParameter, extend_schema
from rest_framework import generics, status
from rest_framework.exceptions import NotFound
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from campaigns import selectors, services
from campaigns.api.serializers import (
    CampaignInputSerializer,
    CampaignSerializer,
    ContentActionSerializer,
    ContentItemInputSerializer,
    ContentItemSerializer,
    MetricReportInputSerializer,
    MetricReportSerializer,
    PartnerInviteSerializer,
    PartnerSerializer,
)
from campaigns.models import CampaignStatus, ContentItem, ContentStatus, MetricReport
from campaigns.permissions import can_manage_campaigns, can_report_metrics, can_write_content
from portal.pagination import CursorPagination
from portal.permissions import permission_from


class CreatedCursorPagination(CursorPagination):
    ordering = "-created_at"


def _campaign(view: APIView, slug: str):
    """The campaign in the requester's scope (404 outside it), then the view's object permissions."""
    campaign = get_object_or_404(selectors.campaigns_visible_to(view.request.user), slug=slug)
    view.check_object_permissions(view.request, campaign)
    return campaign


CreatesCampaigns = permission_from(
    can_manage_campaigns, methods={"POST"}, message=_("Only policy staff create campaigns.")
)
# The rest are asked once the campaign is fetched, so an organisation outside it hears 404, not 403.
EditsCampaigns = permission_from(
    can_manage_campaigns, methods={"PATCH"}, after_lookup=True, message=_("Only policy staff edit campaigns.")
)
InvitesPartners = permission_from(
    can_manage_campaigns, methods={"POST"}, after_lookup=True, message=_("Only policy staff invite campaign partners.")
)
WritesContent = permission_from(
    can_write_content,
    methods={"POST"},
    takes_object=True,
    message=_("Only members of the campaign's partner organisations write content."),
)
ReportsMetrics = permission_from(
    can_report_metrics,
    methods={"POST"},
    takes_object=True,
    message=_("Only policy staff and the campaign's partners report metrics."),
)


@extend_schema(
    parameters=[OpenApiParameter("status", str, enum=CampaignStatus.values, required=False)],
)
class CampaignListCreate(generics.ListAPIView):
    permission_classes = [IsAuthenticated, CreatesCampaigns]
    serializer_class = CampaignSerializer

    def get_queryset(self):
        campaigns = selectors.campaigns_visible_to(self.request.user)
        wanted = self.request.query_params.get("status")
        if wanted:
            campaigns = campaigns.filter(status=wanted)
        return campaigns

    @extend_schema(request=CampaignInputSerializer, responses={201: CampaignSerializer})
    def post(self, request):
        data = CampaignInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = {k: v for k, v in data.validated_data.items() if k != "status"}
        campaign = services.campaign_create(by=request.user, request=request, **fields)
        campaign = selectors.campaigns_visible_to(request.user).get(pk=campaign.pk)
        return Response(CampaignSerializer(campaign).data, status=status.HTTP_201_CREATED)


class CampaignDetail(APIView):
    permission_classes = [IsAuthenticated, EditsCampaigns]

    @extend_schema(responses=CampaignSerializer)
    def get(self, request, slug: str):
        return Response(CampaignSerializer(_campaign(self, slug)).data)

    @extend_schema(request=CampaignInputSerializer, responses=CampaignSerializer)
    def patch(self, request, slug: str):
        campaign = _campaign(self, slug)
        data = CampaignInputSerializer(campaign, data=request.data, partial=True)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        new_status = fields.pop("status", None)
        from django.db import transaction

        with transaction.atomic():
            if fields:
                campaign = services.campaign_update(by=request.user, campaign=campaign, request=request, **fields)
            if new_status is not None and new_status != campaign.status:
                campaign = services.campaign_change_status(
                    by=request.user, campaign=campaign, status=new_status, request=request
                )
        campaign = selectors.campaigns_visible_to(request.user).get(pk=campaign.pk)
        return Response(CampaignSerializer(campaign).data)


class PartnerInvite(APIView):
    permission_classes = [IsAuthenticated, InvitesPartners]

    @extend_schema(request=PartnerInviteSerializer, responses={201: PartnerSerializer})
    def post(self, request, slug: str):
        campaign = _campaign(self, slug)
        data = PartnerInviteSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        partner = services.partner_invite(by=request.user, campaign=campaign, request=request, **data.validated_data)
        return Response(PartnerSerializer(partner).data, status=status.HTTP_201_CREATED)


class PartnerAnswer(APIView):
    permission_classes = [IsAuthenticated]  # the partnership is fetched among those the requester may answer

    @extend_schema(
        operation_id="campaigns_partners_answer",
        request=None,
        responses=PartnerSerializer,
        parameters=[OpenApiParameter("answer", str, OpenApiParameter.PATH, enum=["accept", "decline"])],
    )
    def post(self, request, slug: str, org_slug: str, answer: str):
        if answer not in ("accept", "decline"):
            raise NotFound
        partner = get_object_or_404(
            selectors.partnerships_answerable_by(request.user), campaign__slug=slug, organisation__slug=org_slug
        )
        service = services.partner_accept if answer == "accept" else services.partner_decline
        partner = service(by=request.user, partner=partner, request=request)
        return Response(PartnerSerializer(partner).data)


class ContentListCreate(generics.ListAPIView):
    permission_classes = [IsAuthenticated, WritesContent]
    serializer_class = ContentItemSerializer
    pagination_class = CreatedCursorPagination

    @extend_schema(parameters=[OpenApiParameter("status", str, enum=ContentStatus.values, required=False)])
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return ContentItem.objects.none()
        campaign = _campaign(self, self.kwargs["slug"])
        items = selectors.content_items_visible_to(self.request.user, campaign=campaign).prefetch_related(
            "events__actor"
        )
        wanted = self.request.query_params.get("status")
        if wanted:
            items = items.filter(status=wanted)
        return items

    @extend_schema(request=ContentItemInputSerializer, responses={201: ContentItemSerializer})
    def post(self, request, slug: str):
        campaign = _campaign(self, slug)
        data = ContentItemInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        item = services.content_item_create(by=request.user, campaign=campaign, request=request, **data.validated_data)
        return Response(ContentItemSerializer(item).data, status=status.HTTP_201_CREATED)


CONTENT_ACTIONS = {
    "submit": "content_item_submit",
    "approve": "content_item_approve",
    "request-changes": "content_item_request_changes",
    "publish": "content_item_publish",
    "withdraw": "content_item_withdraw",
}


class ContentAction(APIView):
    permission_classes = [IsAuthenticated]  # who may take which step is the services' business

    @extend_schema(
        operation_id="campaigns_content_action",
        request=ContentActionSerializer,
        responses=ContentItemSerializer,
        parameters=[OpenApiParameter("action", str, OpenApiParameter.PATH, enum=list(CONTENT_ACTIONS))],
    )
    def post(self, request, slug: str, item_id, action: str):
        if action not in CONTENT_ACTIONS:
            raise NotFound
        campaign = _campaign(self, slug)
        item = get_object_or_404(selectors.content_items_visible_to(request.user, campaign=campaign), pk=item_id)
        data = ContentActionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        if action == "publish":
            kwargs = {"published_url": data.validated_data["published_url"]}
        else:
            kwargs = {"comment": data.validated_data["comment"]}
        item = getattr(services, CONTENT_ACTIONS[action])(by=request.user, item=item, request=request, **kwargs)
        item = selectors.content_items_visible_to(request.user).prefetch_related("events__actor").get(pk=item.pk)
        return Response(ContentItemSerializer(item).data)


class MetricListCreate(generics.ListAPIView):
    permission_classes = [IsAuthenticated, ReportsMetrics]
    serializer_class = MetricReportSerializer

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return MetricReport.objects.none()
        campaign = _campaign(self, self.kwargs["slug"])
        return selectors.metric_reports_visible_to(self.request.user, campaign=campaign)

    @extend_schema(request=MetricReportInputSerializer, responses={201: MetricReportSerializer})
    def post(self, request, slug: str):
        campaign = _campaign(self, slug)
        data = MetricReportInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        report = services.metric_report_create(
            by=request.user, campaign=campaign, request=request, **data.validated_data
        )
        return Response(MetricReportSerializer(report).data, status=status.HTTP_201_CREATED)

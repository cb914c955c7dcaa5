"""`GET /api/v1/queues/{slug}/referrals/`: a queue's work list (SPEC §9, §15), platform roles.

In priority order, one part of the list at a time (`status`), filtered by `kind`,
`category`, `language` and `country` (an unknown code: 400 `{field: [messages]}`), each
referral with its first account. A fixed number of queries whatever the page's length.
"""

from __future__ import annotations

from django.utils.translation import gettext as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_field
from rest_framework import serializers
from rest_framework.generics import ListAPIView
from rest_framework.permissions import IsAuthenticated

from portal.pagination import CursorPagination
from referrals.intake.api.serializers import ReferralSerializer
from referrals.models import Referral, Status
from referrals.review import selectors as queue_selectors
from referrals.review.worklist_filter import WorklistFilter
from referrals.services.reads import referrals_read_audit


class FirstAccountSerializer(serializers.Serializer):
    platform = serializers.CharField()
    account = serializers.CharField(help_text="Empty when the target names content without an account")
    subject = serializers.UUIDField(source="subject_id", allow_null=True)


class WorkItemSerializer(ReferralSerializer):
    """A referral as the work list shows it: the referral, and the account a reviewer scans for."""

    first_account = serializers.SerializerMethodField()

    class Meta(ReferralSerializer.Meta):
        fields = [*ReferralSerializer.Meta.fields, "first_account"]
        read_only_fields = fields

    @extend_schema_field(FirstAccountSerializer(allow_null=True))
    def get_first_account(self, referral):
        # Read from the prefetched targets (in position order): no query per row.
        targets = list(referral.targets.all())
        return FirstAccountSerializer(targets[0]).data if targets else None


class WorklistPagination(CursorPagination):
    ordering = queue_selectors.WORKLIST_ORDER


class QueueReferrals(ListAPIView):
    permission_classes = [IsAuthenticated]  # the queue is fetched in scope: 404 for partners
    serializer_class = WorkItemSerializer
    pagination_class = WorklistPagination
    filterset_class = WorklistFilter

    @extend_schema(
        parameters=[
            OpenApiParameter(
                "status",
                OpenApiTypes.STR,
                enum=list(queue_selectors.WORKLIST_TABS.values()),
                description="Which part of the work list (default: routed, waiting to be claimed)",
            )
        ],
        description="A queue's referrals in priority order (SPEC §9, §15), each with its first account. "
        "Filters: kind, category, language (ISO 639-1), country (ISO 3166-1); an unknown value is a 400.",
    )
    def get(self, request, *args, **kwargs):
        return super().get(request, *args, **kwargs)

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):  # schema generation has no queue
            return Referral.objects.none()
        queue = queue_selectors.queue_for(self.request.user, self.kwargs["slug"])
        wanted = self.request.query_params.get("status", Status.ROUTED)
        tabs = {status: tab for tab, status in queue_selectors.WORKLIST_TABS.items()}
        if wanted not in tabs:
            raise serializers.ValidationError(
                {"status": [_("Choose one of: %(values)s.") % {"values": ", ".join(tabs)}]}
            )
        return queue_selectors.worklist(self.request.user, queue, tab=tabs[wanted])

    def get_serializer_context(self):
        return {**super().get_serializer_context(), "platform": True}

    def paginate_queryset(self, queryset):
        page = super().paginate_queryset(queryset)
        request = self.request
        filters = {
            "queue": self.kwargs["slug"],
            "status": request.query_params.get("status", Status.ROUTED),
            **WorklistFilter(request.query_params, request=request).applied,
        }
        referrals_read_audit(
            user=request.user, referrals=page or (), view="api.worklist", filters=filters, request=request
        )
        return page

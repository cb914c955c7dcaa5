"""Webhook API (SPEC §19, a Contract): input serializer → service → output serializer, scoped
to the requester's own organisation (another organisation's webhook is a 404)."""

from django.shortcuts import get_object_or_404
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema
from rest_framework import generics, serializers, status
from rest_framework.permissions import IsAuthenticated
from rest_framework.response import Response
from rest_framework.views import APIView

from partners.models import Webhook, WebhookDelivery, WebhookEvent
from partners.webhooks import selectors, services
from partners.webhooks.permissions import can_manage_webhooks
from portal.pagination import CursorPagination
from portal.permissions import permission_from

ManagesWebhooks = permission_from(
    can_manage_webhooks, message=_("Only an NGO's admins and an agency's liaisons manage its webhooks.")
)


class WebhookSerializer(serializers.ModelSerializer):
    events = serializers.ListField(child=serializers.ChoiceField(choices=WebhookEvent.choices))

    class Meta:
        model = Webhook
        fields = ["id", "url", "events", "active"]


class WebhookWithSecretSerializer(WebhookSerializer):
    """Only in the answer that creates the webhook or rotates its secret: it is not shown again."""

    secret = serializers.CharField()

    class Meta(WebhookSerializer.Meta):
        fields = [*WebhookSerializer.Meta.fields, "secret"]


class WebhookInputSerializer(serializers.Serializer):
    # Checked by the service (https, public address, known events), which answers per field.
    url = serializers.CharField(max_length=2000, trim_whitespace=True)
    events = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20)


class WebhookUpdateSerializer(serializers.Serializer):
    events = serializers.ListField(child=serializers.CharField(max_length=40), max_length=20, required=False)
    active = serializers.BooleanField(required=False)


class DeliverySerializer(serializers.ModelSerializer):
    class Meta:
        model = WebhookDelivery
        fields = [
            "id",
            "type",
            "state",
            "status_code",
            "attempts",
            "last_error",
            "created_at",
            "delivered_at",
            "next_attempt_at",
        ]


class CreatedOrder(CursorPagination):
    ordering = "created_at"


class NewestFirst(CursorPagination):
    ordering = "-created_at"


def _webhook(request, webhook_id) -> Webhook:
    return get_object_or_404(selectors.webhooks_visible_to(request.user), pk=webhook_id)


class WebhookListCreate(generics.ListAPIView):
    permission_classes = [IsAuthenticated, ManagesWebhooks]
    serializer_class = WebhookSerializer
    pagination_class = CreatedOrder

    def get_queryset(self):
        return selectors.webhooks_visible_to(self.request.user)

    @extend_schema(request=WebhookInputSerializer, responses={201: WebhookWithSecretSerializer})
    def post(self, request):
        data = WebhookInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        webhook, secret = services.webhook_create(by=request.user, request=request, **data.validated_data)
        webhook.secret = secret
        return Response(WebhookWithSecretSerializer(webhook).data, status=status.HTTP_201_CREATED)


class WebhookDetail(APIView):
    permission_classes = [IsAuthenticated, ManagesWebhooks]

    @extend_schema(responses=WebhookSerializer)
    def get(self, request, webhook_id):
        return Response(WebhookSerializer(_webhook(request, webhook_id)).data)

    @extend_schema(request=WebhookUpdateSerializer, responses=WebhookSerializer)
    def patch(self, request, webhook_id):
        webhook = _webhook(request, webhook_id)
        data = WebhookUpdateSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        webhook = services.webhook_update(by=request.user, webhook=webhook, request=request, **data.validated_data)
        return Response(WebhookSerializer(webhook).data)

    @extend_schema(request=None, responses={204: None})
    def delete(self, request, webhook_id):
        services.webhook_delete(by=request.user, webhook=_webhook(request, webhook_id), request=request)
        return Response(status=status.HTTP_204_NO_CONTENT)


class WebhookRotateSecret(APIView):
    permission_classes = [IsAuthenticated, ManagesWebhooks]

    @extend_schema(operation_id="webhooks_rotate_secret", request=None, responses=WebhookWithSecretSerializer)
    def post(self, request, webhook_id):
        webhook = _webhook(request, webhook_id)
        secret = services.webhook_rotate_secret(by=request.user, webhook=webhook, request=request)
        webhook.secret = secret
        return Response(WebhookWithSecretSerializer(webhook).data)


class DeliveryList(generics.ListAPIView):
    permission_classes = [IsAuthenticated, ManagesWebhooks]
    serializer_class = DeliverySerializer
    pagination_class = NewestFirst

    def get_queryset(self):
        if getattr(self, "swagger_fake_view", False):
            return WebhookDelivery.objects.none()
        return selectors.deliveries_of(_webhook(self.request, self.kwargs["webhook_id"]))


class DeliveryRedeliver(APIView):
    permission_classes = [IsAuthenticated, ManagesWebhooks]

    @extend_schema(operation_id="webhooks_deliveries_redeliver", request=None, responses={202: DeliverySerializer})
    def post(self, request, webhook_id, delivery_id):
        webhook = _webhook(request, webhook_id)
        delivery = get_object_or_404(selectors.deliveries_of(webhook), pk=delivery_id)
        delivery.webhook = webhook
        delivery = services.webhook_delivery_redeliver(by=request.user, delivery=delivery, request=request)
        return Response(DeliverySerializer(delivery).data, status=status.HTTP_202_ACCEPTED)

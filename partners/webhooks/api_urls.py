from django.urls import path

from partners.webhooks import api

urlpatterns = [
    path("webhooks/", api.WebhookListCreate.as_view(), name="api-webhooks"),
    path("webhooks/<uuid:webhook_id>/", api.WebhookDetail.as_view(), name="api-webhook"),
    path("webhooks/<uuid:webhook_id>/rotate-secret/", api.WebhookRotateSecret.as_view(), name="api-webhook-rotate"),
    path("webhooks/<uuid:webhook_id>/deliveries/", api.DeliveryList.as_view(), name="api-webhook-deliveries"),
    path(
        "webhooks/<uuid:webhook_id>/deliveries/<uuid:delivery_id>/redeliver/",
        api.DeliveryRedeliver.as_view(),
        name="api-webhook-redeliver",
    ),
]

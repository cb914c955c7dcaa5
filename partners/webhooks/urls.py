from django.urls import path

from partners.webhooks import views

urlpatterns = [
    path("partners/<slug:slug>/webhooks/", views.webhook_list, name="webhook-list"),
    path("partners/<slug:slug>/webhooks/<uuid:pk>/", views.webhook_detail, name="webhook-detail"),
    path("partners/<slug:slug>/webhooks/<uuid:pk>/delete/", views.webhook_delete, name="webhook-delete"),
    path("partners/<slug:slug>/webhooks/<uuid:pk>/rotate-secret/", views.webhook_rotate, name="webhook-rotate"),
    path("partners/<slug:slug>/webhooks/<uuid:pk>/active/", views.webhook_active, name="webhook-active"),
    path(
        "partners/<slug:slug>/webhooks/<uuid:pk>/deliveries/<uuid:delivery_id>/redeliver/",
        views.delivery_redeliver,
        name="webhook-redeliver",
    ),
]

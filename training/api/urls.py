from django.urls import path

from training.api import views

urlpatterns = [
    path("events/", views.EventList.as_view(), name="api-events"),
    path("events/<slug:slug>/", views.EventDetail.as_view(), name="api-event"),
    path("events/<slug:slug>/register/", views.EventRegister.as_view(), name="api-event-register"),
    path("events/<slug:slug>/cancel/", views.EventCancel.as_view(), name="api-event-cancel"),
]

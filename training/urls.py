from django.urls import path

from training import views

urlpatterns = [
    path("training/", views.event_list, name="training-events"),
    path("training/calendar/", views.event_calendar, name="training-calendar"),
    path("training/new/", views.event_new, name="training-event-new"),
    path("training/settings/", views.training_settings, name="training-settings"),
    path("training/settings/feed/reset/", views.feed_reset, name="training-feed-reset"),
    path("training/feed/<str:token>.ics", views.feed, name="training-feed"),
    path("training/<slug:slug>.ics", views.event_ics_download, name="training-event-ics"),
    path("training/<slug:slug>/", views.event_detail, name="training-event"),
    path("training/<slug:slug>/edit/", views.event_edit, name="training-event-edit"),
    path("training/<slug:slug>/register/", views.event_register, name="training-event-register"),
    path("training/<slug:slug>/cancel/", views.registration_cancel, name="training-registration-cancel"),
    path("training/<slug:slug>/cancel-event/", views.event_cancel, name="training-event-cancel"),
    path("training/<slug:slug>/attendance/", views.attendance_mark, name="training-attendance"),
]

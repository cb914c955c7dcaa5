from django.contrib import admin
from django.contrib.auth.decorators import login_required
from django.urls import include, path
from drf_spectacular.views import SpectacularAPIView, SpectacularSwaggerSplitView

from dashboards import views
from dashboards.transparency import views as transparency_views
from portal import api
from portal import views as portal_views
from portal.accounts import views as account_views

# The admin signs in through the portal's own login, with its MFA step.
admin.site.login = login_required(admin.site.login)
admin.site.site_header = "Counterpoint administration"

# allauth answers a request over one of its rate limits with the root URLconf's handler429.
handler429 = "portal.accounts.ratelimit.rate_limited"

api_v1 = [
    path("schema/", SpectacularAPIView.as_view(), name="api-schema"),
    path("me/", api.me, name="api-me"),
    path("stats/transparency/", transparency_views.transparency_api, name="api-transparency"),
    path("", include("referrals.api.urls")),
    path("", include("campaigns.api.urls")),
    path("", include("training.api.urls")),
    path("", include("partners.webhooks.api_urls")),
]

urlpatterns = [
    path("", views.home, name="home"),
    path("healthz", views.healthz, name="healthz"),
    path("notifications/", portal_views.notifications, name="notifications"),
    path("notifications/read/", portal_views.notifications_read, name="notifications-read"),
    path("notifications/<uuid:notification_id>/read/", portal_views.notifications_read, name="notification-read"),
    path("transparency/", transparency_views.transparency_page, name="transparency"),
    path("transparency/report.csv", transparency_views.transparency_csv, name="transparency-csv"),
    path("transparency/report.json", transparency_views.transparency_json, name="transparency-json"),
    path("account/preferences/", account_views.preferences, name="preferences"),
    path("i18n/language/", account_views.language_switch, name="set_language"),
    path("jsi18n/<slug:language>/", account_views.javascript_catalogue, name="javascript-catalog"),
    path("accounts/", include("allauth.urls")),
    path("admin/", admin.site.urls),
    path("api/v1/", include(api_v1)),
    path("api/docs/", SpectacularSwaggerSplitView.as_view(url_name="api-schema"), name="api-docs"),
    path("", include("partners.urls")),
    path("", include("referrals.urls")),
    path("", include("campaigns.urls")),
    path("", include("training.urls")),
]

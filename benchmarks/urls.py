"""The portal's URLs plus `/bench/bare-referrals/`, mounted only by benchmarks.settings."""

from django.urls import path

from benchmarks.bare import BareReferralCreate
from portal.urls import urlpatterns as portal_urlpatterns

urlpatterns = [
    path("bench/bare-referrals/", BareReferralCreate.as_view(), name="bench-bare-referral"),
    *portal_urlpatterns,
]

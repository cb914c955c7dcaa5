"""The answer to a request refused by one of allauth's rate limits (allauth calls the root
URLconf's `handler429`), audited so that a burst against sign-in shows in the trail."""

from django.shortcuts import render

from portal.audit import audit


def rate_limited(request, exception=None):
    user = getattr(request, "user", None)
    audit("auth.rate_limited", actor=user, request=request, path=request.path[:200], method=request.method)
    return render(request, "429.html", status=429)

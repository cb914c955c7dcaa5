from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.db import connection
from django.http import JsonResponse
from django.shortcuts import render
from django.views.decorators.cache import never_cache
from django.views.decorators.http import require_GET

from dashboards import home as dashboard
from referrals.law_enforcement.services.outbound import outbound_notices_read_audit
from referrals.services.reads import referrals_read_audit


@login_required
def home(request):
    context = dashboard.context_for(request.user, request.GET)
    referrals_read_audit(user=request.user, referrals=dashboard.referrals_shown(context), view="home", request=request)
    notices = [n for _, section in context["sections"] for n in section.get("outbound_notices", ())]
    outbound_notices_read_audit(user=request.user, notices=notices, view="home", request=request)
    return render(request, "portal/home.html", context)


def _broker_state() -> str:
    if settings.CELERY_TASK_ALWAYS_EAGER:
        return "eager"
    from portal.celery import app

    try:
        with app.connection_for_write() as conn:
            conn.ensure_connection(max_retries=1, timeout=1)
    except Exception:
        return "down"
    return "ok"


@never_cache
@require_GET
def healthz(request):
    try:
        with connection.cursor() as cursor:
            cursor.execute("SELECT 1")
    except Exception:
        return JsonResponse({"database": "down", "broker": "unknown"}, status=503)
    return JsonResponse({"database": "ok", "broker": _broker_state()})

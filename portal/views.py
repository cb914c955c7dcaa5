"""Core pages: the person's notifications."""

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from portal.notifications import notifications_mark_read, notifications_of


@login_required
def notifications(request):
    page = Paginator(notifications_of(request.user), 30).get_page(request.GET.get("page"))
    return render(request, "portal/notifications.html", {"page": page})


@login_required
@require_POST
def notifications_read(request, notification_id=None):
    """Mark one notification (or, without an id, all of them) read; reading the list does not."""
    notifications_mark_read(user=request.user, notification_id=notification_id)
    return redirect(request.POST.get("next") or "notifications")

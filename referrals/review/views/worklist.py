"""The work list page, `/queues/<slug>/` (SPEC §10, §15): one tab of a queue in priority order,
filtered by kind, category, language and country, each referral with its first account, and
a checkbox per row to decide several at once (the bulk decision page takes them).

Platform roles only (anyone else: 404). A filter that does not parse is a form error and
lists nothing, never a wider list.
"""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils import timezone
from django.utils.translation import gettext as _

from referrals.review import selectors as queue_selectors
from referrals.review.permissions import can_decide_in_bulk, can_manage_routing, can_work_queue
from referrals.review.views import PAGE_SIZE, _clock_rows
from referrals.review.worklist_filter import WorklistFilter
from referrals.services.reads import referrals_read_audit


@login_required
def queue_detail(request, slug: str):
    queue = queue_selectors.queue_for(request.user, slug)
    tab = request.GET.get("tab", "waiting")
    if tab not in queue_selectors.WORKLIST_TABS:
        tab = "waiting"
    filters = WorklistFilter(
        request.GET, queryset=queue_selectors.worklist(request.user, queue, tab=tab), request=request
    )
    referrals = filters.qs if filters.is_valid() else filters.queryset.none()
    page = Paginator(referrals, PAGE_SIZE).get_page(request.GET.get("page"))
    audit_filters = {"queue": queue.slug, "tab": tab, "page": request.GET.get("page"), **filters.applied}
    referrals_read_audit(
        user=request.user, referrals=page.object_list, view="worklist", filters=audit_filters, request=request
    )
    # Tabs keep the filters; pages keep the tab and the filters.
    kept = urlencode(filters.applied)
    context = {
        "queue": queue,
        "tab": tab,
        "tabs": [("waiting", _("Waiting")), ("in_review", _("In review")), ("needs_info", _("Needs information"))],
        "page": page,
        "rows": _clock_rows(page.object_list, now=timezone.now()),
        "form": filters.form,
        "filtered": bool(filters.applied) or not filters.is_valid(),
        "kept": kept,
        "query": f"tab={tab}&{kept}" if kept else f"tab={tab}",
        "can_claim": can_work_queue(request.user, queue),
        "can_manage": can_manage_routing(request.user),
        # Reviewers and leads pick rows for the bulk decision page (which says which it skips).
        "can_select": can_decide_in_bulk(request.user),
    }
    return render(request, "referrals/queue_detail.html", context)

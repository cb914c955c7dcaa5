"""`/subjects/?q=` (SPEC §15): the search page, which the header's search box opens.

Platform roles only (anyone else: 404, as on a subject's page). How `q` is read (a URL, a
reference, part of a handle) is referrals/review/search.py's business.
"""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.shortcuts import render
from django.utils.http import urlencode

from referrals.review import search
from referrals.review.permissions import require_queue_access
from referrals.services.reads import referrals_read_audit

PAGE_SIZE = 50


@login_required
def subject_search(request):
    require_queue_access(request.user)
    query = request.GET.get("q", "")[: search.QUERY_MAX].strip()
    found = search.subject_search(request.user, query)
    page = Paginator(found.subjects, PAGE_SIZE).get_page(request.GET.get("page"))
    if found.referral is not None:
        filters = {"q": query}
        referrals_read_audit(
            user=request.user, referrals=[found.referral], view="subject_search", filters=filters, request=request
        )
    context = {
        "q": query,
        "found": found,
        "page": page,
        "subjects": list(page),
        "query": urlencode({"q": query}) if query else "",
    }
    return render(request, "referrals/subject_search.html", context)

"""The paging banner's data for every page (SPEC §17).

Lazy: the one query runs only when a template reads `paging` (base.html does, once), never
for a response that renders no page, and never for anyone but platform staff (the selector
returns before querying).
"""

from django.utils.functional import SimpleLazyObject

from referrals.law_enforcement.selectors import paged_waiting_for


def paging(request) -> dict:
    user = getattr(request, "user", None)
    return {"paging": SimpleLazyObject(lambda: paged_waiting_for(user))}

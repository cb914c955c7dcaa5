"""The incident banner's data for every page (SPEC §18).

While an incident is active, members of verified partner organisations see it on every page
with the first line of its latest bulletin. Lazy: the one query runs only when a template reads
`incident_banner` (base.html does, once), never for a response that renders no page, and never
for anyone else (the selector returns before querying): platform roles follow incidents on
their own pages and queue, and the anonymous and unverified organisations are told nothing.
"""

from django.utils.functional import SimpleLazyObject

from referrals.crisis.selectors import incident_banner_for


def incident_banner(request) -> dict:
    user = getattr(request, "user", None)
    return {"incident_banner": SimpleLazyObject(lambda: incident_banner_for(user))}

"""`{% productions_context referral as productions %}`: the "Productions" section of the referral
page (SPEC §17): the data delivered on a law-enforcement request, for the requesting agency and
platform roles, with the upload form for the request's assignee or a lead."""

from django import template
from django.conf import settings
from django.utils import timezone

from referrals.law_enforcement import selectors as le_selectors
from referrals.law_enforcement.permissions import can_deliver_production, can_see_productions
from referrals.law_enforcement.services import productions
from referrals.models import Status

register = template.Library()


@register.simple_tag(takes_context=True)
def productions_context(context, referral) -> dict:
    user = context["request"].user
    if not can_see_productions(user, referral):
        return {"show": False}
    now = timezone.now()
    rows = list(le_selectors.productions_of(user, referral))
    for row in rows:
        row.type_label = productions.type_label(row.content_type)
        if row.file_deleted_at is not None:
            row.state = "deleted"
        elif now >= row.available_until:
            row.state = "expired"
        else:
            row.state = "available"
    can_upload = can_deliver_production(user, referral) and referral.status != Status.WITHDRAWN
    return {
        "show": bool(rows) or can_upload,
        "rows": rows,
        "can_upload": can_upload,
        "max_bytes": settings.PORTAL_PRODUCTION_MAX_BYTES,
        "days": settings.PORTAL_PRODUCTION_DAYS,
        "accept": ",".join(sorted(productions.CLAIMED)),
    }

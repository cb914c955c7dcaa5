"""`{% evidence_wellbeing referral evidence as wb %}`: what the evidence list on the referral
page shows a platform viewer (SPEC §15): which files are images behind a blurred preview,
the one image this session revealed, and the viewer's exposure today with the suggestion of
a break past the daily limit.

The referral page belongs to intake; like the review panel, this brings its own context.
"""

from django import template
from django.contrib import messages

from referrals.review import selectors as queue_selectors
from referrals.review.permissions import can_reveal_evidence, can_see_exposure
from referrals.review.services import exposure
from referrals.review.views.wellbeing import REVEALED

register = template.Library()


@register.simple_tag(takes_context=True)
def evidence_wellbeing(context, referral, evidence) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_reveal_evidence(user):
        return {"show": False}
    revealed = request.session.get(REVEALED)
    items = [
        {
            "evidence": row,
            "image": row.content_type in exposure.PREVIEWABLE and row.file_deleted_at is None,
            "revealed": str(row.pk) == revealed,
        }
        for row in evidence
    ]
    counts = queue_selectors.exposure_of(user, exposure.exposure_day())
    message = exposure.break_message(counts) if exposure.is_past_limit(counts) else ""
    return {
        "show": True,
        "items": items,
        "reveals": counts.reveals if counts else 0,
        "downloads": counts.downloads if counts else 0,
        # Said once: not again in the page when the reveal just said it as a message.
        "break_message": "" if message in {str(m) for m in messages.get_messages(request)} else message,
    }


@register.simple_tag(takes_context=True)
def exposure_summary(context) -> dict:
    """For the queues page: how many platform members are past the daily limit today (leads)."""
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None or not can_see_exposure(user):
        return {"show": False}
    rows = queue_selectors.exposure_by_member(user, exposure.exposure_day(), limit=exposure.daily_limit())
    return {"show": True, "past_limit": rows.filter(past_limit=True).count()}

"""`{% near_matches_for evidence as near %}` and `near|matches_of:e.id`: the near matches of
image evidence (SPEC §14) beside each file on the referral page, for platform roles only.

One query for the page, whatever the number of files; anyone else gets nothing to show.
"""

from django import template

from referrals.surfacing.services.media import near_matches_by_evidence

register = template.Library()


@register.simple_tag(takes_context=True)
def near_matches_for(context, evidence) -> dict:
    request = context.get("request")
    user = getattr(request, "user", None)
    if user is None:
        return {}
    return near_matches_by_evidence(user, [row.pk for row in evidence])


@register.filter
def matches_of(near: dict, evidence_id) -> list:
    return near.get(evidence_id, []) if near else []

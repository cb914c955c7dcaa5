"""The review page's shortcuts (static/js/shortcuts.js): `{% claim_next_queue referral as queue %}`,
the queue whose next referral `c` claims (None when the viewer may not claim from it), and
`{% queue_neighbours referral as near %}`, the referrals `k` and `j` open."""

from django import template

from referrals.review.permissions import can_see_queues, can_work_queue
from referrals.review.selectors import worklist_neighbours

register = template.Library()


@register.simple_tag(takes_context=True)
def claim_next_queue(context, referral):
    user = context["request"].user
    queue = referral.queue
    if queue is None or not can_see_queues(user) or not can_work_queue(user, queue):
        return None
    return queue


@register.simple_tag(takes_context=True)
def queue_neighbours(context, referral) -> dict:
    """`{% queue_neighbours referral as near %}`: the previous and next referral of its work
    list (`near.previous`, `near.next`: references or None), for the review page's k and j."""
    user = context["request"].user
    if claim_next_queue(context, referral) is None:
        return {"previous": None, "next": None}
    previous, following = worklist_neighbours(user, referral)
    return {"previous": previous, "next": following}

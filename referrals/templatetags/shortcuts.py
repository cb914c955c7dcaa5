"""`{% claim_next_queue referral as queue %}`: the queue whose next referral the review page's
`c` shortcut claims (static/js/shortcuts.js), or None when the viewer may not claim from it."""

from django import template

from referrals.review.permissions import can_see_queues, can_work_queue

register = template.Library()


@register.simple_tag(takes_context=True)
def claim_next_queue(context, referral):
    user = context["request"].user
    queue = referral.queue
    if queue is None or not can_see_queues(user) or not can_work_queue(user, queue):
        return None
    return queue

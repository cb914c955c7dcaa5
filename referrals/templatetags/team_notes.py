"""`{% notes_panel_context referral as notes %}` and `{% escalation_context referral as esc %}`:
the team notes and the escalation form in the reviewer's panel on the referral page (SPEC §15).

Both answer `{"show": False}` to anyone but platform roles, so the partials render nothing for
a partner even if included where a partner could reach them.
"""

from django import template

from referrals.review import selectors as queue_selectors
from referrals.review.forms import EscalateForm, NoteForm
from referrals.review.permissions import ESCALATIONS_QUEUE, can_escalate, can_keep_notes, can_see_queues
from referrals.review.services.claims import WORKABLE

register = template.Library()

# The panel shows the latest notes; the notes page has them all, a page at a time.
PANEL_NOTES = 10


@register.simple_tag(takes_context=True)
def notes_panel_context(context, referral) -> dict:
    user = context["request"].user
    if not can_keep_notes(user):
        return {"show": False}
    notes = queue_selectors.referral_notes(user, referral)
    latest = list(notes.reverse()[: PANEL_NOTES + 1])
    return {
        "show": True,
        "notes": latest[:PANEL_NOTES][::-1],
        "more": len(latest) > PANEL_NOTES,
        "form": NoteForm(auto_id="note_%s"),
    }


@register.simple_tag(takes_context=True)
def escalation_context(context, referral) -> dict:
    user = context["request"].user
    if not can_see_queues(user):
        return {"show": False}
    escalated = referral.queue is not None and referral.queue.slug == ESCALATIONS_QUEUE
    return {
        "show": True,
        "escalated": escalated,
        "can_escalate": referral.status in WORKABLE and not escalated and can_escalate(user, referral),
        "form": EscalateForm(auto_id="escalate_%s"),
    }

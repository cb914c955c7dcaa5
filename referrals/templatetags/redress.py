"""`{% redress_context referral as redress %}`: the appeal section of the referral page (SPEC §16).

The submitting organisation gets the "Appeal this decision" form while it may appeal, then
its appeal's status and outcome; platform roles also see the account holder's complaints and
a link to record one. Partners never read a complaint here: `complaints_of` is empty for them.
"""

from django import template
from django.utils import timezone

from referrals.models import DECIDED_STATUSES, STATEMENT_ACTIONS, Status
from referrals.redress import notices
from referrals.redress import selectors as redress_selectors
from referrals.redress.forms import AppealForm
from referrals.redress.permissions import can_appeal, can_record_complaints, can_see_appeals, decision_appealable

register = template.Library()


@register.simple_tag(takes_context=True)
def redress_context(context, referral) -> dict:
    user = context["request"].user
    appeal = redress_selectors.appeal_of(user, referral)
    complaints = redress_selectors.complaints_of(user, referral)
    decision = getattr(referral, "decision", None)
    deadline = redress_selectors.appeal_deadline(referral)
    decided = referral.status in DECIDED_STATUSES and decision_appealable(decision)
    # Reversed already: the restriction is lifted (a decision taken again is a new one).
    reversed_ = decision is not None and any(
        a.reversed and a.decision_id == decision.pk for a in [appeal, *complaints] if a is not None
    )
    submitter = can_appeal(user, referral)
    may_appeal = submitter and decided and appeal is None and not reversed_
    open_window = may_appeal and deadline is not None and timezone.now() <= deadline
    may_complain = (
        can_record_complaints(user)
        and referral.status == Status.ACTIONED
        and decision is not None
        and decision.action in STATEMENT_ACTIONS
        and not reversed_
    )
    return {
        "show": bool(appeal or complaints or may_appeal or may_complain),
        "appeal": appeal,
        "complaints": complaints,
        "can_appeal": open_window,
        "window_closed": may_appeal and not open_window,
        "deadline": deadline,
        "form": AppealForm(auto_id="appeal_%s") if open_window else None,
        "can_record_complaint": may_complain,
        "platform": can_see_appeals(user),
    }


@register.simple_tag
def appeal_notice(referral) -> dict | None:
    """`{% appeal_notice referral as appeal %}`: how and until when the decision may be
    appealed, for the decision e-mail (referrals.redress.notices)."""
    return notices.appeal_notice(referral)


@register.simple_tag(takes_context=True)
def appeals_queue(context) -> dict:
    """`{% appeals_queue as appeals %}`: the open appeals' counts for the queues page, whose
    `appeals` queue holds appeals rather than referrals."""
    return redress_selectors.appeals_queue_counts(context["request"].user, timezone.now())

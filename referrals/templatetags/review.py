"""`{% review_panel_context referral as panel %}`: what the reviewer's panel on the referral
page shows.

The referral page belongs to intake; the panel brings its own context (routing reasons, the
clock, the subjects' other referrals, and the actions this person may take) so that page
stays unaware of review.
"""

from django import template
from django.utils import timezone

from portal.accounts.roles import OrganisationKind
from referrals.engine.clock import clock_of
from referrals.models import Category, Kind, Severity, Status
from referrals.review import selectors as queue_selectors
from referrals.review import statement_of_reasons as sor
from referrals.review.forms import DecisionForm, ReassignForm, RequestInfoForm
from referrals.review.permissions import (
    can_act_on,
    can_reassign,
    can_see_queues,
    can_see_statement_errors,
    can_work_queue,
)
from referrals.review.services.claims import WORKABLE

register = template.Library()

# The enums a routing rule's conditions name, by the condition.
CONDITION_CHOICES = {"kind": Kind, "category": Category, "severity": Severity, "submitter": OrganisationKind}


@register.simple_tag(takes_context=True)
def review_panel_context(context, referral) -> dict:
    user = context["request"].user
    if not can_see_queues(user):
        return {"show": False}
    now = timezone.now()
    clock = clock_of(referral)
    workable = referral.status in WORKABLE
    acts = workable and can_act_on(user, referral)
    known = [e for e in referral.evidence.all() if getattr(e, "known_content", False)]
    return {
        "show": True,
        "referral": referral,
        "reasons": referral.routing_reasons or [],
        "clock": clock,
        "remaining": clock.remaining(now) if clock else None,
        "at_risk": clock.is_at_risk(now) if clock else False,
        "overdue": referral.breached or (clock.is_breached(now) if clock and workable else False),
        "known_content": known,
        "subjects": queue_selectors.referral_subjects(user, referral),
        "can_claim": referral.status == Status.ROUTED
        and referral.assignee_id is None
        and can_work_queue(user, referral.queue),
        "can_release": acts and referral.assignee_id is not None and referral.status != Status.NEEDS_INFO,
        "can_request_info": acts
        and referral.status in (Status.ROUTED, Status.IN_REVIEW)
        and referral.kind != Kind.SIGNAL,
        "can_decide": acts,
        "can_reassign": workable and can_reassign(user),
        "decision_form": DecisionForm(referral=referral, user=user) if acts else None,
        "info_form": RequestInfoForm(referral=referral, user=user) if acts else None,
        "reassign_form": ReassignForm(initial={"assignee": referral.assignee_id})
        if workable and can_reassign(user)
        else None,
        "statement": _statement(user, referral),
    }


def _statement(user, referral) -> dict | None:
    """The decision's DSA statement of reasons: none owed, or where it is on its way to the
    Transparency Database (the database's errors and "send again" for queue leads)."""
    decision = sor.answering_decision(referral)
    if decision is None:
        return None
    reason = sor.no_statement_reason(decision)
    submission = None if reason else queue_selectors.statement_submission(user, decision)
    leads = can_see_statement_errors(user)
    return {
        "decision": decision,
        "reason": reason,
        "own": decision.referral_id == referral.pk,
        "puid": sor.puid_for(decision),
        "submission": submission,
        "show_errors": leads,
        "can_resend": leads and submission is not None and submission.state == submission.State.REFUSED,
    }


@register.filter
def error_lines(errors) -> list[tuple[str, str]]:
    """The database's `{field: [messages]}` (nested for a whole batch) as (field, text) lines."""
    lines: list[tuple[str, str]] = []

    def walk(prefix: str, value) -> None:
        if isinstance(value, dict):
            for key, inner in value.items():
                walk(f"{prefix}.{key}" if prefix else str(key), inner)
        elif isinstance(value, list | tuple):
            texts = [str(v) for v in value if not isinstance(v, dict | list)]
            if texts:
                lines.append((prefix, " ".join(texts)))
            for inner in value:
                if isinstance(inner, dict | list):
                    walk(prefix, inner)
        else:
            lines.append((prefix, str(value)))

    walk("", errors or {})
    return lines


@register.filter
def condition_labels(codes, condition: str) -> list[str]:
    """A routing rule's condition values (`{{ rule.kinds|condition_labels:"kind" }}`) as the
    labels people read; a value with no label (a category pattern such as `terrorist_*`) as it is."""
    labels = dict(CONDITION_CHOICES[condition].choices)
    return [str(labels.get(code, code)) for code in codes or ()]

"""What the decision form does besides recording a decision (SPEC §15): "Apply template"
without the script, and "Decide and claim next"."""

from __future__ import annotations

from django.contrib import messages
from django.urls import reverse
from django.utils.translation import gettext as _

from referrals.models import Referral
from referrals.review.permissions import can_work_queue
from referrals.review.services import claims

# The decision form's second submit button.
NEXT = "next"
# The no-script "Apply template" button: the form comes back filled in, nothing is decided.
APPLY_TEMPLATE = "apply_template"


def _page(referral: Referral) -> str:
    return reverse("referral-detail", kwargs={"reference": referral.reference})


def template_applied(form, data) -> None:
    """Show `form` (unbound) with what was posted and the chosen template's values over it,
    its statement filled for the referral, ready to be changed and recorded."""
    initial = {name: data.get(name) for name in form.fields if name in data}
    field = form.fields.get("template")
    template = field.template_for(data.get("template")) if field is not None else None
    if template is not None:
        fill = field.widget.fills.get(str(template.pk), {})
        initial.update({name: value for name, value in fill.items() if value})
    form.initial.update(initial)


def after_decision(request, referral: Referral) -> str:
    """Where the reviewer goes once the decision is recorded: the referral's page, or with
    "Decide and claim next" the next referral claimed for them in the same queue (the queue
    with a message when nothing is left)."""
    if NEXT not in request.POST:
        return _page(referral)
    queue = referral.queue
    if queue is None or not can_work_queue(request.user, queue):
        messages.info(request, _("You cannot claim from this referral's queue."))
        return _page(referral)
    following = claims.referral_claim_next(by=request.user, queue=queue, request=request)
    if following is None:
        messages.info(request, _("Nothing is waiting in %(queue)s.") % {"queue": queue.name})
        return reverse("queue-detail", kwargs={"slug": queue.slug})
    messages.success(request, _("You claimed %(reference)s.") % {"reference": following.reference})
    return _page(following)

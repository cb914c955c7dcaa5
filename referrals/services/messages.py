"""Messages both ways on a referral (SPEC §17): the submitting organisation and the platform
write to each other until the referral closes.

A submitter's message while the platform waits for information (`needs_info`) answers the
request: the referral goes back to `routed`, unassigned, and its clock resumes where it
stopped (`referral_reply` of intake is that, for a caller that means only to answer). The
platform's request for information is a message too (`referral_request_info` writes its
question with `message_add`). Each new message tells the other side, in-app and by e-mail;
partners never learn which platform person wrote ("Platform reviewer").

Reads go through `referrals.selectors.referral_messages`.
"""

from __future__ import annotations

from datetime import datetime

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.audit import audit
from portal.errors import NotAllowed, TransitionError
from portal.notifications import notify_users
from portal.text import free_text_clean
from referrals.choices import MessageSide
from referrals.models import CLOSED_STATUSES, Kind, Message, Referral, Status
from referrals.permissions import can_write_messages, is_submitting_member
from referrals.services.clock import referral_clock_resume
from referrals.services.notify import referral_notify_status, referral_recipients
from referrals.services.timeline import timeline_add
from referrals.services.webhooks import webhook_message_created

MESSAGE_MAX = 5000


def message_body_clean(body) -> str:
    """The message as it is kept: free text without invisible format characters, trimmed,
    1–5,000 characters (DomainError on `body` otherwise)."""
    return free_text_clean(
        body,
        field="body",
        limit=MESSAGE_MAX,
        empty=_("Write your message."),
        too_long=_("Keep the message to %(max)s characters (this one has %(count)s)."),
    )


def message_add(*, referral: Referral, side: str, author, body: str, at: datetime | None = None) -> Message:
    """Store a message whose body the caller has checked, with nothing else: no timeline, audit
    nor notice (the request for information writes and tells its own)."""
    message = Message(referral=referral, side=side, author=author, body=body, at=at or timezone.now())
    message.save(force_insert=True)
    return message


def _locked(referral: Referral) -> Referral:
    # `of=self`: lock only the referral row (PostgreSQL refuses FOR UPDATE on the nullable
    # side of the queue join anyway).
    return Referral.objects.select_for_update(of=("self",)).select_related("queue", "organisation").get(pk=referral.pk)


@transaction.atomic
def message_post(*, by, referral: Referral, body, request=None) -> Message:
    """`by` writes on `referral`: a member of the submitting organisation (the submitter side)
    or platform staff who work it (`can_write_messages`; NotAllowed → 403 otherwise), until it
    closes (TransitionError → 409). A signal has no submitter, so no exchange either.

    The message's `referral` is the referral as it is afterwards (locked and saved)."""
    referral = _locked(referral)
    if not can_write_messages(by, referral):
        raise NotAllowed(_("Only the submitting organisation and the platform staff working on it write here."))
    if referral.kind == Kind.SIGNAL:
        raise TransitionError(_("A signal has no submitter to write to; add a team note instead."))
    if referral.status in CLOSED_STATUSES:
        raise TransitionError(_("This referral is closed: no more messages can be sent."))
    body = message_body_clean(body)
    side = MessageSide.SUBMITTER if is_submitting_member(by, referral) else MessageSide.PLATFORM
    # Who was working on it when the message came: an answer unassigns the referral.
    assignee = referral.assignee
    message = message_add(referral=referral, side=side, author=by, body=body)
    message.referral = referral
    if side == MessageSide.SUBMITTER and referral.status == Status.NEEDS_INFO:
        _answer(referral, by=by, message=message, request=request)
    else:
        timeline_add(referral, "message", actor=by, message=body, side=side)
        audit(
            "referral.message",
            actor=by,
            obj=referral,
            organisation=referral.organisation,
            request=request,
            side=side,
            message=str(message.pk),
            length=len(body),
        )
    _notify_other_side(message, assignee=assignee)
    webhook_message_created(message=message, referral=referral)
    return message


def _answer(referral: Referral, *, by, message: Message, request=None) -> None:
    """The submitter's message answers the request for information: back to `routed`, the
    clock resumes where it stopped (SPEC §4.4)."""
    referral_clock_resume(referral=referral, now=message.at)
    referral.status = Status.ROUTED
    # Back in the queue for whoever claims next, so an answer never waits on one person.
    previous_assignee = referral.assignee_id
    referral.assignee = None
    referral.save(update_fields=["status", "assignee", "updated_at"])
    timeline_add(referral, "info_provided", actor=by, message=message.body, previous_assignee=previous_assignee)
    audit(
        "referral.reply",
        actor=by,
        obj=referral,
        organisation=referral.organisation,
        request=request,
        message=str(message.pk),
    )
    referral_notify_status(referral)


def _notify_other_side(message: Message, *, assignee) -> None:
    """The platform's message goes to the submitting organisation's members; the submitter's
    to the reviewer working on the referral, else to the members of its queue."""
    referral = message.referral
    path = f"/referrals/{referral.reference}/"
    context = {
        "referral": referral,
        "reference": referral.reference,
        "body": message.body,
        "path": f"{path}#messages-h",
    }
    if message.side == MessageSide.PLATFORM:
        recipients = list(referral_recipients(referral))
        notify_users(recipients, "message_received", {**context, "to_platform": False}, link=context["path"])
        return
    if assignee is not None and assignee.is_active:
        recipients = [assignee]
    elif referral.queue_id is not None:
        recipients = list(referral.queue.members.filter(is_active=True))
    else:
        recipients = []  # not routed yet: whoever claims it reads the message on the page
    context.update(to_platform=True, organisation=referral.organisation.name)
    notify_users(recipients, "message_received", context, link=context["path"])

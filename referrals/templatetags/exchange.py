"""`{% messages_context referral as conversation %}`: the Messages panel of the referral page
(SPEC §17), for its submitting organisation and platform roles.

Partners read the platform's side as "Platform reviewer" and their own as "You" or "Your
organisation"; platform staff read who wrote each message and from which side. The form is
there while the reader may write and the referral is open; while the platform waits for the
submitter's information, the submitter's message is the answer, and the form says so.
"""

from django import template
from django.utils.translation import gettext as _

from referrals import selectors
from referrals.choices import MessageSide
from referrals.intake.forms import MessageForm
from referrals.models import CLOSED_STATUSES, Kind
from referrals.permissions import can_reply, can_write_messages, is_submitting_member, sees_platform_fields

register = template.Library()


@register.simple_tag(takes_context=True)
def messages_context(context, referral) -> dict:
    user = context["request"].user
    platform = sees_platform_fields(user)
    # A signal is the platform's own: nobody on the other side to write to.
    if referral.kind == Kind.SIGNAL or not (platform or is_submitting_member(user, referral)):
        return {"show": False}
    rows = selectors.referral_messages(user, referral)
    for row in rows:
        row["who"], row["side_label"] = _labels(row, referral, platform)
    closed = referral.status in CLOSED_STATUSES
    can_write = not closed and can_write_messages(user, referral)
    answering = can_write and can_reply(user, referral)
    return {
        "show": True,
        "messages": rows,
        "platform": platform,
        "closed": closed,
        "can_write": can_write,
        "answering": answering,
        "form": MessageForm(auto_id="message_%s", answering=answering) if can_write else None,
    }


def _labels(row: dict, referral, platform: bool) -> tuple[str, str]:
    """(who wrote it, which side) as the reader may know them."""
    if not platform:
        if row["from"] == MessageSide.PLATFORM:
            return str(selectors.PLATFORM_REVIEWER), ""
        return (_("You") if row["mine"] else _("Your organisation")), ""
    who = row.get("author") or _("Former member")
    if row["from"] == MessageSide.PLATFORM:
        return who, _("Platform")
    return who, referral.organisation.name

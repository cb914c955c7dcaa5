"""The hold the TCO Regulation puts on content removed under a removal order (SPEC §17;
Regulation (EU) 2021/784 Art. 6): the removed content and its related data are kept for six
months from the decision, and the issuing agency may have them kept six months longer.

The holds are `PreservationHold` rows with basis `removal_order`, one per subject the order
names, so evidence retention, the expiry reminder and the release (`preservation.py`) treat
them as they treat the holds of a preservation request.
"""

from __future__ import annotations

import calendar
from datetime import date, datetime

from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from portal.audit import audit
from portal.errors import NotAllowed, TransitionError
from referrals.choices import HoldBasis
from referrals.law_enforcement.permissions import can_renew_tco_hold
from referrals.law_enforcement.selectors import tco_holds_active
from referrals.models import Action, Kind, PreservationHold, Referral
from referrals.services.timeline import timeline_add
from referrals.timeline_text import TimelineText

TCO_HOLD_MONTHS = 6
# Removing the content, disabling access to it, or suspending the account that posted it.
TCO_HOLD_ACTIONS = frozenset({Action.CONTENT_REMOVED, Action.CONTENT_RESTRICTED, Action.ACCOUNT_SUSPENDED})


def add_months(day: date, months: int) -> date:
    """`day` plus calendar `months`; a day the target month lacks becomes its last day
    (31 August + 6 months = 28 or 29 February)."""
    index = day.month - 1 + months
    year, month = day.year + index // 12, index % 12 + 1
    return day.replace(year=year, month=month, day=min(day.day, calendar.monthrange(year, month)[1]))


def _day(day: date) -> str:
    """A date as the timeline writes it: 05 Jun 2026 (as the preservation lines do)."""
    return date_format(day, "d M Y")


def tco_hold_place(
    *, referral: Referral, action: str, subject_ids: list, now: datetime, by=None, request=None
) -> list[PreservationHold]:
    """Hold the subjects of a removal order decided with `action`, until the decision date plus
    six months. Called by `referral_decide` inside its transaction; any other decision, or any
    other kind of referral, holds nothing. A target that names content but no account has no
    subject to hold."""
    if referral.kind != Kind.REMOVAL_ORDER or action not in TCO_HOLD_ACTIONS or not subject_ids:
        return []
    until = add_months(timezone.localdate(now), TCO_HOLD_MONTHS)
    holds = PreservationHold.objects.bulk_create(
        [
            PreservationHold(
                subject_id=s, referral=referral, until=until, basis=HoldBasis.REMOVAL_ORDER, created_at=now
            )
            for s in subject_ids
        ]
    )
    timeline_add(
        referral,
        "tco_hold_placed",
        message=TimelineText(
            gettext_noop("Content and data kept until %(date)s under the TCO Regulation (Art. 6)."),
            {"date": _day(until)},
        ),
        until=until.isoformat(),
    )
    audit(
        "tco_hold.place",
        actor=by,
        obj=referral,
        organisation=referral.organisation,
        request=request,
        until=until.isoformat(),
        subjects=len(holds),
        outcome=action,
    )
    return holds


@transaction.atomic
def tco_hold_renew(*, by, referral: Referral, request=None) -> date:
    """Keep the content and data of a removal order six months beyond the current end of its
    hold. Only the issuing agency's liaisons (verified), and only while the hold lasts.
    Returns the new end date."""
    if not can_renew_tco_hold(by, referral):
        raise NotAllowed(_("Only the issuing agency's liaisons can renew the hold on a removal order."))
    today = timezone.localdate()
    holds = list(tco_holds_active(referral, today=today).select_for_update().order_by("pk"))
    if not holds:
        raise TransitionError(_("The hold under the TCO Regulation has ended; it can no longer be renewed."))
    previous = max(h.until for h in holds)
    until = add_months(previous, TCO_HOLD_MONTHS)
    # A new end, so a new reminder before it.
    PreservationHold.objects.filter(pk__in=[h.pk for h in holds]).update(until=until, reminder_sent_at=None)
    timeline_add(
        referral,
        "tco_hold_renewed",
        actor=by,
        message=TimelineText(
            gettext_noop("Hold renewed: content and data kept until %(date)s under the TCO Regulation (Art. 6)."),
            {"date": _day(until)},
        ),
        until=until.isoformat(),
        previous_until=previous.isoformat(),
    )
    audit(
        "tco_hold.renew",
        actor=by,
        obj=referral,
        organisation=referral.organisation,
        request=request,
        previous_until=previous.isoformat(),
        until=until.isoformat(),
        holds=len(holds),
    )
    return until

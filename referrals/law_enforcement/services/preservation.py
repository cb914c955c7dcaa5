"""Preservation holds over time (SPEC §5): the expiry reminder, the release, the renewal.

`referral_decide` (the review service) creates the holds when a preservation request is
decided `data_preserved`, and when a removal order is acted on (the TCO Regulation's six
months, `holds.py`); this module keeps both kinds. Both beat jobs claim each hold with a
conditional update, so overlapping or repeated runs remind once and release once.
"""

from __future__ import annotations

import logging
from collections import defaultdict
from datetime import date, datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone
from django.utils.formats import date_format
from django.utils.translation import gettext as _
from django.utils.translation import gettext_noop

from partners.models import Role
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from portal.notifications import notify_users
from referrals.intake.services.filing import referrals_create
from referrals.intake.services.validation import PRESERVE_DEFAULT_DAYS, ReferralInvalid, referral_clean
from referrals.models import CLOSED_STATUSES, Action, Kind, PreservationHold, Referral, Status
from referrals.permissions import can_file, is_submitting_member
from referrals.services.timeline import timeline_add
from referrals.timeline_text import TimelineText, ngettext_noop

logger = logging.getLogger(__name__)

REMIND_DAYS_BEFORE = 7
BATCH = 500


def agency_liaisons(organisation_id: int):
    return get_user_model().objects.filter(
        membership__organisation_id=organisation_id, membership__role=Role.LE_LIAISON, is_active=True
    )


def _active_holds():
    return PreservationHold.objects.filter(released_at__isnull=True)


def preservation_remind_expiring(*, now: datetime | None = None) -> int:
    """Tell each agency, once per hold, that a hold ends within `REMIND_DAYS_BEFORE` days.

    Holds are claimed one by one (`reminder_sent_at` set only where still empty); the
    claimed holds of one request make one notification to the agency's liaisons.
    Returns the number of holds reminded about.
    """
    now = now or timezone.now()
    today = timezone.localdate(now)
    horizon = today + timedelta(days=REMIND_DAYS_BEFORE)
    candidates = list(
        _active_holds()
        .filter(reminder_sent_at__isnull=True, until__gte=today, until__lte=horizon)
        .order_by("until", "pk")
        .values_list("pk", "referral_id")[:BATCH]
    )
    claimed: dict[int, list[int]] = defaultdict(list)
    with transaction.atomic():
        for pk, referral_id in candidates:
            if PreservationHold.objects.filter(pk=pk, reminder_sent_at__isnull=True).update(reminder_sent_at=now):
                claimed[referral_id].append(pk)
        referrals = Referral.objects.filter(pk__in=claimed).select_related("organisation").order_by("seq")
        for referral in referrals:
            holds = list(
                PreservationHold.objects.filter(pk__in=claimed[referral.pk]).select_related("subject").order_by("pk")
            )
            until = min(h.until for h in holds)
            tco = referral.kind == Kind.REMOVAL_ORDER  # a TCO Art. 6 hold, renewed from the order's page
            timeline_add(
                referral,
                "preservation_expiring",
                message=TimelineText.counted(
                    ngettext_noop(
                        "The hold under the TCO Regulation on %(count)d account ends on %(date)s. "
                        "Renew it before then to keep the content and data.",
                        "The hold under the TCO Regulation on %(count)d accounts ends on %(date)s. "
                        "Renew it before then to keep the content and data.",
                    )
                    if tco
                    else ngettext_noop(
                        "The preservation of %(count)d account ends on %(date)s. "
                        "File a renewal before then to keep the data.",
                        "The preservation of %(count)d accounts ends on %(date)s. "
                        "File a renewal before then to keep the data.",
                    ),
                    len(holds),
                    date=_day(until),
                ),
                until=until.isoformat(),
            )
            notify_users(
                list(agency_liaisons(referral.organisation_id)),
                "tco_hold_expiring" if tco else "preservation_expiring",
                {
                    "referral": referral,
                    "reference": referral.reference,
                    "holds": holds,
                    "until": until,
                    "path": f"/referrals/{referral.reference}/",
                },
                link=f"/referrals/{referral.reference}/",
            )
            audit("preservation.remind", obj=referral, organisation=referral.organisation, holds=len(holds))
    reminded = sum(len(v) for v in claimed.values())
    if reminded:
        logger.info("Reminded agencies of %d preservation holds ending soon", reminded)
    return reminded


def preservation_release_expired(*, now: datetime | None = None) -> int:
    """Release the holds whose `until` has passed, so retention may delete their evidence."""
    now = now or timezone.now()
    today = timezone.localdate(now)
    candidates = list(
        _active_holds().filter(until__lt=today).order_by("until", "pk").values_list("pk", "referral_id")[:BATCH]
    )
    released: dict[int, int] = defaultdict(int)
    with transaction.atomic():
        for pk, referral_id in candidates:
            if PreservationHold.objects.filter(pk=pk, released_at__isnull=True).update(released_at=now):
                released[referral_id] += 1
        for referral in Referral.objects.filter(pk__in=released).select_related("organisation").order_by("seq"):
            timeline_add(
                referral,
                "preservation_released",
                message=TimelineText(
                    gettext_noop(
                        "The six-month hold under the TCO Regulation ended; the content and data are no longer "
                        "held for this order."
                    )
                    if referral.kind == Kind.REMOVAL_ORDER
                    else gettext_noop("The preservation period ended; the data is no longer held for this request.")
                ),
                holds=released[referral.pk],
            )
            audit("preservation.release", obj=referral, organisation=referral.organisation, holds=released[referral.pk])
    count = sum(released.values())
    if count:
        logger.info("Released %d expired preservation holds", count)
    return count


def _day(day: date) -> str:
    """A date as the timeline writes it: 05 Jun 2026 (month names in the active language)."""
    return date_format(day, "d M Y")


def renewal_default_until(referral: Referral, today: date) -> date:
    """A renewal keeps the data another default period after the current one ends."""
    start = max(referral.preserve_until or today, today)
    return start + timedelta(days=PRESERVE_DEFAULT_DAYS)


def can_renew(user, referral: Referral, today: date | None = None) -> bool:
    """The requesting agency's liaisons, on a preserved request whose hold has not ended."""
    today = today or timezone.localdate()
    return (
        referral.kind == Kind.PRESERVATION_REQUEST
        and is_submitting_member(user, referral)
        and can_file(user, Kind.PRESERVATION_REQUEST)
        and referral.status == Status.ACTIONED
        and getattr(getattr(referral, "decision", None), "action", None) == Action.DATA_PRESERVED
        and referral.preserve_until is not None
        and referral.preserve_until >= today
    )


@transaction.atomic
def preservation_renew(*, by, referral: Referral, preserve_until: date | None = None, request=None) -> Referral:
    """File a new preservation request for the same accounts, linked to `referral` by
    `renewal_of`. Only the same agency, only before the current hold ends, and only one
    open renewal at a time."""
    today = timezone.localdate()
    if not is_submitting_member(by, referral) or not can_file(by, Kind.PRESERVATION_REQUEST):
        raise NotAllowed(_("Only the requesting agency's liaisons can renew a preservation request."))
    referral = Referral.objects.select_for_update(of=("self",)).select_related("decision").get(pk=referral.pk)
    if not can_renew(by, referral, today):
        raise TransitionError(_("Only a preserved request whose preservation has not ended can be renewed."))
    if referral.renewals.exclude(status__in=CLOSED_STATUSES).exists():
        raise TransitionError(_("A renewal of this request is already being reviewed."))
    preserve_until = preserve_until or renewal_default_until(referral, today)
    if preserve_until <= referral.preserve_until:
        raise DomainError(
            _("A renewal must preserve beyond %(date)s.") % {"date": _day(referral.preserve_until)},
            field="preserve_until",
        )
    data = {
        "kind": Kind.PRESERVATION_REQUEST,
        "category": referral.category,
        "severity": referral.severity,
        "explanation": referral.explanation,
        "targets": [
            {"url": t.url} if t.url else {"platform": t.platform, "account": t.account} for t in referral.targets.all()
        ],
        "language": referral.language,
        "country": referral.country,
        "authority_reference": referral.authority_reference,
        "legal_basis": referral.legal_basis,
        "preserve_until": preserve_until,
    }
    result = referral_clean(data, kinds_allowed=[Kind.PRESERVATION_REQUEST], today=today)
    if result.errors:
        raise ReferralInvalid(result.errors)
    result.cleaned.fields["renewal_of"] = referral
    (renewal,) = referrals_create(items=[result.cleaned], organisation=referral.organisation, user=by)
    timeline_add(
        referral,
        "renewal_requested",
        actor=by,
        message=TimelineText(
            gettext_noop("Renewal requested as %(reference)s, to preserve until %(date)s."),
            {"reference": renewal.reference, "date": _day(preserve_until)},
        ),
        renewal=renewal.reference,
    )
    audit(
        "referral.renew",
        actor=by,
        obj=renewal,
        organisation=referral.organisation,
        request=request,
        renewal_of=referral.reference,
        preserve_until=preserve_until.isoformat(),
    )
    return renewal

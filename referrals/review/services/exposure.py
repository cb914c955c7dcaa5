"""Reviewer wellbeing (SPEC §15): revealing one image at a time, and counting how much
extremist media each platform member looked at per day (UTC).

A reveal and an evidence download each add one to the person's `ExposureDay`; past
`PORTAL_EXPOSURE_DAILY_LIMIT` (reveals and downloads together, default 100) the person is
asked to take a break (nothing is refused) and the queue leads see it on /queues/exposure/.
"""

from __future__ import annotations

from datetime import UTC, date, datetime

from django.conf import settings
from django.db import IntegrityError, transaction
from django.db.models import F
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from referrals.models import Evidence, ExposureDay
from referrals.review.permissions import can_reveal_evidence

# The types shown as a blurred preview and revealed on request; everything else is a link.
PREVIEWABLE = frozenset({"image/png", "image/jpeg", "image/webp", "image/gif"})
DEFAULT_DAILY_LIMIT = 100


def daily_limit() -> int:
    return int(getattr(settings, "PORTAL_EXPOSURE_DAILY_LIMIT", DEFAULT_DAILY_LIMIT))


def exposure_day(now: datetime | None = None) -> date:
    """The day exposure is counted on: the UTC date, the same for every reviewer."""
    return (now or timezone.now()).astimezone(UTC).date()


def is_past_limit(row: ExposureDay | None) -> bool:
    return row is not None and row.reveals + row.downloads > daily_limit()


def break_message(row: ExposureDay) -> str:
    """The gentle suggestion shown past the daily limit (nothing is refused)."""
    count = row.reveals + row.downloads
    return ngettext(
        "You have opened %(count)d image or file of evidence today. Consider a short break: step "
        "away from the screen, or talk with a colleague, before you look at more.",
        "You have opened %(count)d images and files of evidence today. Consider a short break: step "
        "away from the screen, or talk with a colleague, before you look at more.",
        count,
    ) % {"count": count}


def exposure_record(*, user, reveals: int = 0, downloads: int = 0, now: datetime | None = None) -> ExposureDay:
    """Add to `user`'s counts for today and return the row as it now is.

    Race-safe without locking: an UPDATE … SET n = n + 1 where the row exists; where it does
    not, an INSERT in a savepoint, and if another request inserted it first (the unique
    constraint on user and day refuses ours) the UPDATE again.
    """
    day = exposure_day(now)
    increments = {"reveals": F("reveals") + reveals, "downloads": F("downloads") + downloads}
    rows = ExposureDay.objects.filter(user=user, day=day)
    if not rows.update(**increments):
        try:
            with transaction.atomic():
                return ExposureDay.objects.create(user=user, day=day, reveals=reveals, downloads=downloads)
        except IntegrityError:
            rows.update(**increments)
    return rows.get()


@transaction.atomic
def evidence_reveal(*, user, evidence: Evidence, request=None, now: datetime | None = None) -> ExposureDay:
    """Record that `user` (platform staff) uncovered the original of one image: audited like
    a download and counted in the day's exposure. Returns the day's counts after it."""
    if not can_reveal_evidence(user):
        raise NotAllowed(_("Only platform staff reveal blurred evidence."))
    if evidence.content_type not in PREVIEWABLE:
        raise DomainError(_("Only images are blurred; open this file with its link."))
    if evidence.file_deleted_at is not None:
        raise TransitionError(_("This file was deleted under the retention policy."))
    referral = evidence.referral
    audit(
        "evidence.reveal",
        actor=user,
        obj=evidence,
        organisation=referral.organisation,
        request=request,
        referral=referral.reference,
        sha256=evidence.sha256,
    )
    return exposure_record(user=user, reveals=1, now=now)

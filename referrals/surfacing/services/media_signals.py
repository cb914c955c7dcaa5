"""Uploads of media by the platform's own systems (SPEC §14, `POST /api/v1/surfacing/media/`):
an image seen on an account that is a near duplicate of evidence on an actioned referral
raises a `signal` (detector `near_duplicate`) naming that account, with the image as its
evidence. Kept apart from `media.py` because filing a signal goes through intake, which
stores evidence through `media.py`.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction
from django.utils.translation import gettext as _

from portal.accounts.roles import organisation_of
from portal.audit import audit
from portal.errors import NotAllowed
from referrals.intake.services.evidence import EvidenceRejected, Inspected, evidence_store
from referrals.models import Detector, Referral
from referrals.surfacing.permissions import can_raise_signals
from referrals.surfacing.services import media
from referrals.surfacing.services.signals import NewSignal, signals_raise

# Reasons name at most this many earlier referrals (the nearest); the response lists them all.
MAX_REASONS = 5


@dataclass
class MediaCheck:
    signal: Referral | None = None
    matches: list[tuple[Referral, int]] = field(default_factory=list)  # nearest first, one per referral


def near_match_sentence(reference: str, distance: int) -> str:
    return _("Near match of evidence on %(reference)s, distance %(distance)d/256") % {
        "reference": reference,
        "distance": distance,
    }


def media_signal_raise(*, by, file: Inspected, platform: str, account: str, request=None) -> MediaCheck:
    """Hash the inspected image `file`, seen on `platform`/`account` (normalised), and when it
    is within the near-duplicate distance of evidence on an actioned referral, raise a signal
    naming the account with the file as its evidence. An account that is suspended or has an
    open signal gets none; the matches are returned either way. Audited."""
    if not can_raise_signals(by):
        raise NotAllowed(_("Only reviewers and queue leads raise signals."))
    if file.content_type not in media.HASHABLE:
        raise EvidenceRejected(
            _("“%(name)s” is not an image; upload a PNG, JPEG, WebP or GIF image.") % {"name": file.name},
            field="file",
        )
    pdq = media.pdq_of(file.upload)
    if pdq is None:
        raise EvidenceRejected(_("“%(name)s” could not be read as an image.") % {"name": file.name}, field="file")
    check = MediaCheck()
    if pdq.quality >= media.MIN_QUALITY:
        seen = set()
        for hit, distance in media.near_duplicates(pdq.hex):
            referral = hit.evidence.referral
            if referral.pk not in seen:
                seen.add(referral.pk)
                check.matches.append((referral, distance))
    with transaction.atomic():
        if check.matches:
            nearest = check.matches[0][0]
            reasons = [near_match_sentence(r.reference, d) for r, d in check.matches[:MAX_REASONS]]
            signal = NewSignal(
                platform=platform,
                account=account,
                detector=Detector.NEAR_DUPLICATE,
                reasons=reasons,
                category=nearest.category,
            )
            raised = signals_raise(by=by, signals=[signal])
            if raised:
                check.signal = raised[0]
                evidence_store(referral=check.signal, files=[file], user=by, request=request)
        audit(
            "media.check",
            actor=by,
            obj=check.signal,
            organisation=organisation_of(by),
            request=request,
            account=f"{platform}:{account}",
            sha256=file.sha256,
            pdq=pdq.hex,
            quality=pdq.quality,
            matches=[{"referral": r.reference, "distance": d} for r, d in check.matches],
            signal=check.signal.reference if check.signal else None,
        )
    return check

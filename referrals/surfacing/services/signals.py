"""Raising signals (SPEC §14): the one way the detectors put an account in front of people.

A detector says which accounts, why (sentences for reviewers) and, for look-alikes, which
suspended accounts they resemble; this module files the `signal` referrals through intake's
`referrals_create` (so each is routed, timed and audited like any other referral) and keeps
the rule "one open signal per account": an account already suspended, or with a signal still
open, is skipped. A partial unique index (`referral_one_open_signal`) holds the rule against
two detectors raising the same account at the same instant.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from datetime import datetime

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from portal.accounts.roles import organisation_of
from portal.audit import audit_entry, audit_many
from portal.errors import NotAllowed
from referrals.engine import normalise
from referrals.intake.services.filing import referrals_create, subjects_for
from referrals.intake.services.validation import EXPLANATION_MAX, EXPLANATION_MIN, Cleaned
from referrals.models import (
    CLOSED_STATUSES,
    Category,
    Detector,
    Kind,
    Referral,
    Resemblance,
    Severity,
    Subject,
)
from referrals.surfacing.permissions import can_raise_signals

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class Match:
    """One suspended account a look-alike resembles."""

    subject: Subject
    basis: str  # Resemblance.Basis
    score: int
    candidate_value: str
    suspended_value: str


@dataclass
class NewSignal:
    """What a detector found about one account."""

    platform: str
    account: str
    detector: str
    reasons: list[str]
    category: str = Category.OTHER
    severity: str = Severity.MEDIUM
    matches: list[Match] = field(default_factory=list)


def _explanation(signal: NewSignal) -> str:
    text = " ".join(signal.reasons)
    if len(text) < EXPLANATION_MIN:
        text = _("Surfaced by the platform: %(reasons)s") % {"reasons": text}
    return text[:EXPLANATION_MAX]


def open_signal_subjects(subject_ids) -> set:
    """Which of `subject_ids` already have an open signal."""
    return set(
        Referral.objects.filter(surfaced_subject_id__in=list(subject_ids))
        .exclude(status__in=sorted(CLOSED_STATUSES))
        .values_list("surfaced_subject_id", flat=True)
    )


def signals_raise(*, by, signals: list[NewSignal], now: datetime | None = None) -> list[Referral]:
    """File one `signal` per account of `signals` (the first when an account comes twice),
    skipping accounts that are suspended or already have an open signal; return those filed.

    The signals belong to `by`'s organisation (the platform) and show "Surfacing" as their
    actor; `by`, who ran the detector, is in the audit trail. Routing is enqueued on commit.
    """
    if not can_raise_signals(by):
        raise NotAllowed(_("Only reviewers and queue leads raise signals."))
    if not signals:
        return []
    try:
        with transaction.atomic():
            return _raise(by=by, signals=signals, now=now or timezone.now())
    except IntegrityError:
        # Another detector raised one of these accounts in the meantime: read again, once.
        logger.info("A concurrent signal was raised; raising the batch again without it")
        with transaction.atomic():
            return _raise(by=by, signals=signals, now=now or timezone.now())


def _raise(*, by, signals: list[NewSignal], now: datetime) -> list[Referral]:
    wanted: dict[tuple[str, str], NewSignal] = {}
    for signal in signals:
        wanted.setdefault((signal.platform, signal.account), signal)
    subjects = subjects_for(set(wanted))
    taken = open_signal_subjects(s.pk for s in subjects.values())
    items, kept = [], []
    for key, signal in wanted.items():
        subject = subjects[key]
        if subject.suspended_at is not None or subject.pk in taken:
            continue
        target = normalise.Target(platform=subject.platform, account=subject.account, content_id="", url="")
        fields = {
            "kind": Kind.SIGNAL,
            "category": signal.category,
            "severity": signal.severity,
            "explanation": _explanation(signal),
            "detector": signal.detector,
            "signal_reasons": list(signal.reasons),
            "surfaced_subject": subject,
        }
        items.append(Cleaned(fields=fields, targets=[target]))
        kept.append(signal)
    if not items:
        return []
    organisation = organisation_of(by)
    # A detector's signal has no person as its filer: pages show "Surfacing" (SPEC §14).
    filer = by if all(s.detector == Detector.MANUAL for s in kept) else None
    referrals = referrals_create(items=items, organisation=organisation, user=filer, now=now)
    Resemblance.objects.bulk_create(
        [
            Resemblance(
                referral=referral,
                subject=match.subject,
                basis=match.basis,
                score=match.score,
                candidate_value=match.candidate_value[:200],
                suspended_value=match.suspended_value[:200],
            )
            for referral, signal in zip(referrals, kept, strict=True)
            for match in signal.matches
        ]
    )
    audit_many(
        audit_entry(
            "signal.raise",
            actor=by,
            obj=referral,
            organisation=organisation,
            reference=referral.reference,
            detector=signal.detector,
            account=f"{signal.platform}:{signal.account}",
        )
        for referral, signal in zip(referrals, kept, strict=True)
    )
    return referrals

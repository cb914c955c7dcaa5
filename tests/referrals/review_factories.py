"""Referrals in the states the routing and review tests start from."""

from __future__ import annotations

from datetime import datetime

from django.utils import timezone

from referrals.models import Referral, Subject, Target
from referrals.services.routing import referral_route_batch


def received(
    organisation,
    *,
    submitted_by=None,
    kind: str = "notice",
    category: str = "other",
    severity: str = "low",
    accounts: tuple[str, ...] = ("someone",),
    platform: str = "x",
    received_at: datetime | None = None,
    **fields,
) -> Referral:
    """A referral as intake stores it: `received`, its targets normalised to subjects."""
    referral = Referral.objects.create(
        organisation=organisation,
        submitted_by=submitted_by,
        kind=kind,
        category=category,
        severity=severity,
        explanation="The account posts calls to violence against a named group.",
        good_faith_confirmed=kind == "notice",
        received_at=received_at or timezone.now(),
        **fields,
    )
    subjects = []
    for position, account in enumerate(accounts):
        subject, _ = Subject.objects.get_or_create(platform=platform, account=account)
        subjects.append(subject)
        Target.objects.create(
            referral=referral,
            subject=subject,
            position=position,
            url=f"https://x.com/{account}",
            platform=platform,
            account=account,
        )
    for subject in subjects[1:]:
        subjects[0].linked.add(subject)
    return referral


def routed(organisation, **kwargs) -> Referral:
    referral = received(organisation, **kwargs)
    referral_route_batch(seqs=[referral.seq], now=referral.received_at)
    referral.refresh_from_db()
    return referral

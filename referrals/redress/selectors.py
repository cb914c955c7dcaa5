"""Reads of appeals and complaints (SPEC §16), scoped to the acting user.

Platform roles see every appeal and complaint; the organisation that filed a referral sees
its own appeal of it and nothing else: never a complaint (the account holder's), never who
decided. Anyone else sees none, so another organisation's appeal is a 404.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from django.db.models import Count, Min, Q, QuerySet

from portal.accounts.roles import PLATFORM_ROLES, membership_of
from referrals.models import Appeal, AppealOutcome, AppealSource, AppealStatus, Referral
from referrals.permissions import SUBMITTER_ROLES

# DSA Art. 20(1): appeals are open for at least six months after the decision. Six calendar
# months are at most 184 days; 183 (half of 366) is the figure the portal states and applies.
APPEAL_WINDOW = timedelta(days=183)


def appeals_visible_to(user) -> QuerySet[Appeal]:
    membership = membership_of(user)
    if membership is None or not user.is_active:
        return Appeal.objects.none()
    qs = Appeal.objects.select_related("referral", "organisation")
    if membership.role in PLATFORM_ROLES:
        return qs.select_related("decided_by", "recorded_by", "filed_by", "original_decided_by", "queue")
    if membership.role in SUBMITTER_ROLES:
        return qs.filter(source=AppealSource.NOTIFIER, organisation_id=membership.organisation_id)
    return Appeal.objects.none()


def appeals_open(user) -> QuerySet[Appeal]:
    """Open appeals and complaints, the one due first at the top."""
    return appeals_visible_to(user).filter(status=AppealStatus.OPEN).order_by("due_at", "filed_at")


def appeals_queue_counts(user, now: datetime) -> dict:
    """The `appeals` queue's row on the queues page: open appeals and complaints, how many are
    past due, and the earliest due date (one query)."""
    return (
        appeals_visible_to(user)
        .filter(status=AppealStatus.OPEN)
        .aggregate(open=Count("pk"), overdue=Count("pk", filter=Q(due_at__lt=now)), oldest_due_at=Min("due_at"))
    )


def appeals_decided(user) -> QuerySet[Appeal]:
    """Decided appeals and complaints, the latest first."""
    return appeals_visible_to(user).filter(status=AppealStatus.DECIDED).order_by("-decided_at", "pk")


def appeal_of(user, referral: Referral) -> Appeal | None:
    """The notifier's appeal of `referral` (there is at most one), if `user` may see it."""
    return appeals_visible_to(user).filter(referral=referral, source=AppealSource.NOTIFIER).first()


def complaints_of(user, referral: Referral) -> list[Appeal]:
    """The account holder's complaints about `referral`'s decision: platform roles only."""
    membership = membership_of(user)
    if membership is None or membership.role not in PLATFORM_ROLES:
        return []
    return list(
        appeals_visible_to(user).filter(referral=referral, source=AppealSource.ACCOUNT_HOLDER).order_by("filed_at")
    )


def appeal_deadline(referral: Referral) -> datetime | None:
    """Until when the decision on `referral` may be appealed (None: it is not decided)."""
    decision = getattr(referral, "decision", None)
    return decision.decided_at + APPEAL_WINDOW if decision is not None else None


def appeal_brief(referral: Referral) -> dict | None:
    """`{id, status, outcome, decided_at}` of the notifier's appeal of `referral`, or None.

    Lists read it from the annotations of referrals.selectors.referrals_visible_to (no query
    per row); a referral built elsewhere asks the database, unless it was only just received
    (no decision yet, so no appeal)."""
    if hasattr(referral, "notifier_appeal_id"):
        if referral.notifier_appeal_id is None:
            return None
        outcome = referral.notifier_appeal_outcome or None
        return {
            "id": referral.notifier_appeal_id,
            "status": AppealStatus.DECIDED if outcome else AppealStatus.OPEN,
            "outcome": outcome,
            "decided_at": referral.notifier_appeal_decided_at,
        }
    if referral.pk is None or referral.status == "received":
        return None
    appeal = (
        Appeal.objects.filter(referral_id=referral.pk, source=AppealSource.NOTIFIER)
        .only("id", "status", "outcome", "decided_at")
        .first()
    )
    if appeal is None:
        return None
    return {
        "id": appeal.id,
        "status": appeal.status,
        "outcome": appeal.outcome or None,
        "decided_at": appeal.decided_at,
    }


def reversal_of(decision) -> Appeal | None:
    """The appeal or complaint that reversed `decision` (a restriction, which stays on its
    referral), if one did: the removal order's feedback reports it to the issuing authority."""
    return (
        Appeal.objects.filter(decision=decision, outcome=AppealOutcome.REVERSED)
        .only("id", "source", "outcome", "statement", "decided_at", "original_action", "referral_id")
        .order_by("-decided_at")
        .first()
    )

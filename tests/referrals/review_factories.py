"""Referrals in the states the routing and review tests start from, built through the
services users go through: filed with referral_submit, routed by the routing service."""

from __future__ import annotations

from datetime import datetime

from partners.models import Role
from referrals.models import Referral
from referrals.review.services.claims import referral_claim
from referrals.review.services.routing import referral_route_batch
from tests.factories import OrganisationFactory, make_member
from tests.referrals.factories import make_referral


def received(
    user,
    kind: str = "notice",
    *,
    accounts: tuple[str, ...] = ("someone",),
    received_at: datetime | None = None,
    **fields,
) -> Referral:
    """A referral filed by `user` naming the X accounts `accounts` (or `targets`, when
    given), still `received`.

    `received_at` moves the receipt (and a clock set at receipt) into the past, as if it
    had been filed then.
    """
    targets = fields.pop("targets", None) or [{"platform": "x", "account": account} for account in accounts]
    fields.setdefault("category", "other")
    fields.setdefault("severity", "imminent" if kind == "emergency_request" else "low")
    referral = make_referral(user, kind, targets=targets, **fields)
    if received_at is not None:
        shift = received_at - referral.received_at
        updates = {"received_at": received_at}
        if referral.due_at is not None:
            updates["due_at"] = referral.due_at + shift
        Referral.objects.filter(pk=referral.pk).update(**updates)
        referral.refresh_from_db()
    return referral


def routed(user, kind: str = "notice", **kwargs) -> Referral:
    referral = received(user, kind, **kwargs)
    referral_route_batch(seqs=[referral.seq], now=referral.received_at)
    referral.refresh_from_db()
    return referral


def claimed(reviewer, user, kind: str = "notice", **kwargs) -> Referral:
    """Routed and claimed by `reviewer`, who is made a member of its queue."""
    referral = routed(user, kind, **kwargs)
    referral.queue.members.add(reviewer)
    return referral_claim(by=reviewer, referral=referral)


def ngo_member_of_new_organisation(**org_fields):
    """A member of a fresh NGO: another organisation for corroboration."""
    return make_member(OrganisationFactory(**org_fields), Role.NGO_MEMBER)


DECISION = {
    "action": "account_suspended",
    "ground": "terms",
    "policy": "Violent extremist organisations policy 2.1",
    "statement_of_reasons": "The account recruits for a proscribed organisation and links to its channels.",
}


def decided(by, user, kind: str = "notice", *, now: datetime | None = None, decision: dict | None = None, **kwargs):
    """Filed by `user`, routed, and decided by `by` (a queue lead, or the assignee) through
    `referral_decide`; `decision` overrides fields of DECISION."""
    from referrals.review.services.decisions import referral_decide

    referral = routed(user, kind, **kwargs)
    referral_decide(by=by, referral=referral, now=now, **{**DECISION, **(decision or {})})
    referral.refresh_from_db()
    return referral


def decided_many(
    by, user, count: int, *, start: datetime | None = None, step_seconds: int = 60, prefix: str = "acct", **decision
):
    """`count` notices about distinct X accounts (`<prefix><n>`), each decided (with
    `decision` fields) one `step_seconds` after the other from `start` (default: so that the
    last was a minute ago), routed in one batch."""
    from datetime import timedelta

    from django.utils import timezone

    from referrals.review.services.decisions import referral_decide

    start = start or timezone.now() - timedelta(seconds=step_seconds * count + 60)
    referrals = [received(user, accounts=(f"{prefix}{n}",)) for n in range(count)]
    referral_route_batch(seqs=[r.seq for r in referrals])
    for n, referral in enumerate(referrals):
        referral.refresh_from_db()
        referral_decide(
            by=by, referral=referral, now=start + timedelta(seconds=n * step_seconds), **{**DECISION, **decision}
        )
    return referrals

"""Audit entries about referrals that several faces write the same way."""

from __future__ import annotations

from portal.audit import audit
from referrals.models import Referral


def referral_audit_viewed(referral: Referral, *, by, request=None, view: str = "") -> None:
    """Record that `by` looked at `referral`, if it is a law-enforcement request (SPEC §5:
    every view of one, by anyone, is audited; other referrals' views are not).

    `view` names the face when it is not the referral itself (the feedback page, its JSON).
    """
    if not referral.is_law_enforcement:
        return
    extra = {"view": view} if view else {}
    audit("referral.view", actor=by, obj=referral, organisation=referral.organisation, request=request, **extra)

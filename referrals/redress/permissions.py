"""Who may appeal, record a complaint, see appeals and decide them (SPEC §16).

Seeing an appeal is the selectors' business (404 outside scope): the organisation that
filed a referral sees its own appeal of it, platform roles see every appeal and complaint.
These predicates say whether someone who can see it may act on it (403 otherwise).
"""

from __future__ import annotations

from partners.models import Role
from portal.accounts.roles import is_platform, role_of
from referrals.models import Action
from referrals.permissions import is_submitting_member


def can_see_appeals(user) -> bool:
    """The appeals pages, complaints and who decided what: platform roles."""
    return is_platform(user) and bool(user.is_active)


def can_appeal(user, referral) -> bool:
    """Only the organisation that filed a referral appeals its decision (DSA Art. 20)."""
    return is_submitting_member(user, referral)


def decision_appealable(decision) -> bool:
    """A granted request (data preserved or disclosed, as the agency asked) has nothing to
    contest; every other decision may be appealed."""
    return decision is not None and decision.action not in (Action.DATA_PRESERVED, Action.DATA_DISCLOSED)


def can_record_complaints(user) -> bool:
    """The account holder is no user of the portal: platform staff record their complaint."""
    return is_platform(user) and bool(user.is_active)


def can_decide_appeals(user) -> bool:
    """Reviewers and queue leads decide appeals; never on their own decision (see
    `decided_the_original`)."""
    return bool(user.is_active) and role_of(user) in (Role.REVIEWER, Role.QUEUE_LEAD)


def decided_the_original(user, appeal) -> bool:
    """Whether `user` took the decision under appeal: then someone else must decide it."""
    return appeal.original_decided_by_id is not None and appeal.original_decided_by_id == user.pk

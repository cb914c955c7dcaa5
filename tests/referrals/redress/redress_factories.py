"""Decided referrals, appeals and complaints built through the services people use."""

from __future__ import annotations

from referrals.models import Referral
from referrals.redress.services import appeal_file, complaint_record
from tests.referrals.review_factories import decided

REASON = "The account reports on the group's attacks as a journalist; it never praises them."
STATEMENT = "Read again with the appeal: the posts report the attacks and condemn them."

NO_ACTION = {
    "action": "no_action",
    "ground": "terms",
    "policy": "Violent extremist organisations policy 2.1",
    "statement_of_reasons": "Reviewed under the policy: the posts report on the group without support for it.",
}
REMOVAL = {
    "action": "content_removed",
    "ground": "legal",
    "policy": "Regulation (EU) 2021/784, Article 3",
    "statement_of_reasons": "The post incites terrorist offences; removed under the removal order.",
}


def suspended(by, member, **kwargs) -> Referral:
    """A notice by `member` about x.com/<accounts>, decided by `by` with a suspension."""
    return decided(by, member, **kwargs)


def no_violation(by, member, **kwargs) -> Referral:
    """A notice by `member`, decided by `by` with no action (status no_violation)."""
    return decided(by, member, decision=NO_ACTION, **kwargs)


def appealed(referral: Referral, member, reason: str = REASON, **kwargs):
    return appeal_file(by=member, referral=referral, reason=reason, **kwargs)


def complained(referral: Referral, staff, reason: str = REASON, **kwargs):
    return complaint_record(by=staff, referral=referral, reason=reason, **kwargs)

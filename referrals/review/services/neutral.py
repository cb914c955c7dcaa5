"""What a submitter is told when another referral's decision closes its own (SPEC §4.5-4.6).

A duplicate closed by routing, or a referral closed by a decision applied to its subjects,
carries to its submitter only a neutral statement written for it: never the other referral's
reference, organisation, legal basis, grounds or statement of reasons. (From a removal order
those would tell an NGO that a law-enforcement order exists on the account.) The platform
keeps the link: `Referral.related`, `Decision.applied_from`, and the timeline's
`platform_message`.
"""

from __future__ import annotations

from referrals.models import Action, Ground

POLICY = "The platform's rules"
GROUND = Ground.TERMS

_OUTCOMES = {
    Action.ACCOUNT_SUSPENDED: "This account was suspended after review under the platform's rules.",
    Action.CONTENT_REMOVED: "The content was removed after review under the platform's rules.",
    Action.CONTENT_RESTRICTED: "Access to the content was restricted after review under the platform's rules.",
    Action.LABEL_APPLIED: "A label was applied to the content after review under the platform's rules.",
    Action.NO_ACTION: "The platform reviewed this account and found no violation of its rules.",
}
_SAME_OUTCOME = "Your referral was closed with the same outcome."

DUPLICATE_MESSAGE = "Closed as a duplicate: the platform had already acted on this account."


def outcome_sentence(action: str) -> str:
    return _OUTCOMES.get(action, "The platform had already acted on this account.")


def applied_statement(action: str) -> str:
    """The statement of reasons of a decision copied onto another organisation's referral."""
    return f"{outcome_sentence(action)} {_SAME_OUTCOME}"


def applied_message(action: str) -> str:
    """The submitter's timeline line for that decision."""
    return f"Decision: {Action(action).label}. {outcome_sentence(action)}"

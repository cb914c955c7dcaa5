"""What a submitter is told when another referral's decision closes its own (SPEC §4.5-4.6).

A duplicate closed by routing, or a referral closed by a decision applied to its subjects,
carries to its submitter only a neutral statement written for it: never the other referral's
reference, organisation, legal basis, grounds or statement of reasons. (From a removal order
those would tell an NGO that a law-enforcement order exists on the account.) The platform
keeps the link: `Referral.related`, `Decision.applied_from`, and the timeline's
`platform_message`.
"""

from __future__ import annotations

from django.utils import translation
from django.utils.translation import gettext_noop

from referrals.models import Action, Ground
from referrals.timeline_text import TimelineText

POLICY = "The platform's rules"
GROUND = Ground.TERMS

# Stored in English (statements, timeline lines) and translated when read.
_OUTCOMES = {
    Action.ACCOUNT_SUSPENDED: gettext_noop("This account was suspended after review under the platform's rules."),
    Action.CONTENT_REMOVED: gettext_noop("The content was removed after review under the platform's rules."),
    Action.CONTENT_RESTRICTED: gettext_noop(
        "Access to the content was restricted after review under the platform's rules."
    ),
    Action.LABEL_APPLIED: gettext_noop("A label was applied to the content after review under the platform's rules."),
    Action.NO_ACTION: gettext_noop("The platform reviewed this account and found no violation of its rules."),
}
_ALREADY_ACTED = gettext_noop("The platform had already acted on this account.")
_SAME_OUTCOME = "Your referral was closed with the same outcome."

DUPLICATE_MESSAGE = TimelineText(gettext_noop("Closed as a duplicate: the platform had already acted on this account."))


def english_label(choice) -> str:
    """An enum's label for text that is stored (timeline lines, copied statements): always the
    English one, whatever the language of the person whose action wrote it."""
    with translation.override("en"):
        return str(choice.label)


def outcome_sentence(action: str) -> str:
    return _OUTCOMES.get(action, _ALREADY_ACTED)


def applied_statement(action: str) -> str:
    """The statement of reasons of a decision copied onto another organisation's referral."""
    return f"{outcome_sentence(action)} {_SAME_OUTCOME}"


def applied_message(action: str) -> TimelineText:
    """The submitter's timeline line for that decision."""
    return TimelineText(
        gettext_noop("Decision: %(action)s. %(outcome)s"),
        {"action": english_label(Action(action)), "outcome": outcome_sentence(action)},
        labels=("action", "outcome"),
    )


def decision_message(action: str) -> TimelineText:
    """The timeline line of a decision."""
    return TimelineText(gettext_noop("Decision: %(action)s."), {"action": english_label(Action(action))}, ("action",))


def applied_from_message(action: str, reference: str) -> TimelineText:
    """The platform's (and the same organisation's) line for a decision applied from another."""
    return TimelineText(
        gettext_noop("Decision: %(action)s, applied from the decision on %(reference)s about the same account."),
        {"action": english_label(Action(action)), "reference": reference},
        labels=("action",),
    )

"""Decision templates built the way leads build them: through `template_create`."""

from __future__ import annotations

from referrals.models import DecisionTemplate
from referrals.review.services.templates import template_create

SUSPEND = {
    "name": "Recruitment account",
    "language": "",
    "kinds": [],
    "action": "account_suspended",
    "ground": "terms",
    "policy": "Violent extremist organisations policy 2.1",
    "statement_of_reasons": "The account {account} on {platform} recruits for a proscribed organisation "
    "({reference}), against {policy}.",
}
QUESTION = {
    "name": "Which post?",
    "language": "",
    "kinds": [],
    "action": "",
    "ground": "",
    "policy": "",
    "statement_of_reasons": "Which post of {account} do you mean in {reference}? Please give its link.",
}


def make_template(lead, **fields) -> DecisionTemplate:
    """A decision template (SUSPEND, with `fields` over it) written by the queue lead `lead`."""
    return template_create(by=lead, **{**SUSPEND, **fields})


def make_question(lead, **fields) -> DecisionTemplate:
    """A request-for-information template (QUESTION with `fields` over it)."""
    return template_create(by=lead, **{**QUESTION, **fields})

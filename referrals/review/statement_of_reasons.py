"""A decision as a statement of reasons in the shape of the DSA Transparency Database.

Field names and values follow the database's submission API (Art. 24(5) DSA), so the export
can be sent on as it is. Pure: a referral and its decision in, a dict out.
"""

from __future__ import annotations

from referrals.models import Action, Category, Decision, Ground, Kind, Referral

CATEGORY = {
    Category.TERRORIST_INCITEMENT: ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "KEYWORD_TERRORIST_CONTENT"),
    Category.TERRORIST_RECRUITMENT: ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "KEYWORD_TERRORIST_CONTENT"),
    Category.TERRORIST_INSTRUCTION: ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "KEYWORD_TERRORIST_CONTENT"),
    Category.TERRORIST_THREAT: ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "KEYWORD_TERRORIST_CONTENT"),
    Category.GLORIFICATION: ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "KEYWORD_TERRORIST_CONTENT"),
    Category.PROPAGANDA: ("STATEMENT_CATEGORY_RISK_FOR_PUBLIC_SECURITY", "KEYWORD_ILLEGAL_ORGANIZATIONS"),
    Category.VIOLENT_THREAT: ("STATEMENT_CATEGORY_VIOLENCE", "KEYWORD_INCITEMENT_VIOLENCE_HATRED"),
    Category.HATEFUL_CONDUCT: ("STATEMENT_CATEGORY_ILLEGAL_OR_HARMFUL_SPEECH", "KEYWORD_HATE_SPEECH"),
    Category.OTHER: ("STATEMENT_CATEGORY_OTHER_VIOLATION_TC", "KEYWORD_OTHER"),
}

VISIBILITY = {
    Action.CONTENT_REMOVED: "DECISION_VISIBILITY_CONTENT_REMOVED",
    Action.CONTENT_RESTRICTED: "DECISION_VISIBILITY_CONTENT_DISABLED",
    Action.LABEL_APPLIED: "DECISION_VISIBILITY_CONTENT_LABELLED",
}
ACCOUNT = {Action.ACCOUNT_SUSPENDED: "DECISION_ACCOUNT_SUSPENDED"}

CONTENT_TYPES = {
    "image/": "CONTENT_TYPE_IMAGE",
    "video/": "CONTENT_TYPE_VIDEO",
    "text/": "CONTENT_TYPE_TEXT",
}


def source_type(referral: Referral) -> str:
    """Where the decision came from: an Art. 16 notice, a trusted flagger's notice (Art. 22),
    or a notification from an authority (orders and referrals of law enforcement)."""
    if referral.kind == Kind.NOTICE:
        return "SOURCE_TRUSTED_FLAGGER" if referral.organisation.trusted_flagger else "SOURCE_ARTICLE_16"
    return "SOURCE_TYPE_OTHER_NOTIFICATION"


def content_types(referral: Referral, evidence_types: list[str]) -> list[str]:
    found = []
    for mime in evidence_types:
        kind = next((value for prefix, value in CONTENT_TYPES.items() if mime.startswith(prefix)), None)
        if kind and kind not in found:
            found.append(kind)
    return found or ["CONTENT_TYPE_OTHER"]


def statement_of_reasons(referral: Referral, decision: Decision, *, evidence_types: list[str] = ()) -> dict:
    category, keyword = CATEGORY.get(referral.category, CATEGORY[Category.OTHER])
    legal = decision.ground == Ground.LEGAL
    visibility = [VISIBILITY[decision.action]] if decision.action in VISIBILITY else []
    account = ACCOUNT.get(decision.action)
    end = decision.restriction_end.isoformat() if decision.restriction_end else None
    return {
        "puid": referral.reference,
        "decision_visibility": visibility,
        "end_date_visibility_restriction": end if visibility else None,
        "decision_account": account,
        "end_date_account_restriction": end if account else None,
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT" if legal else "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "illegal_content_legal_ground": decision.policy if legal else None,
        "illegal_content_explanation": decision.statement_of_reasons if legal else None,
        "incompatible_content_ground": None if legal else decision.policy,
        "incompatible_content_explanation": None if legal else decision.statement_of_reasons,
        "decision_facts": decision.statement_of_reasons,
        "category": category,
        "category_specification": [keyword],
        "content_type": content_types(referral, list(evidence_types)),
        "content_language": (referral.language or "").upper() or None,
        "content_date": referral.received_at.date().isoformat(),
        "territorial_scope": list(decision.territorial_scope or []),
        "application_date": decision.decided_at.date().isoformat(),
        "source_type": source_type(referral),
        "automated_detection": "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
    }

"""A decision as a statement of reasons the DSA Transparency Database accepts (SPEC §22).

Field names and values are those of the database's submission API (Art. 24(5) DSA), so a
statement is sent on as it is, alone or in a batch of `POST /api/v1/statements`.

- Only a decision that restricts something owes a statement (`STATEMENT_ACTIONS`); the
  database refuses one that records no restriction.
- One decision, one statement: referrals closed by another referral's decision (applied to
  the subject, or closed by routing as duplicates of a suspension) answer with that
  decision's statement and its `puid`, the reference of the referral it was taken on.
- The database's limits are kept here, not hoped for: explanations of at most 2,000
  characters (the whole statement stays in `decision_facts`), a description whenever the
  content type is "other", only EEA codes in the territorial scope and "everywhere" as all
  thirty, dates within its range, upper-case ISO 639-1 languages.

`statement_for` reads the decision's referral, its evidence and its targets; callers that
build many (the batch export, the submitter) prefetch them (see the review selectors).
"""

from __future__ import annotations

from datetime import date

from django.utils.translation import gettext as _

from referrals.engine import dsa
from referrals.models import (
    STATEMENT_ACTIONS,
    Action,
    AppealOutcome,
    Category,
    Decision,
    Ground,
    Kind,
    Referral,
    Status,
)
from referrals.services.codes import LANGUAGES

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

# Evidence (by detected MIME type) and targets say what the content was.
EVIDENCE_TYPES = {
    "image/": "CONTENT_TYPE_IMAGE",
    "video/": "CONTENT_TYPE_VIDEO",
    "audio/": "CONTENT_TYPE_AUDIO",
    "text/": "CONTENT_TYPE_TEXT",
}
# Sent to the database as they are: English, never translated (as every value of a statement).
EVIDENCE_OTHER = {"application/pdf": "Document (PDF)"}
VIDEO_PLATFORMS = frozenset({"youtube", "tiktok"})  # a content id there names a video
OTHER = "CONTENT_TYPE_OTHER"


# --- Which decision, if any -----------------------------------------------------------------------


def answering_decision(referral: Referral) -> Decision | None:
    """The decision whose statement answers for `referral`: its own, the one its own was
    copied from (applied to the subject), or for a duplicate the suspension that closed it."""
    decision = getattr(referral, "decision", None)
    if decision is None and referral.status == Status.DUPLICATE and referral.related_id:
        decision = getattr(referral.related, "decision", None)
    seen = set()
    while decision is not None and decision.applied_from_id and decision.pk not in seen:
        seen.add(decision.pk)
        decision = decision.applied_from
    return decision


def no_statement_reason(decision: Decision) -> str | None:
    """Why `decision` owes the database no statement, in words for the API's 404 and the review
    panel (in the reader's language); None when it owes one."""
    if decision.action not in STATEMENT_ACTIONS:
        return _(
            "The decision (%(action)s) restricts nothing, so there is no statement "
            "of reasons for the DSA Transparency Database."
        ) % {"action": decision.get_action_display().lower()}
    if decision.pk is not None and decision.appeals.filter(outcome=AppealOutcome.REVERSED).exists():
        # SPEC §16: the restriction was lifted; the database takes no withdrawal of one sent.
        return _(
            "The decision was reversed on appeal, so its statement of reasons is withdrawn "
            "and no longer exported to the DSA Transparency Database."
        )
    return None


def puid_for(decision: Decision) -> str:
    """The platform's identifier of the statement: the reference of the referral decided."""
    return decision.referral.reference


# --- The statement ----------------------------------------------------------------------------------


def source_type(referral: Referral) -> str:
    """Where the decision came from: an Art. 16 notice, a trusted flagger's notice (Art. 22),
    a notification from an authority (orders and referrals of law enforcement), or the
    platform's own initiative (a signal, SPEC §14: the database's voluntary source)."""
    if referral.kind == Kind.SIGNAL:
        return "SOURCE_VOLUNTARY"
    if referral.kind == Kind.NOTICE:
        return "SOURCE_TRUSTED_FLAGGER" if referral.organisation.trusted_flagger else "SOURCE_ARTICLE_16"
    return "SOURCE_TYPE_OTHER_NOTIFICATION"


def content_types(evidence_types, targets, *, account_decision: bool) -> tuple[list[str], str | None]:
    """`content_type` and, whenever it says "other", the `content_type_other` the database
    then requires."""
    found: list[str] = []
    others: list[str] = []

    def add(value: str) -> None:
        if value not in found:
            found.append(value)

    for mime in evidence_types:
        value = next((v for prefix, v in EVIDENCE_TYPES.items() if mime.startswith(prefix)), None)
        if value:
            add(value)
        elif mime in EVIDENCE_OTHER and EVIDENCE_OTHER[mime] not in others:
            others.append(EVIDENCE_OTHER[mime])
    for target in targets:
        if target.content_id and target.platform in VIDEO_PLATFORMS:
            add("CONTENT_TYPE_VIDEO")
    if not found and not others:
        platforms = ", ".join(dict.fromkeys(t.platform for t in targets)) or "the platform"
        posts = any(t.content_id for t in targets) and not account_decision
        others.append(f"{'Post' if posts else 'Account'} on {platforms}")
    if others:
        add(OTHER)
        return found, dsa.clip("; ".join(others), dsa.TEXT_MAX)
    return found, None


def content_date(referral: Referral, targets) -> date:
    """When the content was posted, if the submitter said so for any target (the earliest),
    else when the referral was received."""
    received = referral.received_at.date()
    posted = [t.posted_at.date() for t in targets if t.posted_at is not None]
    earliest = min(posted, default=None)
    if earliest is None or not dsa.EARLIEST_CONTENT_DATE <= earliest <= received:
        return received
    return earliest


def territorial_scope(codes) -> list[str]:
    """The decision's EEA countries; "everywhere" (no codes) as all thirty. Codes outside the
    EEA are refused at decision time; older decisions keep only their EEA part."""
    if not codes:
        return list(dsa.EEA_COUNTRIES)
    return [code for code in dict.fromkeys(str(c).upper() for c in codes) if code in dsa.EEA]


def _end(day: date | None) -> str | None:
    # Past the database's range (only decisions recorded before the check): no end given.
    return day.isoformat() if day is not None and day <= dsa.LATEST_DATE else None


def statement_for(decision: Decision) -> dict:
    """The statement of reasons for a decision that owes one (see `no_statement_reason`)."""
    referral = decision.referral
    evidence_types = [e.content_type for e in referral.evidence.all()]
    targets = list(referral.targets.all())
    category, keyword = CATEGORY.get(referral.category, CATEGORY[Category.OTHER])
    legal = decision.ground == Ground.LEGAL
    visibility = [VISIBILITY[decision.action]] if decision.action in VISIBILITY else []
    account = ACCOUNT.get(decision.action)
    end = _end(decision.restriction_end)
    facts = dsa.clip(decision.statement_of_reasons, dsa.FACTS_MAX)
    explanation = dsa.clip(decision.statement_of_reasons, dsa.EXPLANATION_MAX)
    ground = dsa.clip(decision.policy, dsa.TEXT_MAX)
    types, other = content_types(evidence_types, targets, account_decision=account is not None)
    language = (referral.language or "").lower()
    statement = {
        "puid": puid_for(decision),
        "decision_visibility": visibility,
        "end_date_visibility_restriction": end if visibility else None,
        "decision_account": account,
        "end_date_account_restriction": end if account else None,
        "decision_ground": "DECISION_GROUND_ILLEGAL_CONTENT" if legal else "DECISION_GROUND_INCOMPATIBLE_CONTENT",
        "illegal_content_legal_ground": ground if legal else None,
        "illegal_content_explanation": explanation if legal else None,
        "incompatible_content_ground": None if legal else ground,
        "incompatible_content_explanation": None if legal else explanation,
        "decision_facts": facts,
        "category": category,
        "category_specification": [keyword],
        "content_type": types,
        "content_type_other": other,
        "content_language": language.upper() if language in LANGUAGES else None,
        "content_date": content_date(referral, targets).isoformat(),
        "territorial_scope": territorial_scope(decision.territorial_scope),
        "application_date": decision.decided_at.date().isoformat(),
        "source_type": source_type(referral),
        # A person decides every referral; only a detector's signal was found by a machine.
        "automated_detection": "Yes" if referral.raised_by_detector else "No",
        "automated_decision": "AUTOMATED_DECISION_NOT_AUTOMATED",
    }
    return statement

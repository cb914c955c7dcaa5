"""Validating a filing (SPEC §3.2): one function, `referral_clean`, used by the form, the API
and bulk import, so a row that a CSV refuses is refused in the same words as a single filing.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta

from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from portal.countries import is_country_code
from portal.errors import DomainError
from portal.text import strip_format_characters, text_problem
from referrals.choices import RequestedData
from referrals.engine import dsa, legal, normalise
from referrals.models import (
    LAW_ENFORCEMENT_KINDS,
    LEGAL_KINDS,
    Category,
    Detector,
    Kind,
    Severity,
)
from referrals.services.codes import LANGUAGES
from referrals.services.labels import engine_text

EXPLANATION_MIN, EXPLANATION_MAX = 20, 5000
TARGETS_MAX = 100
PRESERVE_DEFAULT_DAYS = 90
PRESERVE_MAX_DAYS = 365
CLOCK_KINDS = frozenset({Kind.REMOVAL_ORDER, Kind.EMERGENCY_REQUEST})
TEXT_LIMITS = {"authority_reference": 120, "legal_basis": 300, "issuing_authority": 200}
THREAT_MIN, THREAT_MAX = 20, 5000
PERSONS_AT_RISK_MAX = 2000
# An emergency request's own fields (SPEC §17); the other kinds ignore them, as they ignore
# `preserve_until` and `legal_grounds`.
EMERGENCY_FIELDS = ("threat_description", "persons_at_risk", "requested_data", "attestation")
_TRUE = {"true", "1", "yes", "on", "y"}
_FALSE = {"false", "0", "no", "off", "n", ""}

# Which kinds need which fields, for the form's help text and its script.
FIELDS_BY_KIND = {
    "good_faith_confirmed": [Kind.NOTICE],
    "authority_reference": sorted(LAW_ENFORCEMENT_KINDS),
    "legal_basis": sorted(LEGAL_KINDS),
    "issuing_authority": [Kind.REMOVAL_ORDER],
    "legal_grounds": [Kind.REMOVAL_ORDER],
    "preserve_until": [Kind.PRESERVATION_REQUEST],
    **{name: [Kind.EMERGENCY_REQUEST] for name in EMERGENCY_FIELDS},
}
# Which kinds require which of the fields that not every kind requires, so the form can mark
# them; referral_clean enforces the same (a test keeps the two in step).
REQUIRED_BY_KIND = {
    "severity": sorted(set(Kind) - {Kind.EMERGENCY_REQUEST}),
    "good_faith_confirmed": [Kind.NOTICE],
    "authority_reference": sorted(LAW_ENFORCEMENT_KINDS),
    "legal_basis": sorted(LEGAL_KINDS),
    "issuing_authority": [Kind.REMOVAL_ORDER],
    "legal_grounds": [Kind.REMOVAL_ORDER],
    **{name: [Kind.EMERGENCY_REQUEST] for name in EMERGENCY_FIELDS},
}


class ReferralInvalid(DomainError):
    """Field errors `{field: [messages]}`; `targets` may instead hold one dict per item."""

    def __init__(self, errors: dict):
        super().__init__(_("The referral could not be filed; see the errors by field."))
        self.errors = errors


@dataclass
class Cleaned:
    fields: dict
    targets: list[normalise.Target]
    # When the content of a target was posted, where the submitter said (`posted_at`).
    posted_at: dict[normalise.Target, datetime] = field(default_factory=dict)


@dataclass
class CleanResult:
    cleaned: Cleaned | None = None
    errors: dict = field(default_factory=dict)
    forbidden_kind: str | None = None  # a valid kind the submitter may not file


def _text(raw: Mapping, key: str, errors: dict) -> str:
    value = raw.get(key)
    if value is None:
        return ""
    if not isinstance(value, str):
        errors[key] = [_("Must be text.")]
        return ""
    problem = text_problem(value)
    if problem:
        errors[key] = [problem]
        return ""
    return strip_format_characters(value).strip()


def _bool(raw: Mapping, key: str, errors: dict) -> bool:
    value = raw.get(key)
    if value is None or isinstance(value, bool):
        return bool(value)
    if isinstance(value, str) and value.strip().lower() in _TRUE | _FALSE:
        return value.strip().lower() in _TRUE
    errors[key] = [_("Must be true or false.")]
    return False


def _date(raw: Mapping, key: str, errors: dict) -> date | None:
    value = raw.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, str):
        try:
            return date.fromisoformat(value.strip())
        except ValueError:
            pass
    errors[key] = [_("Must be a date as YYYY-MM-DD.")]
    return None


def _choice(raw: Mapping, key: str, choices, errors: dict, *, required: bool = True) -> str:
    value = _text(raw, key, errors)
    if key in errors:
        return ""
    if not value:
        if required:
            errors[key] = [_("This field is required.")]
        return ""
    if value not in choices.values:
        errors[key] = [
            _("“%(value)s” is not one of: %(choices)s.") % {"value": value, "choices": ", ".join(choices.values)}
        ]
        return ""
    return value


def _posted_at(item, now: datetime) -> tuple[datetime | None, str | None]:
    """A target's optional `posted_at` (ISO 8601; a date alone is midnight UTC), or the
    reason it is refused."""
    value = item.get("posted_at") if isinstance(item, Mapping) else None
    if value in (None, ""):
        return None, None
    posted = value if isinstance(value, datetime) else None
    if isinstance(value, str):
        text = value.strip()
        try:
            posted = datetime.fromisoformat(text.replace("Z", "+00:00"))
        except ValueError:
            posted = None
    if posted is None:
        return None, _("Give when the content was posted as an ISO 8601 date and time, e.g. 2026-05-01T14:30:00Z.")
    if timezone.is_naive(posted):
        posted = timezone.make_aware(posted, UTC)
    if posted > now + timedelta(minutes=5):
        return None, _("The content cannot have been posted in the future.")
    if posted.date() < dsa.EARLIEST_CONTENT_DATE:
        return None, _("Content dates start on %(date)s.") % {"date": f"{dsa.EARLIEST_CONTENT_DATE:%Y-%m-%d}"}
    return posted, None


def _targets(raw: Mapping, errors: dict, now: datetime) -> tuple[list[normalise.Target], dict]:
    items = raw.get("targets")
    if items in (None, "", []):
        errors["targets"] = [_("Name at least one target: a URL, or a platform and an account.")]
        return [], {}
    if not isinstance(items, list | tuple):
        errors["targets"] = [_("Must be a list of targets.")]
        return [], {}
    if len(items) > TARGETS_MAX:
        errors["targets"] = [
            ngettext(
                "At most %(max)d targets per referral; this one has %(count)d.",
                "At most %(max)d targets per referral; this one has %(count)d.",
                len(items),
            )
            % {"max": TARGETS_MAX, "count": len(items)}
        ]
        return [], {}
    item_errors: list[dict] = []
    targets: list[normalise.Target] = []
    posted: dict[normalise.Target, datetime] = {}
    for item in items:
        item_error = {}
        try:
            target = normalise.normalise_target(item)
            targets.append(target)
        except normalise.TargetError as exc:
            target = None
            key = "url" if not isinstance(item, Mapping) or item.get("url") or not item.get("platform") else "account"
            item_error[key] = [engine_text(exc.args[0])]
        posted_at, problem = _posted_at(item, now)
        if problem:
            item_error["posted_at"] = [problem]
        elif target is not None and posted_at is not None:
            posted.setdefault(target, posted_at)  # the same target twice: its first date
        item_errors.append(item_error)
    if any(item_errors):
        errors["targets"] = item_errors
        return [], {}
    unique = list(dict.fromkeys(targets))  # the same target twice names it once
    return unique, posted


def _exact_urls(items, targets: list[normalise.Target], errors: dict) -> None:
    """A removal order names the exact URLs of the content (Reg. 2021/784 Art. 3(4)(c)),
    never a platform and account pair."""
    item_errors = [
        {} if isinstance(item, Mapping) and item.get("url") else {"url": [_("A removal order needs the exact URL.")]}
        for item in items
    ]
    if any(item_errors):
        errors["targets"] = item_errors
        targets.clear()


def referral_clean(raw: Mapping, *, kinds_allowed: Iterable[str], today: date | None = None) -> CleanResult:
    """Validate one referral as submitted (JSON, form or CSV row). Never raises."""
    today = today or timezone.localdate()
    if not isinstance(raw, Mapping):
        return CleanResult(errors={"non_field_errors": [_("Each referral must be an object.")]})
    errors: dict = {}
    kind = _choice(raw, "kind", Kind, errors)
    category = _choice(raw, "category", Category, errors)
    severity = _choice(raw, "severity", Severity, errors, required=kind != Kind.EMERGENCY_REQUEST)
    if kind == Kind.EMERGENCY_REQUEST:
        severity = Severity.IMMINENT  # an emergency is a threat to life by definition (SPEC §5)

    explanation = _text(raw, "explanation", errors)
    if "explanation" not in errors:
        if not explanation:
            errors["explanation"] = [_("This field is required.")]
        elif not EXPLANATION_MIN <= len(explanation) <= EXPLANATION_MAX:
            errors["explanation"] = [
                ngettext(
                    "Write between %(min)d and %(max)d characters; this has %(count)d.",
                    "Write between %(min)d and %(max)d characters; this has %(count)d.",
                    len(explanation),
                )
                % {"min": EXPLANATION_MIN, "max": EXPLANATION_MAX, "count": len(explanation)}
            ]
    targets, posted_at = _targets(raw, errors, timezone.now())
    if kind == Kind.REMOVAL_ORDER and targets:
        _exact_urls(raw["targets"], targets, errors)

    language = _text(raw, "language", errors).lower()
    if language and language not in LANGUAGES:
        errors["language"] = [_("Use a two-letter ISO 639-1 language code, e.g. “en” or “ar”.")]
    country = _text(raw, "country", errors).upper()
    if country and not is_country_code(country):
        errors["country"] = [_("Use a two-letter ISO 3166-1 country code, e.g. “GB” or “FR”.")]

    good_faith = _bool(raw, "good_faith_confirmed", errors)
    if kind == Kind.NOTICE and "good_faith_confirmed" not in errors and not good_faith:
        errors["good_faith_confirmed"] = [_("Confirm that the notice is accurate and made in good faith.")]

    texts = {}
    for key, limit in TEXT_LIMITS.items():
        texts[key] = _text(raw, key, errors)
        if len(texts[key]) > limit:
            errors[key] = [
                ngettext("At most %(limit)d character.", "At most %(limit)d characters.", limit) % {"limit": limit}
            ]
    if kind in LAW_ENFORCEMENT_KINDS and not texts["authority_reference"] and "authority_reference" not in errors:
        errors["authority_reference"] = [_("Give the agency's case number for law-enforcement requests.")]
    if kind in LEGAL_KINDS and not texts["legal_basis"] and "legal_basis" not in errors:
        errors["legal_basis"] = [_("Name the legal basis of the request.")]
    if kind == Kind.REMOVAL_ORDER and not texts["issuing_authority"] and "issuing_authority" not in errors:
        errors["issuing_authority"] = [_("Name the competent authority that issued the removal order.")]
    if kind not in LAW_ENFORCEMENT_KINDS:
        texts = dict.fromkeys(texts, "")
    elif kind not in LEGAL_KINDS:
        texts["legal_basis"] = texts["issuing_authority"] = ""
    elif kind != Kind.REMOVAL_ORDER:
        texts["issuing_authority"] = ""

    legal_grounds: list[str] = []
    if kind == Kind.REMOVAL_ORDER:
        legal_grounds, messages = legal.clean_grounds(raw.get("legal_grounds"), required=True)
        if messages:
            errors["legal_grounds"] = [engine_text(m) for m in messages]

    preserve_until = _date(raw, "preserve_until", errors)
    if kind == Kind.PRESERVATION_REQUEST and "preserve_until" not in errors:
        preserve_until = preserve_until or today + timedelta(days=PRESERVE_DEFAULT_DAYS)
        if preserve_until <= today:
            errors["preserve_until"] = [_("Must be a date after today.")]
        elif preserve_until > today + timedelta(days=PRESERVE_MAX_DAYS):
            errors["preserve_until"] = [
                ngettext(
                    "At most %(days)d day ahead; renew the request later.",
                    "At most %(days)d days ahead; renew the request later.",
                    PRESERVE_MAX_DAYS,
                )
                % {"days": PRESERVE_MAX_DAYS}
            ]
    elif kind != Kind.PRESERVATION_REQUEST:
        preserve_until = None
        errors.pop("preserve_until", None)

    signal_reasons = _signal_reasons(raw, errors) if kind == Kind.SIGNAL else []
    emergency = _emergency(raw, errors) if kind == Kind.EMERGENCY_REQUEST else {}

    forbidden = kind if kind and kind not in set(kinds_allowed) else None
    if errors or forbidden:
        return CleanResult(errors=errors, forbidden_kind=forbidden)
    fields = {
        "kind": kind,
        "category": category,
        "severity": severity,
        "explanation": explanation,
        "language": language,
        "country": country,
        "good_faith_confirmed": good_faith if kind == Kind.NOTICE else False,
        "preserve_until": preserve_until,
        "legal_grounds": legal_grounds,
        **texts,
        "threat_description": "",
        "persons_at_risk": "",
        "requested_data": [],
        "attestation": False,
        **emergency,
    }
    if kind == Kind.SIGNAL:
        # A person files it; the detectors raise theirs through referrals.surfacing.
        fields.update(detector=Detector.MANUAL, signal_reasons=signal_reasons)
    return CleanResult(cleaned=Cleaned(fields=fields, targets=targets, posted_at=posted_at))


def _emergency(raw: Mapping, errors: dict) -> dict:
    """An emergency request's description of the danger, what it asks to be disclosed and the
    requester's attestation (SPEC §17)."""
    threat = _text(raw, "threat_description", errors)
    if "threat_description" not in errors:
        if not threat:
            errors["threat_description"] = [_("Describe the threat: who is in danger, of what, and how soon.")]
        elif not THREAT_MIN <= len(threat) <= THREAT_MAX:
            errors["threat_description"] = [
                ngettext(
                    "Write between %(min)d and %(max)d characters; this has %(count)d.",
                    "Write between %(min)d and %(max)d characters; this has %(count)d.",
                    len(threat),
                )
                % {"min": THREAT_MIN, "max": THREAT_MAX, "count": len(threat)}
            ]
    persons = _text(raw, "persons_at_risk", errors)
    if "persons_at_risk" not in errors:
        if not persons:
            errors["persons_at_risk"] = [_("Say who is at risk, even if only as “unknown members of the public”.")]
        elif len(persons) > PERSONS_AT_RISK_MAX:
            errors["persons_at_risk"] = [
                ngettext("At most %(limit)d character.", "At most %(limit)d characters.", PERSONS_AT_RISK_MAX)
                % {"limit": PERSONS_AT_RISK_MAX}
            ]
    requested = _requested_data(raw, errors)
    attestation = _bool(raw, "attestation", errors)
    if "attestation" not in errors and not attestation:
        errors["attestation"] = [
            _(
                "Attest that this is an emergency involving danger of death or serious physical injury to a "
                "person, requiring disclosure without delay."
            )
        ]
    return {
        "threat_description": threat,
        "persons_at_risk": persons,
        "requested_data": requested,
        "attestation": attestation,
    }


def _requested_data(raw: Mapping, errors: dict) -> list[str]:
    """What is to be disclosed: a list from JSON or a form, or text from a CSV cell
    ("subscriber_info;ip_logs", "a|b"); at least one, in the choices' order, each once."""
    value = raw.get("requested_data")
    if isinstance(value, str):
        value = [part for part in value.replace(";", " ").replace("|", " ").replace(",", " ").split() if part]
    if value is None:
        value = []
    if not isinstance(value, list | tuple):
        errors["requested_data"] = [_("Must be a list.")]
        return []
    if not all(isinstance(item, str) for item in value):
        errors["requested_data"] = [_("Each item must be text.")]
        return []
    unknown = [item for item in value if item not in RequestedData.values]
    if unknown:
        errors["requested_data"] = [
            _("“%(value)s” is not one of: %(choices)s.")
            % {"value": unknown[0], "choices": ", ".join(RequestedData.values)}
        ]
        return []
    if not value:
        errors["requested_data"] = [_("Choose at least one kind of data to be disclosed.")]
        return []
    chosen = set(value)
    return [item for item in RequestedData.values if item in chosen]


SIGNAL_REASONS_MAX, SIGNAL_REASON_MAX = 20, 500


def _signal_reasons(raw: Mapping, errors: dict) -> list[str]:
    """A signal's optional `signal_reasons`: sentences for the reviewers (a list, or lines)."""
    value = raw.get("signal_reasons")
    if value in (None, "", []):
        return []
    if isinstance(value, str):
        value = value.splitlines()
    if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
        errors["signal_reasons"] = [_("Must be a list of sentences.")]
        return []
    reasons = []
    for item in value:
        problem = text_problem(item)
        if problem:
            errors["signal_reasons"] = [problem]
            return []
        text = strip_format_characters(item).strip()
        if len(text) > SIGNAL_REASON_MAX:
            errors["signal_reasons"] = [
                ngettext(
                    "Each reason has at most %(limit)d character.",
                    "Each reason has at most %(limit)d characters.",
                    SIGNAL_REASON_MAX,
                )
                % {"limit": SIGNAL_REASON_MAX}
            ]
            return []
        if text:
            reasons.append(text)
    if len(reasons) > SIGNAL_REASONS_MAX:
        errors["signal_reasons"] = [
            ngettext("At most %(max)d reason.", "At most %(max)d reasons.", SIGNAL_REASONS_MAX)
            % {"max": SIGNAL_REASONS_MAX}
        ]
        return []
    return reasons


def forbidden_kind_message(kind: str) -> str:
    """Why a valid kind is refused to this submitter; one sentence per kind, so each language
    can write the kind's name as its grammar wants."""
    messages = {
        Kind.NOTICE: _("Your role may not file a notice."),
        Kind.LE_REFERRAL: _("Your role may not file a law-enforcement referral."),
        Kind.REMOVAL_ORDER: _("Removal orders may be filed only by liaisons of a verified law-enforcement agency."),
        Kind.PRESERVATION_REQUEST: _(
            "Preservation requests may be filed only by liaisons of a verified law-enforcement agency."
        ),
        Kind.EMERGENCY_REQUEST: _(
            "Emergency disclosure requests may be filed only by liaisons of a verified law-enforcement agency."
        ),
        Kind.SIGNAL: _("Signals are raised only by the platform's reviewers and queue leads."),
    }
    return messages[Kind(kind)]

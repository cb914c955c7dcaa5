"""Referrals built the way users build them: through `referral_submit`."""

from __future__ import annotations

from referrals.intake.services.filing import referral_submit
from referrals.models import Kind, Referral

EXPLANATION = "This account posts recruitment material for a proscribed organisation."

DEFAULTS = {
    Kind.NOTICE: {"good_faith_confirmed": True},
    Kind.LE_REFERRAL: {"authority_reference": "CASE-1"},
    Kind.REMOVAL_ORDER: {
        "authority_reference": "CASE-2",
        "legal_basis": "Regulation (EU) 2021/784, Article 3",
        "issuing_authority": "National Counter-Terrorism Authority",
        "legal_grounds": ["incitement"],
    },
    Kind.PRESERVATION_REQUEST: {"authority_reference": "CASE-3", "legal_basis": "Code of Criminal Procedure s.12"},
    Kind.EMERGENCY_REQUEST: {
        "authority_reference": "CASE-4",
        "legal_basis": "Emergency disclosure, threat to life",
        "threat_description": "A named person is threatened with being killed tonight at their home.",
        "persons_at_risk": "The person named in the posts and their family.",
        "requested_data": ["subscriber_info", "ip_logs"],
        "attestation": True,
    },
    Kind.SIGNAL: {},
}


def referral_data(kind: str = Kind.NOTICE, /, *, targets=None, **overrides) -> dict:
    """A valid submission body of `kind`; `overrides` replace fields (None removes one)."""
    if kind == Kind.REMOVAL_ORDER and targets is not None:
        targets = [_as_url(t) for t in targets]
    data = {
        "kind": str(kind),
        "category": "terrorist_recruitment",
        "severity": "high",
        "explanation": EXPLANATION,
        "targets": targets if targets is not None else [{"url": "https://x.com/someone/status/1"}],
        "language": "en",
        "country": "GB",
        **DEFAULTS[Kind(kind)],
    }
    for key, value in overrides.items():
        if value is None:
            data.pop(key, None)
        else:
            data[key] = value
    return data


def _as_url(target: dict) -> dict:
    """A removal order names exact URLs; tests that name X accounts get the account's URL."""
    if target.get("platform") == "x" and target.get("account") and not target.get("url"):
        return {"url": f"https://x.com/{target['account'].lstrip('@')}"}
    return target


def make_referral(user, kind: str = Kind.NOTICE, /, *, targets=None, evidence=None, **overrides) -> Referral:
    """File a referral as `user` (who must be allowed to file `kind`), returning it fresh."""
    referral = referral_submit(user=user, data=referral_data(kind, targets=targets, **overrides), evidence=evidence)
    return Referral.objects.get(pk=referral.pk)

"""What the decision notice to a notifier says about appealing (DSA Art. 16(5), Art. 20).

The e-mail and in-app notice of a decision (templates/emails/referral_status.*) read
`appeal_notice(referral)` through the `{% appeal_notice %}` tag: how and until when the
submitting organisation may appeal, or, for a decision taken again after its appeal, that a
referral's decision is appealed once.
"""

from __future__ import annotations

from referrals.models import DECIDED_STATUSES, Appeal, AppealOutcome, AppealSource, Referral
from referrals.redress.permissions import decision_appealable
from referrals.redress.selectors import appeal_deadline


def appeal_notice(referral: Referral) -> dict | None:
    """For a decided referral, while it may still be appealed: `{"until": the last moment to
    appeal, "path": the referral page's appeal section, "api": the endpoint, "api_call": the
    request to make}`; `{"appealed": the notifier's appeal}` when it was appealed already (a
    decision taken again after a reversal is not appealed a second time); None when there is
    no decision to appeal, or when the decision was reversed (the notice of the reversal says so)."""
    decision = getattr(referral, "decision", None)
    if referral.status not in DECIDED_STATUSES or not decision_appealable(decision):
        return None
    # The text and HTML parts of each recipient's e-mail ask too: read the appeals once.
    if getattr(referral, "_appeals_read", None) is None:
        referral._appeals_read = list(
            Appeal.objects.filter(referral_id=referral.pk).only(
                "id", "status", "outcome", "decided_at", "decision_id", "source", "referral_id"
            )
        )
    appeals = referral._appeals_read
    if any(a.decision_id == decision.pk and a.outcome == AppealOutcome.REVERSED for a in appeals):
        return None
    appealed = next((a for a in appeals if a.source == AppealSource.NOTIFIER), None)
    if appealed is not None:
        return {"appealed": appealed}
    api = f"/api/v1/referrals/{referral.id}/appeal/"
    return {
        "until": appeal_deadline(referral),
        "path": f"/referrals/{referral.reference}/#appeal-h",
        "api": api,
        "api_call": f'POST {api} {{"reason": "…"}}',
    }

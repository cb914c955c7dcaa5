"""Deciding many referrals at once (SPEC §15): one decision, or one template, over a selection
from a work list or an account's page.

Each referral is decided in its own transaction through `referral_decide`, so each gets its
audit entry, timeline, notification and statement of reasons as if decided alone, and one
refusal never undoes the others. What is not decided is listed with the reason, in words the
caller may read: an id nobody may see reads the same as one that does not exist.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from portal.accounts.roles import is_queue_lead
from portal.audit import audit
from portal.errors import DomainError, NotAllowed, TransitionError
from referrals.models import Decision, DecisionTemplate, Referral
from referrals.review.permissions import can_decide_in_bulk
from referrals.review.services.claims import WORKABLE
from referrals.review.services.decisions import referral_decide
from referrals.review.services.templates import decision_data_resolve
from referrals.review.workbench_selectors import BULK_MAX, bulk_referrals


@dataclass(frozen=True)
class Skipped:
    id: object
    code: str
    reason: str
    referral: Referral | None = None


@dataclass
class BulkResult:
    decided: list[Referral] = field(default_factory=list)
    skipped: list[Skipped] = field(default_factory=list)


def _unique(ids) -> list:
    seen, out = set(), []
    for id in ids:
        if id not in seen:
            seen.add(id)
            out.append(id)
    return out


def bulk_skip_reason(by, referral: Referral | None) -> tuple[str, str] | None:
    """Why `referral` will not be decided in `by`'s bulk decision, as (code, sentence), or
    None. Shown on the confirmation page before anything is decided, and checked again here."""
    if referral is None:
        return "not_found", _("No referral you can see has this id.")
    if referral.assignee_id != by.pk and not is_queue_lead(by):
        return "not_assigned", _("Assigned to someone else: reviewers decide in bulk only their own referrals.")
    if referral.is_legal and referral.assignee_id != by.pk:
        return "legal_kind", _("A %(kind)s is decided in bulk only by the person it is assigned to.") % {
            "kind": referral.get_kind_display().lower()
        }
    if referral.status not in WORKABLE:
        return "closed", _("Not open for a decision: its status is “%(status)s”.") % {
            "status": referral.get_status_display()
        }
    return None


def _messages(exc: ValidationError) -> str:
    # The messages name what is wrong in words; field codes would be raw codes on the page.
    return " ".join(str(message) for message in exc.messages)


def decisions_bulk(
    *,
    by,
    ids,
    template: DecisionTemplate | None = None,
    request=None,
    now: datetime | None = None,
    **data,
) -> BulkResult:
    """Decide each referral of `ids` (at most BULK_MAX) with the decision fields `data`, what
    they leave empty taken from `template` with its placeholders filled per referral.

    Queue leads decide any open referral; reviewers only those assigned to them; legal kinds
    (removal orders, preservation and emergency requests) only when assigned to the caller.
    A referral closed on the way by an earlier decision of the same call (the decision applied
    to the other notices naming the same accounts) counts as decided."""
    if not can_decide_in_bulk(by):
        raise NotAllowed(_("Only reviewers and queue leads decide referrals."))
    ids = _unique(ids)
    if not ids:
        raise DomainError(_("Choose at least one referral."), field="referrals")
    if len(ids) > BULK_MAX:
        raise DomainError(_("At most %(max)s referrals can be decided at once.") % {"max": BULK_MAX}, field="referrals")
    found = bulk_referrals(by, ids)
    result = BulkResult()
    made: list[Decision] = []
    for id in ids:
        referral = found.get(id)
        why = bulk_skip_reason(by, referral)
        if why:
            result.skipped.append(Skipped(id, *why, referral=referral))
            continue
        try:
            fields = decision_data_resolve(referral=referral, template=template, **data)
            made.append(referral_decide(by=by, referral=referral, request=request, now=now, **fields))
        except ValidationError as exc:
            result.skipped.append(Skipped(id, "invalid", _messages(exc), referral=referral))
        except DomainError as exc:
            if isinstance(exc, TransitionError) and _closed_by(referral, made):
                result.decided.append(referral)
                continue
            code = "template" if exc.field == "template" else "not_allowed" if exc.status_code == 403 else "refused"
            result.skipped.append(Skipped(id, code, exc.message, referral=referral))
        else:
            result.decided.append(referral)
    audit(
        "referral.bulk_decide",
        actor=by,
        request=request,
        template=str(template.pk) if template else None,
        decided=[str(r.id) for r in result.decided],
        skipped=[{"id": str(s.id), "code": s.code} for s in result.skipped],
    )
    return result


def _closed_by(referral: Referral, made: list[Decision]) -> bool:
    return bool(made) and Decision.objects.filter(referral_id=referral.pk, applied_from__in=made).exists()

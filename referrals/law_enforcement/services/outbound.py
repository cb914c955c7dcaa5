"""Outbound notices (SPEC §17; DSA Art. 18): the platform tells an agency of a suspected
threat to life or safety it found itself, with a summary and the accounts; the agency's
liaisons are told at once and acknowledge it. Sending, acknowledging and every read are
audited.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable, Mapping

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import ngettext

from partners.models import Organisation
from portal.audit import audit
from portal.errors import DomainError, NotAllowed
from portal.notifications import notify_users
from portal.text import strip_format_characters, text_problem
from referrals import selectors
from referrals.engine import normalise
from referrals.law_enforcement.permissions import can_acknowledge_outbound_notice, can_send_outbound_notices
from referrals.law_enforcement.selectors import agencies_notifiable
from referrals.law_enforcement.services.preservation import agency_liaisons
from referrals.models import OutboundNotice, Referral
from referrals.services.labels import engine_text

SUMMARY_MIN, SUMMARY_MAX = 20, 5000
TARGETS_MAX = 100


class OutboundNoticeInvalid(DomainError):
    """Field errors `{field: [messages]}`; `targets` may instead hold one dict per item, as a
    referral's do."""

    def __init__(self, errors: dict):
        super().__init__(_("The notice could not be sent; see the errors by field."))
        self.errors = errors


def notice_path(notice: OutboundNotice) -> str:
    return f"/outbound-notices/{notice.id}/"


def _agency(slug, errors: dict) -> Organisation | None:
    if not isinstance(slug, str) or not slug.strip():
        errors["agency"] = [_("Choose the agency to notify.")]
        return None
    agency = agencies_notifiable().filter(slug=slug.strip()).first()
    if agency is None:
        errors["agency"] = [_("“%(slug)s” is not an active law-enforcement agency.") % {"slug": slug.strip()[:80]}]
    return agency


def _summary(value, errors: dict) -> str:
    if value is not None and not isinstance(value, str):
        errors["summary"] = [_("Must be text.")]
        return ""
    text = strip_format_characters(value or "").strip()
    problem = text_problem(text)
    if problem:
        errors["summary"] = [problem]
    elif not SUMMARY_MIN <= len(text) <= SUMMARY_MAX:
        errors["summary"] = [
            ngettext(
                "Write between %(min)d and %(max)d characters; this has %(count)d.",
                "Write between %(min)d and %(max)d characters; this has %(count)d.",
                len(text),
            )
            % {"min": SUMMARY_MIN, "max": SUMMARY_MAX, "count": len(text)}
        ]
    return text


def _targets(items, errors: dict) -> list[dict]:
    """The accounts, normalised as a referral's targets are (`referrals.engine.normalise`),
    the same one named twice kept once; problems reported per item as a referral's are."""
    if items in (None, "", []):
        errors["targets"] = [_("Name at least one account: a URL, or a platform and an account.")]
        return []
    if not isinstance(items, list | tuple):
        errors["targets"] = [_("Must be a list of targets.")]
        return []
    if len(items) > TARGETS_MAX:
        errors["targets"] = [
            ngettext(
                "At most %(max)d targets per notice; this one has %(count)d.",
                "At most %(max)d targets per notice; this one has %(count)d.",
                len(items),
            )
            % {"max": TARGETS_MAX, "count": len(items)}
        ]
        return []
    targets: list[normalise.Target] = []
    item_errors: list[dict] = []
    for item in items:
        try:
            targets.append(normalise.normalise_target(item))
            item_errors.append({})
        except normalise.TargetError as exc:
            key = "url" if not isinstance(item, Mapping) or item.get("url") or not item.get("platform") else "account"
            item_errors.append({key: [engine_text(exc.args[0])]})
    if any(item_errors):
        errors["targets"] = item_errors
        return []
    return [
        {**({"url": t.url} if t.url else {}), "platform": t.platform, "account": t.account, "content_id": t.content_id}
        for t in dict.fromkeys(targets)
    ]


def _referral(by, value, errors: dict) -> Referral | None:
    """The referral the notice is about, by id (the API) or reference (the page), among those
    `by` may see (platform roles see all)."""
    if value in (None, ""):
        return None
    if isinstance(value, Referral):
        value = value.id
    found = None
    if isinstance(value, str | uuid.UUID):
        try:
            found = selectors.referrals_visible_to(by).filter(id=uuid.UUID(str(value))).first()
        except ValueError:
            found = selectors.referral_for_reference(by, value)
    if found is None:
        errors["referral"] = [_("No such referral.")]
    return found


def _clean(by, agency_slug, summary, referral, targets) -> tuple[dict, tuple]:
    errors: dict = {}
    agency = _agency(agency_slug, errors)
    text = _summary(summary, errors)
    accounts = _targets(targets, errors)
    about = _referral(by, referral, errors)
    return errors, (agency, text, accounts, about)


def outbound_notice_problems(*, by, agency_slug, summary, referral=None, targets) -> dict:
    """What `outbound_notice_create` would refuse, without sending anything: for a form that
    already has problems of its own, so every problem shows at once."""
    return _clean(by, agency_slug, summary, referral, targets)[0]


@transaction.atomic
def outbound_notice_create(*, by, agency_slug, summary, referral=None, targets, request=None) -> OutboundNotice:
    """Send a notice to an agency: platform roles only (NotAllowed otherwise). Every field is
    checked and every problem reported at once (OutboundNoticeInvalid); nothing is stored
    then. The agency's liaisons get it in-app and by e-mail."""
    if not can_send_outbound_notices(by):
        raise NotAllowed(_("Only platform staff send notices to agencies."))
    errors, (agency, text, accounts, about) = _clean(by, agency_slug, summary, referral, targets)
    if errors:
        raise OutboundNoticeInvalid(errors)
    notice = OutboundNotice.objects.create(
        agency=agency, summary=text, referral=about, targets=accounts, created_by=by, created_at=timezone.now()
    )
    audit(
        "outbound_notice.create",
        actor=by,
        obj=notice,
        organisation=agency,
        request=request,
        referral=about.reference if about else None,
        targets=len(accounts),
    )
    # The e-mail is the agency's: the platform's author and another organisation's referral stay out.
    shown = about if about is not None and about.organisation_id == agency.pk else None
    notify_users(
        list(agency_liaisons(agency.pk)),
        "outbound_notice",
        {
            "notice": notice,
            "summary": text,
            "targets": accounts,
            "reference": shown.reference if shown else "",
            "path": notice_path(notice),
        },
        link=notice_path(notice),
    )
    return notice


@transaction.atomic
def outbound_notice_acknowledge(*, by, notice: OutboundNotice, request=None) -> OutboundNotice:
    """The agency acknowledges the notice. Only its liaisons (NotAllowed otherwise). Once: a
    second acknowledgement (a colleague at the same moment) changes nothing and is no error,
    so the first liaison and time are kept and audited once."""
    if not can_acknowledge_outbound_notice(by, notice):
        raise NotAllowed(_("Only the agency's liaisons acknowledge its notices."))
    now = timezone.now()
    claimed = OutboundNotice.objects.filter(pk=notice.pk, acknowledged_at__isnull=True).update(
        acknowledged_at=now, acknowledged_by=by
    )
    notice.refresh_from_db(fields=["acknowledged_at", "acknowledged_by"])
    if claimed:
        audit("outbound_notice.acknowledge", actor=by, obj=notice, organisation=notice.agency, request=request)
    return notice


def outbound_notices_read_audit(*, user, notices: Iterable[OutboundNotice], view: str, request=None):
    """Audit that `user` read `notices` (a list, the desk, one notice's page or the API):
    one entry per read naming them; a read that returned none costs nothing."""
    notices = list(notices)
    if not notices:
        return None
    agencies = {n.agency_id for n in notices}
    return audit(
        "outbound_notice.view",
        actor=user,
        obj=notices[0] if len(notices) == 1 else None,
        organisation=notices[0].agency if len(agencies) == 1 else None,
        request=request,
        view=view,
        ids=[str(n.id) for n in notices],
        count=len(notices),
    )

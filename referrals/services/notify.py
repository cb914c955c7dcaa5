"""Telling the submitting organisation that its referral was received or moved on."""

from __future__ import annotations

from datetime import datetime, timedelta

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from portal.accounts.roles import OrganisationKind
from portal.audit import audit
from portal.models import AuditEvent
from portal.notifications import notify_users
from referrals.models import BulkJob, Kind, Referral
from referrals.services.webhooks import webhook_referral_status_changed


def referral_recipients(referral: Referral):
    """Active members of the organisation that filed `referral`; nobody for a signal, the
    platform's own (SPEC §14), else every reviewer would hear of every signal's progress."""
    if referral.kind == Kind.SIGNAL:
        return get_user_model().objects.none()
    # With the membership: e-mail preferences default by role (portal.email_preferences).
    return (
        get_user_model()
        .objects.filter(membership__organisation_id=referral.organisation_id, is_active=True)
        .select_related("membership")
    )


def referral_notify_status(referral: Referral, *, message: str = "") -> None:
    """In-app notification and e-mail (sent by a task after commit) to the submitting
    organisation's members, saying the referral's new status, and the organisation's
    webhooks `referral.status_changed`. `message` is an optional line for the submitter
    (e.g. the reviewer's question); it must not name the reviewer."""
    decision = (
        getattr(referral, "decision", None) if referral.status in ("actioned", "no_violation", "rejected") else None
    )
    context = {
        "referral": referral,
        "reference": referral.reference,
        "status": referral.get_status_display,  # rendered in each recipient's language
        "message": message,
        "decision": decision,
        "path": f"/referrals/{referral.reference}/",
    }
    notify_users(list(referral_recipients(referral)), "referral_status", context, link=context["path"])
    # The organisation's own systems hear of the same changes (SPEC §19), sent on commit.
    webhook_referral_status_changed(referral=referral)


# --- Confirmation of receipt (DSA Art. 16(4)) --------------------------------------------------

RECEIPT = "referral.receipt"
BULK_RECEIPT = "referral.bulk_receipt"
RECEIPT_TARGETS = 10


def _receipts_done(action: str, model, ids) -> set[str]:
    return set(
        AuditEvent.objects.filter(
            action=action, object_type=model._meta.label_lower, object_id__in=[str(i) for i in ids]
        ).values_list("object_id", flat=True)
    )


@transaction.atomic
def referrals_notify_received(*, seqs: list[int]) -> int:
    """Confirm to the submitting organisation's members, each in their language and time zone,
    that the referrals `seqs` were received: one notice per filing, in-app and by e-mail, sent
    by the task `referrals.tasks.notify_received` once the filing has committed.

    Once per referral: the audit entry `referral.receipt` (the proof that receipt was
    confirmed, and when) is written with the notifications, under a lock on the referral, so
    a task delivered twice sends nothing the second time. Signals (the platform's own) have
    no recipients. Returns how many referrals were confirmed."""
    referrals = list(
        Referral.objects.select_for_update(of=("self",))
        .select_related("organisation")
        .filter(pk__in=seqs)
        .exclude(kind=Kind.SIGNAL)
        .order_by("seq")
    )
    done = _receipts_done(RECEIPT, Referral, [r.pk for r in referrals])
    confirmed = 0
    for referral in referrals:
        if str(referral.pk) in done:
            continue
        recipients = list(referral_recipients(referral))
        path = f"/referrals/{referral.reference}/"
        targets = list(referral.targets.order_by("position"))
        context = {
            "referral": referral,
            "reference": referral.reference,
            "targets": targets[:RECEIPT_TARGETS],
            "more_targets": max(len(targets) - RECEIPT_TARGETS, 0),
            "path": path,
        }
        notify_users(recipients, "referral_received", context, link=path)
        audit(RECEIPT, obj=referral, organisation=referral.organisation, recipients=len(recipients))
        confirmed += 1
    return confirmed


RECEIPT_SWEEP_AFTER = timedelta(minutes=2)
RECEIPT_SWEEP_WINDOW = timedelta(hours=6)


def referrals_sweep_receipts(*, now: datetime | None = None) -> int:
    """Confirm the receipts that a lost task never sent: filings of the last six hours, older
    than two minutes, with no `referral.receipt` entry (the broker was down at commit, or the
    worker died). Beat runs it every five minutes; `referrals_notify_received` sends each at
    most once. Returns how many it confirmed."""
    now = now or timezone.now()
    submitted = AuditEvent.objects.filter(
        action="referral.submit",
        object_type=Referral._meta.label_lower,
        at__gte=now - RECEIPT_SWEEP_WINDOW,
        at__lt=now - RECEIPT_SWEEP_AFTER,
    ).values_list("object_id", flat=True)
    confirmed = AuditEvent.objects.filter(
        action=RECEIPT, object_type=Referral._meta.label_lower, object_id__in=submitted
    ).values_list("object_id", flat=True)
    missing = sorted(int(pk) for pk in set(submitted) - set(confirmed))
    sent = 0
    for start in range(0, len(missing), 200):
        sent += referrals_notify_received(seqs=missing[start : start + 200])
    return sent


@transaction.atomic
def bulk_job_notify_received(*, job_id) -> bool:
    """One confirmation for a whole bulk filing, once its job has ended: how many referrals it
    filed (the first and last references) and how many rows were refused, to the organisation's
    members; its owner's notice links to the job's page with the refused rows, the others' to
    the referral list. Once per job (the audit entry `referral.bulk_receipt`); nothing for a job
    still running or that filed nothing. True when sent."""
    job = BulkJob.objects.select_for_update(of=("self",)).select_related("owner", "organisation").defer("items")
    job = job.filter(pk=job_id).first()
    if job is None or job.status not in (BulkJob.State.DONE, BulkJob.State.FAILED) or not job.created:
        return False
    if job.organisation.kind == OrganisationKind.PLATFORM:  # signals: the platform's own (SPEC §14)
        return False
    if _receipts_done(BULK_RECEIPT, BulkJob, [job.pk]):
        return False
    batches = list(
        AuditEvent.objects.filter(
            action="referral.bulk_batch", object_type=BulkJob._meta.label_lower, object_id=str(job.pk)
        )
        .order_by("at", "pk")
        .values_list("data", flat=True)
    )
    context = {
        "job": job,
        "created": job.created,
        "refused": job.failed,
        "first": batches[0].get("first", "") if batches else "",
        "last": batches[-1].get("last", "") if batches else "",
        "uploaded_by": job.owner.email,
    }
    members = list(
        get_user_model()
        .objects.filter(membership__organisation_id=job.organisation_id, is_active=True)
        .select_related("membership")
    )
    owner = [m for m in members if m.pk == job.owner_id]
    others = [m for m in members if m.pk != job.owner_id]
    job_path = f"/referrals/bulk/{job.pk}/"
    if owner:
        notify_users(owner, "bulk_received", {**context, "path": job_path, "own": True}, link=job_path)
    if others:
        notify_users(others, "bulk_received", {**context, "path": "/referrals/", "own": False}, link="/referrals/")
    audit(BULK_RECEIPT, obj=job, organisation=job.organisation, created=job.created, recipients=len(members))
    return True

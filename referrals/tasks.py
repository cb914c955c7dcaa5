from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="referrals.tasks.route_referrals",
    acks_late=True,
    # Only a lost database connection or a deadlock is worth retrying; routing is idempotent.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=120,
    time_limit=150,
)
def route_referrals(seqs: list[int]) -> int:
    """Route these referrals, and others waiting, in one batch (see `referral_route_batch`)."""
    from referrals.review.services.routing import DRAIN_BATCH, referral_route_batch

    return referral_route_batch(seqs=seqs, drain=DRAIN_BATCH)


@shared_task(name="referrals.tasks.sweep_received", acks_late=True, soft_time_limit=50, time_limit=60)
def sweep_received() -> int:
    """Beat, every minute: re-enqueue routing for referrals still `received` after a minute."""
    from referrals.review.services.routing import referrals_sweep_received

    return referrals_sweep_received()


@shared_task(name="referrals.tasks.watch_deadlines", acks_late=True, soft_time_limit=50, time_limit=60)
def watch_deadlines() -> int:
    """Beat, every minute: mark undecided referrals past their deadline, alert the leads."""
    from referrals.review.services.deadlines import referrals_mark_breached

    return len(referrals_mark_breached())


@shared_task(name="referrals.tasks.import_bulk_job", acks_late=True, soft_time_limit=1800, time_limit=1900)
def import_bulk_job(job_id: str) -> None:
    """Validate and create a bulk job's referrals, batch by batch (resumable)."""
    from referrals.intake.services.bulk import bulk_job_run

    bulk_job_run(job_id=job_id)
    # One receipt for the whole job, once it is done (not one per row).
    from referrals.services.notify import bulk_job_notify_received

    bulk_job_notify_received(job_id=job_id)


@shared_task(name="referrals.tasks.check_lookalikes", acks_late=True, soft_time_limit=1800, time_limit=1900)
def check_lookalikes(job_id: str) -> None:
    """Compare a look-alike job's accounts with the suspended ones, batch by batch (resumable)."""
    from referrals.surfacing.services.lookalike_job import lookalike_job_run

    lookalike_job_run(job_id=job_id)


@shared_task(name="referrals.tasks.purge_expired_evidence")
def purge_expired_evidence() -> int:
    """Daily: delete evidence files of referrals closed longer than the retention period."""
    from referrals.intake.services.evidence import evidence_purge_expired

    return evidence_purge_expired()


@shared_task(name="referrals.tasks.purge_idempotency_records")
def purge_idempotency_records() -> int:
    """Daily: forget Idempotency-Keys older than 24 hours."""
    from referrals.intake.services.idempotency import idempotency_purge_expired

    return idempotency_purge_expired()


@shared_task(name="referrals.tasks.remind_expiring_preservations", acks_late=True, soft_time_limit=300, time_limit=330)
def remind_expiring_preservations() -> int:
    """Daily: remind agencies, once per hold, 7 days before a preservation hold ends."""
    from referrals.law_enforcement.services.preservation import preservation_remind_expiring

    return preservation_remind_expiring()


@shared_task(name="referrals.tasks.release_expired_preservations", acks_late=True, soft_time_limit=300, time_limit=330)
def release_expired_preservations() -> int:
    """Hourly: release preservation holds past their end date, so retention applies again."""
    from referrals.law_enforcement.services.preservation import preservation_release_expired

    return preservation_release_expired()


@shared_task(name="referrals.tasks.lift_expired_restrictions", acks_late=True, soft_time_limit=300, time_limit=330)
def lift_expired_restrictions() -> int:
    """Hourly: lift each restriction whose `restriction_end` has passed, once (SPEC §16)."""
    from referrals.redress.expiry import restrictions_lift_expired

    return restrictions_lift_expired()


@shared_task(
    name="referrals.tasks.notify_received",
    acks_late=True,
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=60,
    time_limit=90,
)
def notify_received(seqs: list[int]) -> int:
    """After a filing commits: confirm its receipt to the submitting organisation (DSA Art. 16(4))."""
    from referrals.services.notify import referrals_notify_received

    return referrals_notify_received(seqs=seqs)


@shared_task(name="referrals.tasks.sweep_receipts", soft_time_limit=120, time_limit=150)
def sweep_receipts() -> int:
    """Beat, every five minutes: confirm the receipts whose task was lost (broker down)."""
    from referrals.services.notify import referrals_sweep_receipts

    return referrals_sweep_receipts()


@shared_task(name="referrals.tasks.submit_statements", acks_late=True, soft_time_limit=240, time_limit=270)
def submit_statements() -> int:
    """Beat, every minute: enrol new statements of reasons and, when the DSA Transparency
    Database is configured, send them in batches (idempotent: statements are claimed)."""
    from referrals.review.services.statements import statements_submit

    return statements_submit().sent


@shared_task(name="referrals.tasks.purge_expired_productions", acks_late=True, soft_time_limit=300, time_limit=330)
def purge_expired_productions() -> int:
    """Hourly: delete the files of productions past their availability, once each (SPEC §17)."""
    from referrals.law_enforcement.services.productions import productions_purge_expired

    return productions_purge_expired()


@shared_task(name="referrals.tasks.repage_unclaimed", acks_late=True, soft_time_limit=50, time_limit=60)
def repage_unclaimed() -> int:
    """Beat, every minute: alert the leads again, once, about a paged emergency request or
    removal order still unclaimed 10 or 20 minutes after its page (SPEC §17)."""
    from referrals.law_enforcement.services.paging import referrals_repage_unclaimed

    return referrals_repage_unclaimed()

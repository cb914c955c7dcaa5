from celery import shared_task
from django.db import OperationalError


@shared_task(
    name="partners.tasks.send_webhook",
    acks_late=True,
    # The send itself is retried by its own backoff (SPEC §19); only a lost database is retried here.
    autoretry_for=(OperationalError,),
    retry_backoff=True,
    max_retries=3,
    soft_time_limit=40,
    time_limit=50,
)
def send_webhook(delivery_id: str) -> str | None:
    """Send one webhook delivery if it is due and unclaimed (a repeat of the task sends nothing)."""
    from partners.webhooks.delivery import delivery_send

    return delivery_send(delivery_id=delivery_id)


@shared_task(name="partners.tasks.send_due_webhooks", acks_late=True, soft_time_limit=50, time_limit=60)
def send_due_webhooks() -> int:
    """Beat, every minute: enqueue deliveries whose retry is due or whose task was lost."""
    from partners.webhooks.delivery import deliveries_send_due

    return deliveries_send_due()

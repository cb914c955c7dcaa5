"""Training e-mails, on the notifications queue. Thin: load by id, call the service."""

from celery import shared_task


@shared_task(name="training.tasks.send_reminders", acks_late=True)
def send_reminders() -> int:
    """Beat, every 10 minutes: remind confirmed registrants 24 hours before the start."""
    from training.services import reminders_send

    return reminders_send()


@shared_task(
    name="training.tasks.send_event_change",
    acks_late=True,
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_event_change(event_id: int, user_ids: list[int], change: str, fields: list[str]) -> int:
    """E-mail each registrant the change with an updated .ics of the event attached."""
    from training.emails import event_change_send

    return event_change_send(event_id=event_id, user_ids=user_ids, change=change, fields=fields)

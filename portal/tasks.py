from celery import shared_task
from django.conf import settings
from django.core.mail import EmailMultiAlternatives


@shared_task(
    name="portal.tasks.send_email",
    autoretry_for=(OSError,),
    retry_backoff=True,
    max_retries=5,
)
def send_email(recipients: list[str], subject: str, text: str, html: str) -> None:
    """Send one message to each recipient separately, so no one sees the others' addresses."""
    for to in recipients:
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [to])
        message.attach_alternative(html, "text/html")
        message.send()


@shared_task(name="portal.tasks.purge_read_notifications")
def purge_read_notifications(days: int = 90) -> int:
    """Delete in-app notifications read more than `days` ago; idempotent by nature."""
    from datetime import timedelta

    from django.utils import timezone

    from portal.models import Notification

    deleted, _ = Notification.objects.filter(read_at__lt=timezone.now() - timedelta(days=days)).delete()
    return deleted


@shared_task(name="portal.tasks.noop")
def noop() -> None:
    """Does nothing: `make bench` measures a worker's bare task rate with it."""

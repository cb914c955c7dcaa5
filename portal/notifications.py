"""Telling people things: an in-app notification plus an e-mail sent by a task."""

from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone

from portal.models import Notification
from portal.queueing import enqueue_on_commit


def render_email(template: str, context: dict) -> tuple[str, str, str]:
    """Render templates/emails/<template>.{subject.txt,txt,html} into (subject, text, html)."""
    context = {"base_url": settings.PORTAL_BASE_URL, **context}
    plain = engines["text"]
    subject = " ".join(plain.get_template(f"emails/{template}.subject.txt").render(context).split())
    text = plain.get_template(f"emails/{template}.txt").render(context)
    html = render_to_string(f"emails/{template}.html", context)
    return subject, text, html


def email_address(to: str, template: str, context: dict) -> None:

    subject, text, html = render_email(template, context)
    enqueue_on_commit("portal.tasks.send_email", [to], subject, text, html)


def notify_users(users, template: str, context: dict, *, link: str = "") -> list[Notification]:
    """Create one in-app notification per user and e-mail each of them after commit."""

    subject, text, html = render_email(template, context)
    users = [u for u in users if u.is_active]
    notes = Notification.objects.bulk_create(
        [Notification(user=u, subject=subject, body=text[:2000], link=link) for u in users]
    )
    if users:
        enqueue_on_commit("portal.tasks.send_email", [u.email for u in users], subject, text, html)
    return notes


def notifications_of(user):
    """The user's own notifications, newest first."""
    return Notification.objects.filter(user=user)


def notifications_unread_count(user) -> int:
    return Notification.objects.filter(user=user, read_at__isnull=True).count()


def notifications_mark_read(*, user, notification_id=None) -> int:
    """Mark the user's unread notifications read: all of them, or the one given (another
    user's id marks nothing)."""
    unread = Notification.objects.filter(user=user, read_at__isnull=True)
    if notification_id is not None:
        unread = unread.filter(pk=notification_id)
    return unread.update(read_at=timezone.now())

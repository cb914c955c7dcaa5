"""Telling people things: an in-app notification plus an e-mail sent by a task."""

from collections import defaultdict

from django.conf import settings
from django.template import engines
from django.template.loader import render_to_string
from django.utils import timezone, translation
from django.utils.safestring import mark_safe

from portal.email_preferences import email_kind, users_wanting
from portal.locale import user_language, user_time_zone
from portal.models import Notification
from portal.queueing import enqueue_on_commit


def render_email(template: str, context: dict, *, recipient=None) -> tuple[str, str, str]:
    """Render templates/emails/<template>.{subject.txt,txt,html} into (subject, text, html).

    For a `recipient` (a user), in their language and time zone (docs/i18n.md); without one
    (an address with no account yet), in the language active now."""
    context = {"base_url": settings.PORTAL_BASE_URL, **context}
    if recipient is None:
        return _render(template, context)
    with translation.override(user_language(recipient)), timezone.override(user_time_zone(recipient)):
        return _render(template, context)


def _render(template: str, context: dict) -> tuple[str, str, str]:
    plain = engines["text"]
    subject = " ".join(plain.get_template(f"emails/{template}.subject.txt").render(context).split())
    text = plain.get_template(f"emails/{template}.txt").render(context)
    body = mark_safe(render_to_string(f"emails/{template}.html", context))  # noqa: S308 (rendered, escaped)
    # Every HTML e-mail is one document in the recipient's language and direction.
    html = render_to_string("emails/layout.html", {"subject": subject, "body": body})
    return subject, text, html


def email_address(to: str, template: str, context: dict) -> None:
    """E-mail an address that has no account yet (an invitation), in the language active now."""
    subject, text, html = render_email(template, context)
    enqueue_on_commit("portal.tasks.send_email", [to], subject, text, html)


def _by_locale(users) -> list[list]:
    """Active `users` in groups sharing a language and a time zone: one rendering each."""
    groups: dict[tuple[str, str], list] = defaultdict(list)
    for user in users:
        if user.is_active:
            groups[(user_language(user), str(user_time_zone(user)))].append(user)
    return list(groups.values())


def notify_in_app(users, template: str, context: dict, *, link: str = "") -> list[Notification]:
    """One in-app notification per user, each in their own language and time zone (the
    e-mail's subject and text); callers that send their own e-mails use this."""
    notes = []
    for members in _by_locale(users):
        subject, text, _html = render_email(template, context, recipient=members[0])
        notes += [Notification(user=u, subject=subject, body=text[:2000], link=link) for u in members]
    return Notification.objects.bulk_create(notes)


def notify_users(users, template: str, context: dict, *, link: str = "") -> list[Notification]:
    """One in-app notification per user and an e-mail after commit to each who wants that kind
    of e-mail (portal.email_preferences), each in their own language and time zone: one
    rendering and at most one e-mail task per such group."""
    notes = []
    groups = _by_locale(users)
    wanting = users_wanting([u for members in groups for u in members], email_kind(template, context))
    for members in groups:
        subject, text, html = render_email(template, context, recipient=members[0])
        notes += [Notification(user=u, subject=subject, body=text[:2000], link=link) for u in members]
        if to := [u.email for u in members if u.pk in wanting]:
            enqueue_on_commit("portal.tasks.send_email", to, subject, text, html)
    return Notification.objects.bulk_create(notes)


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

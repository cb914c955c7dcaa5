"""E-mails about an event that carry its .ics, rendered for each recipient: only confirmed
registrants get the online link, and each sees times in their own zone."""

from django.conf import settings
from django.core.mail import EmailMultiAlternatives

from portal.email_preferences import wants_email
from portal.notifications import render_email
from training.ical import event_ics
from training.models import Event, Registration
from training.permissions import can_see_online_url


def event_change_send(*, event_id: int, user_ids: list[int], change: str, fields: list[str]) -> int:
    event = Event.objects.filter(pk=event_id).first()
    if event is None:
        return 0
    registrations = Registration.objects.filter(event=event, user_id__in=user_ids, user__is_active=True).select_related(
        "user"
    )
    sent = 0
    for registration in registrations:
        user = registration.user
        if not wants_email(user, "training_event_changed"):
            continue  # told in the app already (training.services._tell_registrants)
        show_online_url = can_see_online_url(user, event, registration)
        subject, text, html = render_email(
            "training_event_changed",
            {
                "event": event,
                "change": change,
                "fields": fields,
                "recipient": user,
                "registration": registration,
                "show_online_url": show_online_url,
            },
            recipient=user,
        )
        message = EmailMultiAlternatives(subject, text, settings.DEFAULT_FROM_EMAIL, [user.email])
        message.attach_alternative(html, "text/html")
        message.attach(
            f"{event.slug}.ics",
            event_ics(event, show_online_url=show_online_url),
            "text/calendar; charset=utf-8; method=PUBLISH",
        )
        message.send()
        sent += 1
    return sent

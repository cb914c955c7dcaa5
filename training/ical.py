"""iCalendar (RFC 5545) files: one per event, and a person's feed of confirmed events.

Times are written in the event's own zone (DTSTART;TZID=...) with a VTIMEZONE for it, so a
calendar shows the right local time across daylight-saving changes. UID is stable per event
and SEQUENCE rises with each change, so importing an updated file replaces the entry.
"""

from collections.abc import Iterable
from datetime import date, timedelta

import icalendar
from django.conf import settings
from django.utils import timezone
from django.utils.translation import gettext as _

from training.models import Event

PRODID = "-//Counterpoint//Training events//EN"


def _calendar(name: str) -> icalendar.Calendar:
    calendar = icalendar.Calendar()
    calendar.add("prodid", PRODID)
    calendar.add("version", "2.0")
    calendar.add("calscale", "GREGORIAN")
    calendar.add("method", "PUBLISH")
    calendar.add("x-wr-calname", name)
    return calendar


def _vevent(event: Event, *, show_online_url: bool, stamp) -> icalendar.Event:
    url = f"{settings.PORTAL_BASE_URL}{event.get_absolute_url()}"
    zone = event.zone
    vevent = icalendar.Event()
    vevent.add("uid", f"{event.uid}@counterpoint")
    vevent.add("dtstamp", stamp)
    vevent.add("sequence", event.sequence)
    vevent.add("summary", event.title)
    vevent.add("dtstart", event.starts_at.astimezone(zone))
    vevent.add("dtend", event.ends_at.astimezone(zone))
    vevent.add("created", event.created_at)
    vevent.add("last-modified", event.updated_at)
    location = event.location
    if show_online_url and event.online_url:
        location = f"{location} · {event.online_url}" if location else event.online_url
    elif not location:
        location = _("Online (the link is shown to confirmed participants)")
    vevent.add("location", location)
    description = [event.description.strip()] if event.description.strip() else []
    if show_online_url and event.online_url:
        description.append(_("Join online: %(url)s") % {"url": event.online_url})
    description.append(_("Details: %(url)s") % {"url": url})
    vevent.add("description", "\n\n".join(description))
    vevent.add("url", url)
    vevent.add("status", "CANCELLED" if event.is_cancelled else "CONFIRMED")
    if event.topics:
        vevent.add("categories", list(event.topics))
    return vevent


def _add_time_zones(calendar: icalendar.Calendar, events: list[Event]) -> None:
    if not events:
        return
    # Transitions only around the events keep the VTIMEZONE short.
    first = min(e.starts_at for e in events).date() - timedelta(days=366)
    last = max(e.ends_at for e in events).date() + timedelta(days=366)
    calendar.add_missing_timezones(first_date=date(first.year, 1, 1), last_date=date(last.year, 12, 31))


def event_ics(event: Event, *, show_online_url: bool) -> bytes:
    calendar = _calendar(event.title)
    calendar.add_component(_vevent(event, show_online_url=show_online_url, stamp=timezone.now()))
    _add_time_zones(calendar, [event])
    return calendar.to_ical()


def feed_ics(events: Iterable[Event], *, name: str) -> bytes:
    """A person's feed: only their confirmed events, so each shows its online link."""
    events = list(events)
    calendar = _calendar(name)
    calendar.add("refresh-interval", timedelta(hours=1), parameters={"VALUE": "DURATION"})
    stamp = timezone.now()
    for event in events:
        calendar.add_component(_vevent(event, show_online_url=True, stamp=stamp))
    _add_time_zones(calendar, events)
    return calendar.to_ical()

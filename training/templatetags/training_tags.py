"""Showing event times in the viewer's zone, with the zone named."""

import zoneinfo

from django import template
from django.utils import dateformat

register = template.Library()


def viewer_zone_name(user, event=None) -> str:
    """The person's profile zone; else the event's own zone; else UTC."""
    name = getattr(user, "time_zone", "") or (event.timezone if event is not None else "") or "UTC"
    try:
        zoneinfo.ZoneInfo(name)
    except (zoneinfo.ZoneInfoNotFoundError, ValueError):
        return "UTC"
    return name


def format_span(starts_at, ends_at, zone_name: str) -> str:
    zone = zoneinfo.ZoneInfo(zone_name)
    start, end = starts_at.astimezone(zone), ends_at.astimezone(zone)
    text = dateformat.format(start, "D j M Y, H:i")
    if end.date() == start.date():
        text += "–" + dateformat.format(end, "H:i")
    else:
        text += " – " + dateformat.format(end, "D j M Y, H:i")
    abbreviation = end.tzname() if end.tzname() != start.tzname() else start.tzname()
    return f"{text} {abbreviation} ({zone_name})" if abbreviation != zone_name else f"{text} ({zone_name})"


@register.simple_tag
def event_when(event, user=None, zone_name: str = "") -> str:
    """`Mon 30 Mar 2026, 10:00–12:00 CEST (Europe/Paris)` in the viewer's zone."""
    return format_span(event.starts_at, event.ends_at, zone_name or viewer_zone_name(user, event))


@register.simple_tag
def local_time(value, user=None, event=None, fmt: str = "D j M Y, H:i T") -> str:
    if value is None:
        return ""
    zone = zoneinfo.ZoneInfo(viewer_zone_name(user, event))
    return dateformat.format(value.astimezone(zone), fmt)


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def seats_left(event) -> int | None:
    """Free seats of an event from `events_visible_to` (annotated); None without a limit."""
    if event.capacity is None:
        return None
    return max(event.capacity - getattr(event, "seats_taken", 0), 0)

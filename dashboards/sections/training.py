"""The training card on the home page: my upcoming registrations and the next events."""

from training import selectors
from training.models import EventStatus
from training.permissions import can_see_events


def home_sections(user) -> list[tuple[str, dict]]:
    if not can_see_events(user):
        return []
    registrations = list(selectors.my_registrations(user)[:5])
    mine = {r.event_id for r in registrations}
    next_events = [
        e for e in selectors.events_filtered(user).filter(status=EventStatus.SCHEDULED)[:8] if e.pk not in mine
    ][:4]
    return [("training/home_section.html", {"registrations": registrations, "next_events": next_events})]

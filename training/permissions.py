"""Named predicates about training events, shared by pages and the API."""

from portal.accounts.roles import is_policy_staff, organisation_of
from training.models import SEAT_STATUSES


def can_see_events(user) -> bool:
    """Every signed-in person may read the schedule."""
    return bool(getattr(user, "is_authenticated", False) and user.is_active)


def can_create_events(user) -> bool:
    return is_policy_staff(user)


def is_organiser(user, event) -> bool:
    if not getattr(user, "is_authenticated", False):
        return False
    if event.organiser_id == user.pk:
        return True
    return event.organisers.filter(pk=user.pk).exists()


def can_manage_event(user, event) -> bool:
    """Policy staff and the event's organisers edit it, cancel it and mark attendance."""
    return is_policy_staff(user) or is_organiser(user, event)


def can_name_organisers(user) -> bool:
    return is_policy_staff(user)


def in_audience(user, event) -> bool:
    """Only members of an organisation of a kind in the event's audience may register."""
    organisation = organisation_of(user)
    return organisation is not None and organisation.kind in (event.audience or [])


def can_see_online_url(user, event, registration=None) -> bool:
    """The link is for confirmed registrants (and those who ran the event)."""
    if registration is not None and registration.user_id == user.pk and registration.status in SEAT_STATUSES:
        return True
    return can_manage_event(user, event)

from datetime import UTC, datetime, timedelta

import pytest
from django.utils import timezone

from training.services import event_create


def in_days(days: float, hour: int = 9) -> datetime:
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


@pytest.fixture
def make_event(policy):
    """Publish an event through the service, as policy staff would; override any field."""

    def make(**overrides):
        starts_at = overrides.pop("starts_at", in_days(10))
        fields = {
            "title": "Recognising recruitment narratives",
            "description": "A hands-on workshop.",
            "format": "workshop",
            "topics": ["recruitment", "OSINT"],
            "starts_at": starts_at,
            "ends_at": starts_at + timedelta(hours=2),
            "timezone": "Europe/London",
            "location": "Community Hall, 1 Example Street",
            "online_url": "",
            "capacity": None,
            "registration_closes_at": None,
            "audience": ["ngo", "law_enforcement", "platform"],
            "materials": "",
        }
        by = overrides.pop("by", policy)
        fields.update(overrides)
        return event_create(by=by, **fields)

    return make

"""Demo training events (SPEC §11): upcoming events of every format, some full with a waitlist.
All fictitious. Idempotent: an event that exists already (by slug) is left as it is."""

from datetime import UTC, datetime, timedelta

from django.utils import timezone

from training.models import Event, Registration
from training.services import event_create, registration_register

ONLINE = "https://meet.example.invalid/counterpoint-"

EVENTS = [
    dict(
        slug="recognising-recruitment-narratives",
        title="Recognising recruitment narratives",
        format="workshop",
        topics=["recruitment", "counter-speech"],
        days=6,
        hour=9,
        hours=3,
        timezone="Europe/London",
        location="Northbridge Civic Centre, Room 4, 12 Market Row, Northbridge",
        capacity=2,
        audience=["ngo", "law_enforcement"],
        description="A hands-on workshop on the narratives violent extremist groups use to draw people in, "
        "and on answering them without amplifying them.",
        registrants=["ngo@demo.test", "ngo2@demo.test", "ngo-admin@demo.test", "liaison@demo.test"],
    ),
    dict(
        slug="removal-orders-in-practice",
        title="Removal orders in practice: the one-hour deadline",
        format="briefing",
        topics=["legal", "removal orders"],
        days=9,
        hour=13,
        hours=1,
        timezone="Europe/Brussels",
        online_url=ONLINE + "briefing",
        audience=["law_enforcement", "platform"],
        description="How removal orders reach the platform, what makes one actionable and where time is lost.",
        registrants=["liaison@demo.test", "reviewer@demo.test"],
    ),
    dict(
        slug="osint-for-trusted-flaggers",
        title="Open-source research for trusted flaggers",
        format="webinar",
        topics=["osint", "telegram"],
        days=14,
        hour=11,
        hours=2,
        timezone="Asia/Kolkata",
        online_url=ONLINE + "osint",
        capacity=3,
        audience=["ngo"],
        description="Documenting channels and accounts safely: archiving, hashing and writing a referral that "
        "a reviewer can act on.",
        registrants=["ngo@demo.test", "ngo2@demo.test", "ngo-admin@demo.test"],
    ),
    dict(
        slug="partner-conference-spring",
        title="Partner conference: countering violent extremism online",
        format="conference",
        topics=["counter-speech", "policy", "transparency"],
        days=30,
        hour=8,
        hours=30,
        timezone="Europe/Paris",
        location="Maison des Associations (fictitious), 3 rue de l'Exemple, Paris",
        online_url=ONLINE + "conference",
        capacity=150,
        audience=["ngo", "law_enforcement", "platform"],
        description="Two days of talks and working sessions with NGO partners, law enforcement and the platform's "
        "trust & safety team.",
        registrants=["ngo@demo.test", "policy@demo.test"],
    ),
    dict(
        slug="measuring-campaign-reach",
        title="Measuring counter-speech campaign reach",
        format="webinar",
        topics=["campaigns", "metrics"],
        days=20,
        hour=15,
        hours=1,
        timezone="America/New_York",
        online_url=ONLINE + "metrics",
        capacity=1,
        audience=["ngo", "platform"],
        description="Impressions, engagements and what they do not tell you.",
        registrants=["ngo2@demo.test", "ngo@demo.test"],
    ),
]


def _start(days: int, hour: int) -> datetime:
    day = (timezone.now() + timedelta(days=days)).date()
    return datetime(day.year, day.month, day.day, hour, 0, tzinfo=UTC)


def seed(context: dict) -> dict:
    users = context.get("users", {})
    policy = users.get("policy@demo.test")
    if policy is None:
        return {}
    events = {}
    for spec in EVENTS:
        spec = dict(spec)
        registrants = spec.pop("registrants")
        slug = spec.pop("slug")
        starts_at = _start(spec.pop("days"), spec.pop("hour"))
        ends_at = starts_at + timedelta(hours=spec.pop("hours"))
        event = Event.objects.filter(slug=slug).first()
        if event is None:
            event = event_create(by=policy, slug=slug, starts_at=starts_at, ends_at=ends_at, **spec)
        for email in registrants:
            user = users.get(email)
            if user is not None and not Registration.objects.filter(event=event, user=user).exists():
                registration_register(user=user, event=event)
        events[slug] = event
    return {"events": events}

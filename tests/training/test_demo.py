from django.core.management import call_command

from training.models import Event, Registration


def test_seed_demo_creates_events_of_every_format_with_a_waitlist_and_is_idempotent(db, settings):
    settings.DEBUG = True
    call_command("seed_demo")
    counts = (Event.objects.count(), Registration.objects.count())

    call_command("seed_demo")

    assert (Event.objects.count(), Registration.objects.count()) == counts
    assert set(Event.objects.values_list("format", flat=True)) == {"workshop", "webinar", "conference", "briefing"}
    assert Registration.objects.filter(status="waitlisted").exists()
    assert Event.objects.filter(organiser__email="policy@demo.test").count() == Event.objects.count()

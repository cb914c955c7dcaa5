"""An NGO member finds an event on the schedule, registers, and takes it to their calendar."""

from datetime import UTC, datetime, timedelta
from pathlib import Path

import icalendar
from playwright.sync_api import expect

from training.models import Registration
from training.services import event_create


def _event(policy, **fields):
    starts_at = datetime.now(UTC).replace(minute=0, second=0, microsecond=0) + timedelta(days=fields.pop("days"))
    return event_create(
        by=policy,
        description="Fictitious training for the test.",
        topics=fields.pop("topics"),
        starts_at=starts_at,
        ends_at=starts_at + timedelta(hours=2),
        timezone="Europe/Paris",
        audience=["ngo"],
        **fields,
    )


def test_ngo_member_filters_the_schedule_registers_and_downloads_the_ics(
    page, live_server, sign_in, ngo_member, policy
):
    webinar = _event(
        policy,
        title="Archiving Telegram channels",
        format="webinar",
        topics=["osint"],
        online_url="https://meet.example.test/archive",
        capacity=20,
        days=8,
    )
    _event(policy, title="Campaign planning day", format="workshop", topics=["campaigns"], location="Hall", days=9)

    sign_in(page, ngo_member)
    page.goto(f"{live_server.url}/training/")
    expect(page.get_by_role("link", name="Campaign planning day")).to_be_visible()

    page.get_by_label("Format").select_option("webinar")
    page.get_by_role("button", name="Filter").click()
    expect(page.get_by_role("link", name="Campaign planning day")).to_have_count(0)
    page.get_by_role("link", name="Archiving Telegram channels").click()

    expect(page.get_by_role("heading", level=1)).to_contain_text("Archiving Telegram channels")
    expect(page.get_by_text("(Europe/Paris)").first).to_be_visible()
    page.get_by_role("button", name="Register").click()
    expect(page.get_by_text("You are registered")).to_be_visible()
    expect(page.get_by_role("link", name="https://meet.example.test/archive")).to_be_visible()
    assert Registration.objects.get(user=ngo_member, event=webinar).status == "confirmed"

    with page.expect_download() as download_info:
        page.get_by_role("link", name="Add to calendar (.ics)").click()
    download = download_info.value
    assert download.suggested_filename == f"{webinar.slug}.ics"
    calendar = icalendar.Calendar.from_ical(Path(download.path()).read_bytes())
    (vevent,) = calendar.walk("VEVENT")
    assert str(vevent["SUMMARY"]) == "Archiving Telegram channels"
    assert vevent.decoded("DTSTART").astimezone(UTC) == webinar.starts_at
    assert "meet.example.test/archive" in str(vevent["LOCATION"])

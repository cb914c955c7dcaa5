"""Paging (SPEC §17): an emergency request or a removal order alerts every member of its queue
and every queue lead at once (in-app, by e-mail, and a banner on every page until someone
claims it); still unclaimed 10 minutes (emergency) or 20 (removal order) after the page, the
leads are alerted again, once."""

from __future__ import annotations

import re
from datetime import UTC, datetime, timedelta
from types import SimpleNamespace

import pytest
from django.core import mail
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from partners.models import Role
from portal.models import AuditEvent, Notification
from referrals.law_enforcement.services.paging import referral_page, referrals_repage_unclaimed
from referrals.models import Referral, TimelineEvent
from referrals.review.services.claims import referral_claim
from referrals.review.services.routing import referral_route_batch
from referrals.tasks import repage_unclaimed
from tests.factories import make_member
from tests.referrals.review_factories import received

T = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
PAGED_AT = T + timedelta(minutes=1)
PAGING_KINDS = ["emergency_request", "removal_order"]
LABELS = {"emergency_request": "Emergency disclosure request", "removal_order": "Removal order"}
BANNER = "data-paging-banner"


@pytest.fixture
def people(routing_table, platform, reviewer, lead, policy, liaison, ngo_member):
    """`reviewer` works the legal orders queue; `elsewhere` is a reviewer of another queue."""
    routing_table["legal-orders"].members.add(reviewer)
    elsewhere = make_member(platform, Role.REVIEWER)
    routing_table["general"].members.add(elsewhere)
    return SimpleNamespace(
        member=reviewer, lead=lead, elsewhere=elsewhere, policy=policy, liaison=liaison, ngo_member=ngo_member
    )


def file(liaison, kind: str, *, at: datetime = T) -> Referral:
    """A request of `kind` received at `at`, not yet routed."""
    return received(liaison, kind, received_at=at)


def route(referral: Referral, *, now: datetime, capture=None) -> Referral:
    if capture is None:
        referral_route_batch(seqs=[referral.seq], now=now)
    else:
        with capture(execute=True):
            referral_route_batch(seqs=[referral.seq], now=now)
    referral.refresh_from_db()
    return referral


def paged(liaison, kind: str = "emergency_request") -> Referral:
    """Received and routed (so paged) just now, by the clock of the pages that show it."""
    referral = received(liaison, kind)
    return route(referral, now=timezone.now())


def pages(user, template_subject: str = "URGENT") -> list[Notification]:
    return list(Notification.objects.filter(user=user, subject__startswith=template_subject))


def mails_to(user, subject_start: str = "URGENT:") -> list:
    return [m for m in mail.outbox if user.email in m.to and m.subject.startswith(subject_start)]


def banner_of(html: str) -> str:
    match = re.search(r'<div class="paging-banner".*?</div>', html, re.S)
    return match.group(0) if match else ""


# --- Paging at once --------------------------------------------------------------------------------


@pytest.mark.parametrize("kind", PAGING_KINDS)
def test_routing_a_request_pages_every_member_of_its_queue_and_every_lead_at_once(
    people, kind, django_capture_on_commit_callbacks
):
    referral = file(people.liaison, kind)
    assert referral.paged_at is None
    mail.outbox.clear()

    referral = route(referral, now=PAGED_AT, capture=django_capture_on_commit_callbacks)

    assert referral.queue.slug == "legal-orders"
    assert referral.paged_at == PAGED_AT
    subject = f"URGENT: {LABELS[kind]} {referral.reference} — 59 minutes left"
    for user in (people.member, people.lead):
        [note] = pages(user)
        assert note.subject == subject
        assert note.link == f"/referrals/{referral.reference}/"
        [message] = mails_to(user)
        assert message.subject == subject
        assert f"/referrals/{referral.reference}/" in message.body
        assert "59 minutes from now" in message.body
        assert referral.reference in message.alternatives[0][0]
    for user in (people.elsewhere, people.policy, people.liaison, people.ngo_member):
        assert pages(user) == []
        assert mails_to(user) == []


@pytest.mark.parametrize(
    ("kind", "filer"),
    [("preservation_request", "liaison"), ("le_referral", "liaison"), ("notice", "ngo_member")],
)
def test_other_kinds_page_nobody(people, kind, filer, django_capture_on_commit_callbacks):
    referral = file(getattr(people, filer), kind)
    mail.outbox.clear()

    referral = route(referral, now=PAGED_AT, capture=django_capture_on_commit_callbacks)

    assert referral.paged_at is None
    assert not Notification.objects.filter(subject__startswith="URGENT").exists()
    assert [m for m in mail.outbox if m.subject.startswith("URGENT")] == []


def test_an_imminent_notice_is_not_paged_either(people):
    referral = route(received(people.ngo_member, "notice", severity="imminent"), now=PAGED_AT)

    assert referral.queue.slug == "urgent-threats"
    assert referral.paged_at is None


def test_routing_run_twice_pages_once(people, django_capture_on_commit_callbacks):
    referral = file(people.liaison, "emergency_request")
    route(referral, now=PAGED_AT, capture=django_capture_on_commit_callbacks)
    mail.outbox.clear()

    with django_capture_on_commit_callbacks(execute=True):
        assert referral_route_batch(seqs=[referral.seq], now=PAGED_AT + timedelta(seconds=5)) == 0
        assert referral_page(referral=referral, now=PAGED_AT + timedelta(seconds=5)) is False

    referral.refresh_from_db()
    assert referral.paged_at == PAGED_AT
    assert len(pages(people.member)) == len(pages(people.lead)) == 1
    assert mail.outbox == []
    assert TimelineEvent.objects.filter(referral=referral, type="paged").count() == 1
    assert AuditEvent.objects.filter(action="referral.page", object_id=str(referral.pk)).count() == 1


def test_the_page_is_on_the_platforms_timeline_only(people, api_for):
    referral = route(file(people.liaison, "emergency_request"), now=PAGED_AT)

    event = TimelineEvent.objects.get(referral=referral, type="paged")
    assert event.actor is None
    platform = api_for(people.lead).get(f"/api/v1/referrals/{referral.id}/events/").json()
    assert "paged" in [e["type"] for e in platform]
    partner = api_for(people.liaison).get(f"/api/v1/referrals/{referral.id}/events/").json()
    assert "paged" not in [e["type"] for e in partner]
    entry = AuditEvent.objects.get(action="referral.page", object_id=str(referral.pk))
    assert set(entry.data["recipients"]) == {people.member.pk, people.lead.pk}


# --- The banner ------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["member", "lead"])
def test_the_banner_shows_on_any_page_to_the_people_paged(people, client_for, who):
    referral = paged(people.liaison)

    for url in ("/", "/notifications/", "/preferences/"):
        banner = banner_of(client_for(getattr(people, who)).get(url).content.decode())
        assert 'role="alert"' in banner, url
        assert re.search(
            rf"Emergency disclosure request <bdi>{referral.reference}</bdi> is waiting — (59|60) minutes left\.", banner
        )
        assert f'href="/referrals/{referral.reference}/"' in banner


@pytest.mark.parametrize("who", ["elsewhere", "policy", "liaison", "ngo_member"])
def test_the_banner_is_not_shown_to_anyone_else(people, client_for, who):
    paged(people.liaison)

    html = client_for(getattr(people, who)).get("/notifications/").content.decode()

    assert BANNER not in html


def test_anonymous_visitors_see_no_banner(people, client):
    paged(people.liaison)

    assert BANNER not in client.get("/transparency/").content.decode()


def test_the_banner_is_gone_for_everyone_once_someone_claims_it(people, client_for):
    referral = paged(people.liaison, "removal_order")
    assert BANNER in client_for(people.lead).get("/").content.decode()

    referral_claim(by=people.member, referral=referral)

    for user in (people.member, people.lead):
        assert BANNER not in client_for(user).get("/").content.decode()


def test_several_waiting_requests_show_three_and_how_many_more(people, client_for):
    referrals = [paged(people.liaison, kind) for kind in PAGING_KINDS * 2]

    banner = banner_of(client_for(people.lead).get("/").content.decode())

    assert banner.count("is waiting") == 3
    assert "And 1 more waiting." in banner
    shown = {r.reference for r in referrals if f"<bdi>{r.reference}</bdi> is waiting" in banner}
    assert len(shown) == 3


def test_an_overdue_request_says_so(people, client_for):
    referral = paged(people.liaison)
    Referral.objects.filter(pk=referral.pk).update(due_at=timezone.now() - timedelta(minutes=2))

    banner = banner_of(client_for(people.member).get("/").content.decode())

    assert f"<bdi>{referral.reference}</bdi> is waiting — past its deadline." in banner


def _paging_queries(client, url: str) -> list[str]:
    client.get(url)  # warm: the first request of a session records its use
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in captured.captured_queries if "paged_at" in q["sql"]]


def test_the_banner_costs_platform_staff_one_query_and_partners_none(people, client_for):
    paged(people.liaison)

    # The lead's and the member's pages read the waiting referrals once; partners' never.
    assert len(_paging_queries(client_for(people.lead), "/notifications/")) == 1
    assert len(_paging_queries(client_for(people.member), "/notifications/")) == 1
    for partner in (people.liaison, people.ngo_member):
        assert _paging_queries(client_for(partner), "/notifications/") == []


# --- The second alert ------------------------------------------------------------------------------


@pytest.mark.parametrize(("kind", "minutes"), [("emergency_request", 10), ("removal_order", 20)])
def test_the_leads_are_alerted_again_once_when_nobody_claims_it_in_time(
    people, kind, minutes, django_capture_on_commit_callbacks
):
    referral = route(file(people.liaison, kind), now=PAGED_AT)
    mail.outbox.clear()
    threshold = PAGED_AT + timedelta(minutes=minutes)

    with django_capture_on_commit_callbacks(execute=True):
        assert referrals_repage_unclaimed(now=threshold - timedelta(seconds=1)) == 0
        assert referrals_repage_unclaimed(now=threshold) == 1
        assert referrals_repage_unclaimed(now=threshold + timedelta(minutes=1)) == 0
        assert referrals_repage_unclaimed(now=threshold + timedelta(minutes=30)) == 0

    referral.refresh_from_db()
    assert referral.repaged_at == threshold
    left = 60 - 1 - minutes
    subject = f"URGENT, STILL UNCLAIMED: {LABELS[kind]} {referral.reference} — {left} minutes left"
    [note] = pages(people.lead, "URGENT, STILL UNCLAIMED")
    assert note.subject == subject
    assert note.link == f"/referrals/{referral.reference}/"
    [message] = mails_to(people.lead, "URGENT, STILL UNCLAIMED")
    assert f"{minutes} minutes after its queue and the queue leads were alerted" in message.body
    # The second alert is for the leads only.
    for user in (people.member, people.elsewhere, people.policy, people.liaison):
        assert pages(user, "URGENT, STILL UNCLAIMED") == []
        assert mails_to(user, "URGENT, STILL UNCLAIMED") == []
    event = TimelineEvent.objects.get(referral=referral, type="repaged")
    assert event.actor is None and event.data["platform_only"] is True
    assert AuditEvent.objects.filter(action="referral.page_again", object_id=str(referral.pk)).count() == 1


def test_the_beat_task_alerts_the_leads_again_exactly_once(people, django_capture_on_commit_callbacks):
    referral = route(file(people.liaison, "emergency_request"), now=timezone.now() - timedelta(minutes=11))

    with django_capture_on_commit_callbacks(execute=True):
        assert repage_unclaimed.apply().get() == 1
        assert repage_unclaimed.apply().get() == 0

    assert len(pages(people.lead, "URGENT, STILL UNCLAIMED")) == 1
    assert TimelineEvent.objects.filter(referral=referral, type="repaged").count() == 1


def test_a_claimed_request_is_not_alerted_again(people):
    referral = route(file(people.liaison, "emergency_request"), now=PAGED_AT)
    referral_claim(by=people.member, referral=referral)

    assert referrals_repage_unclaimed(now=PAGED_AT + timedelta(minutes=30)) == 0

    referral.refresh_from_db()
    assert referral.repaged_at is None
    assert pages(people.lead, "URGENT, STILL UNCLAIMED") == []

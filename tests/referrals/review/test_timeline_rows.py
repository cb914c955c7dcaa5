"""Timeline rows built without saving (`timeline_event`) for bulk writes follow the same rules
as `timeline_add`: an anonymous actor is the system, and a given time is kept."""

from datetime import timedelta

import pytest
from django.contrib.auth.models import AnonymousUser
from django.utils import timezone

from referrals.models import TimelineEvent
from referrals.services.timeline import timeline_add, timeline_add_many, timeline_event
from tests.referrals.factories import make_referral


@pytest.mark.django_db
def test_built_events_are_written_in_one_go_at_the_time_given(ngo_member):
    referral = make_referral(ngo_member)
    before = TimelineEvent.objects.filter(referral=referral).count()
    at = timezone.now() - timedelta(minutes=5)
    events = [timeline_event(referral, "note", message=f"n{n}", at=at, n=n) for n in range(2)]
    assert all(e.pk is None for e in events)
    timeline_add_many(events)
    rows = TimelineEvent.objects.filter(referral=referral, type="note").order_by("pk")
    assert [(r.message, r.at, r.data) for r in rows] == [("n0", at, {"n": 0}), ("n1", at, {"n": 1})]
    assert TimelineEvent.objects.filter(referral=referral).count() == before + 2


@pytest.mark.django_db
def test_an_anonymous_actor_is_the_system_whether_built_or_added(ngo_member):
    referral = make_referral(ngo_member)
    assert timeline_event(referral, "note", actor=AnonymousUser()).actor is None
    assert timeline_add(referral, "note", actor=AnonymousUser()).actor is None
    assert timeline_add(referral, "note", actor=ngo_member).actor == ngo_member
